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

/** The texts of one locale for one profile, with the profile's contacts already filled in. */
type Filled = { vars: Record<string, string>; texts: Map<TextKey, string> };

/** Per profile (the object, or `NO_PROFILE`) and locale: its contacts and its filled texts. */
const FILLED = new WeakMap<object, Partial<Record<Locale, Filled>>>();
const NO_PROFILE = {};

/** The template of a text: the operator's override when the profile has one, else ours. */
function templateOf(locale: Locale, key: TextKey, profile: OperatorProfile | undefined): string {
  return profile?.texts?.[locale]?.[key] ?? TEXTS[locale][key];
}

function filledFor(locale: Locale, profile: OperatorProfile | undefined): Filled {
  const owner = profile ?? NO_PROFILE;
  let byLocale = FILLED.get(owner);
  if (byLocale === undefined) {
    byLocale = {};
    FILLED.set(owner, byLocale);
  }
  let filled = byLocale[locale];
  if (filled === undefined) {
    filled = { vars: profileVars(profile, (k) => templateOf(locale, k, profile)), texts: new Map() };
    byLocale[locale] = filled;
  }
  return filled;
}

/**
 * One locale's text by key, with placeholders filled: the operator's override of the text when the
 * profile has one, its contacts (`{call}`, `{toEmail}`, `{panel}`…), then `vars`. A profile is fixed
 * for the process, so its contacts and the texts without `vars` are filled once and remembered.
 */
export function t(
  locale: Locale,
  key: TextKey,
  vars?: Record<string, string | number>,
  profile?: OperatorProfile,
): string {
  const filled = filledFor(locale, profile);
  if (vars === undefined) {
    let text = filled.texts.get(key);
    if (text === undefined) {
      text = format(templateOf(locale, key, profile), filled.vars);
      filled.texts.set(key, text);
    }
    return text;
  }
  return format(format(templateOf(locale, key, profile), vars), filled.vars);
}

/** The profile's contacts as placeholders for a locale (e.g. for knowledge-base answers). */
export function contactVars(locale: Locale, profile: OperatorProfile | undefined): Record<string, string> {
  return filledFor(locale, profile).vars;
}
