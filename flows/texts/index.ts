/**
 * The texts' public entry: pick a locale's texts and fill placeholders.
 */
import type { Locale } from "../model.js";
import { type OperatorProfile, profileVars } from "../profile.js";
import type { Category } from "../types.js";
import { en } from "./en.js";
import { ru, type TextKey, type Texts } from "./ru.js";

export type { TextKey, Texts } from "./ru.js";

/** Every locale's texts, Russian first. */
export const TEXTS: Record<Locale, Texts> = { ru, en };

/** The texts of one locale. */
export function textsFor(locale: Locale): Texts {
  return TEXTS[locale];
}

/**
 * Fills `{name}` placeholders from `vars`; an unknown placeholder is left as is, so a typo shows up
 * in a test instead of silently vanishing.
 */
export function format(template: string, vars: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = vars[name];
    return value === undefined ? whole : String(value);
  });
}

/** The text key of each category's button label (clarify buttons). */
export const CATEGORY_LABEL_KEY: Record<Category, TextKey> = {
  general: "catGeneral",
  account_action: "catAccountAction",
  technical: "catTechnical",
  billing: "catBilling",
  urgent: "catUrgent",
  ticket_status: "catTicketStatus",
  operator: "catOperator",
};

/**
 * One locale's text by key, with placeholders filled: the operator's override of the text when the
 * profile has one, its contacts (`{call}`, `{toEmail}`, `{panel}`…), then `vars`.
 */
export function t(
  locale: Locale,
  key: TextKey,
  vars?: Record<string, string | number>,
  profile?: OperatorProfile,
): string {
  const pick = (k: TextKey): string => profile?.texts?.[locale]?.[k] ?? TEXTS[locale][k];
  return format(format(pick(key), vars), profileVars(profile, pick));
}
