/**
 * Masks secrets a customer pastes (passwords, bank card numbers) before anything is stored,
 * logged or shown to an agent (DESIGN invariant 5). Pure: the same text always masks the same way.
 * The rules live in mask-card.ts and mask-password.ts; this module orders them.
 */
import { maskCards } from "./mask-card.js";
import { maskPasswords } from "./mask-password.js";

export { luhnValid } from "./mask-card.js";
export { PASSWORD_MASK } from "./mask-password.js";

/** What kind of secret was hidden. */
export type MaskKind = "password" | "card";

/** The masked text and what was hidden. */
export interface MaskResult {
  text: string;
  /** True when anything was replaced. */
  masked: boolean;
  /** The kinds hidden, each at most once, in a stable order. */
  kinds: MaskKind[];
}

/**
 * Invisible format characters (zero-width space and joiners, word joiner, BOM, soft hyphen, direction
 * marks): typed or pasted inside «пароль» or before its colon, they would hide the label from every
 * rule. A zero-width joiner inside an emoji sequence (👨‍👩‍👧) is kept, and so are emoji tag characters.
 */
const INVISIBLE = /(?![\u200D\u{E0001}\u{E0020}-\u{E007F}])\p{Cf}|\u200D(?!\p{Extended_Pictographic})/gu;

/**
 * Masks passwords and Luhn-valid card numbers in `text`. Invisible format characters are dropped from
 * the result, since nobody can see them and they only ever get in the way of the rules.
 */
export function mask(text: string): MaskResult {
  const visible = text.replace(INVISIBLE, "");
  const cards = maskCards(visible);
  const passwords = maskPasswords(cards.text);
  const kinds: MaskKind[] = [];
  if (passwords.masked) kinds.push("password");
  if (cards.masked) kinds.push("card");
  return { text: passwords.text, masked: kinds.length > 0, kinds };
}
