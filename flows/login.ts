/**
 * Parses the customer's answer to «your login?»: an account login, a contract number, a domain,
 * or «no account». The value is only *claimed*: nothing here verifies ownership.
 */

/** What the answer was. */
export type LoginParse =
  | { type: "login" | "contract" | "domain"; value: string }
  | { type: "guest" }
  | { type: "invalid"; reason: "empty" | "email" | "format" };

/** The button payload for «Нет аккаунта». */
export const NO_ACCOUNT_PAYLOAD = "no_account";

/** Phrases that mean «I have no account» in either locale (compared after normalizing). */
const GUEST_PHRASES = new Set([
  "нет аккаунта",
  "у меня нет аккаунта",
  "аккаунта нет",
  "без аккаунта",
  "нет учетной записи",
  "нет логина",
  "не клиент",
  "я не клиент",
  "пока нет аккаунта",
  "нет",
  "no account",
  "i have no account",
  "i don t have an account",
  "i do not have an account",
  "no",
  "guest",
]);

/**
 * Common words that fit the login pattern but are obviously not logins; re-asking beats
 * recording «hello» as a claimed login.
 */
const NOT_LOGINS = new Set([
  "hi",
  "hello",
  "hey",
  "help",
  "start",
  "ok",
  "okay",
  "yes",
  "test",
  "login",
  "admin",
]);

/** A hosting login: starts with a Latin letter, then letters, digits, `-` or `_`; 2–32 characters. */
const LOGIN = /^[a-z][a-z0-9_-]{1,31}$/;

/**
 * A contract number: digits, optionally after a short Cyrillic prefix with a dash («Д-12345») or a
 * «№», optionally with a year or sub-number after a slash or dash.
 */
const CONTRACT = /^(?:[а-я]{1,4}-?)?\d{4,12}(?:[-/]\d{1,6})?$/;

/** A domain: dot-separated labels, Latin, Cyrillic or punycode, with a letter TLD (e.g. `.рф`). */
const DOMAIN = /^(?:[a-z0-9а-я](?:[a-z0-9а-я-]{0,61}[a-z0-9а-я])?\.)+(?:[a-zа-я]{2,63}|xn--[a-z0-9-]{1,59})$/;

/** Lead-in words people type before the value: «мой логин:», «договор №», «domain:». */
const LEAD_IN =
  /^(?:(?:мой|my|наш|our)\s+)?(?:логин(?:\s+аккаунта)?|login|аккаунт|account|номер\s+договора|договор|contract(?:\s+number)?|домен|domain|сайт|site)\s*(?:[:—–-]\s*|№\s*|\s+)/;

/** Normalizes for comparison: lower case, «ё» folded, inner whitespace collapsed, edges trimmed. */
function clean(text: string): string {
  return text.toLowerCase().replace(/ё/g, "е").replace(/\s+/g, " ").trim();
}

/** Parses a login answer (text or button payload). */
export function parseLogin(input: string): LoginParse {
  if (input === NO_ACCOUNT_PAYLOAD) return { type: "guest" };
  const plain = clean(input)
    .replace(/[.!?,;]+$/, "")
    .trim();
  if (plain.length === 0) return { type: "invalid", reason: "empty" };
  const phrase = plain.replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  if (GUEST_PHRASES.has(phrase)) return { type: "guest" };

  let value = plain.replace(LEAD_IN, "").replace(/^["'«]+|["'»]+$/g, "");
  value = value.replace(/^№\s*/, "");
  if (/^\S+@\S+\.\S+$/.test(value)) return { type: "invalid", reason: "email" };

  // A pasted address: keep only the host part.
  const url = /^(?:https?:\/\/)?(?:www\.)?([^/\s?#]+)[/?#]?\S*$/.exec(value);
  const host = url?.[1]?.replace(/\.$/, "");
  if (host?.includes(".") && DOMAIN.test(host)) return { type: "domain", value: host };

  const compact = value.replace(/\s+/g, "");
  // Upper case, as contracts are printed («Д-12345»).
  if (CONTRACT.test(compact)) return { type: "contract", value: compact.toUpperCase() };
  if (LOGIN.test(value) && !NOT_LOGINS.has(value)) return { type: "login", value };
  return { type: "invalid", reason: "format" };
}
