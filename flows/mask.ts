/**
 * Masks secrets a customer pastes (passwords, bank card numbers) before anything is stored,
 * logged or shown to an agent (DESIGN invariant 5). Pure: the same text always masks the same way.
 */

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

/** What replaces a password. */
export const PASSWORD_MASK = "********";

/** Words that introduce a password, in both locales (and the usual shorthands). */
const PASSWORD_WORD = "(?:парол[ьяею]|пасс|pass(?:word|wd)?|pwd)";

/**
 * A keyword, up to three qualifying words («от панели», «for ftp»), then an explicit separator
 * (`:`, `=`, a dash, «is», «это»), then the secret: with a separator, whatever follows is taken as
 * the password, because people type anything after «пароль:».
 */
const WITH_SEPARATOR = new RegExp(
  String.raw`(?<![\p{L}\p{N}])(${PASSWORD_WORD}(?:\s+[\p{L}\p{N}_.-]+){0,3}?(\s*[:=]|\s[-—–]|\s(?:is|это|такой|будет)(?:\s*[:=-])?)\s*)([^\s,;]+)`,
  "giu",
);

/**
 * A keyword followed by up to four words: one of them is masked only when it looks like a secret
 * (has a digit or a symbol, mixes case, or is Latin after a Russian keyword) and comes right after
 * the keyword or after a short qualifier («от почтового ящика»), so «пароль от панели» or
 * «password reset» stay readable.
 */
const WITHOUT_SEPARATOR = new RegExp(String.raw`(?<![\p{L}\p{N}])(${PASSWORD_WORD})((?:\s+\S+){1,4})`, "giu");

/** Prepositions that start a qualifier after the keyword: «пароль от …», «password for …». */
const QUALIFIER_START = new Set(["от", "для", "for", "to", "of", "from"]);

/** Words after a password keyword that are never the password itself. */
const NOT_A_SECRET = new Set([
  "от",
  "для",
  "к",
  "на",
  "не",
  "из",
  "в",
  "и",
  "сменить",
  "поменять",
  "for",
  "to",
  "of",
  "from",
  "reset",
  "change",
  "and",
  "not",
  "my",
  "is",
  "это",
  "такой",
  "будет",
  "wrong",
  "incorrect",
  "invalid",
  "expired",
  "неверный",
  "неправильный",
]);

/** An email address or a domain is what a password is *for*, not the password itself. */
const ADDRESS_LIKE = /^(?:[^@\s]+@)?[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}$/u;

function looksLikeSecret(keyword: string, word: string): boolean {
  const bare = word.replace(/[.,!?:=)»"'-]+$/u, "");
  if (bare.length < 3 || NOT_A_SECRET.has(bare.toLowerCase()) || ADDRESS_LIKE.test(bare)) return false;
  if (/\d/.test(bare) || /[^\p{L}\p{N}]/u.test(bare)) return true;
  if (/\p{Lu}/u.test(bare.slice(1)) && /\p{Ll}/u.test(bare)) return true;
  // A Latin word after a Russian keyword: «пароль qwerty» is almost surely the password.
  return /[а-яё]/i.test(keyword) && /^[a-z]+$/i.test(bare);
}

/** Luhn checksum over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * Candidate card numbers: 13–19 digits written together, or in groups split by single spaces or
 * dashes. Groups must look like a card's (all but the last of four digits, or Amex/Diners 4-6-x),
 * so a ticket number next to a phone number does not glue into a «card».
 */
const CARD_CANDIDATE = /(?<![\d])\d(?:[ -]?\d){12,18}(?![\d])/g;

function cardShaped(raw: string): boolean {
  const digits = raw.replace(/\D/g, "");
  if (digits.length < 13 || digits.length > 19) return false;
  const groups = raw.split(/[ -]/);
  if (groups.length === 1) return true;
  const lengths = groups.map((g) => g.length);
  const last = lengths[lengths.length - 1] ?? 0;
  const fours = lengths.slice(0, -1).every((l) => l === 4) && last >= 1 && last <= 4;
  const amex = lengths.length === 3 && lengths[0] === 4 && lengths[1] === 6 && (last === 4 || last === 5);
  return fours || amex;
}

/** CVV/CVC codes given with their label. */
const CVV = /(?<![\p{L}])((?:cvv2?|cvc2?|cvv\/cvc|свв|код безопасности)\s*[:=-]?\s*)(\d{3,4})(?!\d)/giu;

/** Masks passwords and Luhn-valid card numbers in `text`. */
export function mask(text: string): MaskResult {
  const kinds = new Set<MaskKind>();

  let out = text.replace(CARD_CANDIDATE, (raw) => {
    const digits = raw.replace(/\D/g, "");
    if (!cardShaped(raw) || !luhnValid(digits)) return raw;
    kinds.add("card");
    // The last four digits are kept (as on receipts) so the customer and agent can tell cards apart.
    return `**** **** **** ${digits.slice(-4)}`;
  });
  out = out.replace(CVV, (_whole, label: string) => {
    kinds.add("card");
    return `${label}***`;
  });

  out = out.replace(WITH_SEPARATOR, (whole, lead: string, separator: string, secret: string) => {
    if (secret === PASSWORD_MASK) return whole;
    // A word separator («is», «это») is also ordinary speech: «password is wrong» hides nothing.
    const wordSeparator = /\p{L}$/u.test(separator.trim());
    if (wordSeparator && NOT_A_SECRET.has(secret.replace(/[.,!?]+$/u, "").toLowerCase())) return whole;
    kinds.add("password");
    return lead + PASSWORD_MASK;
  });
  out = out.replace(WITHOUT_SEPARATOR, (whole, keyword: string, tail: string) => {
    const parts = tail.split(/(\s+)/);
    // parts alternate: "", space, word, space, word… ; words sit at even indexes from 2.
    const tokens: { index: number; word: string }[] = [];
    for (let i = 2; i < parts.length; i += 2) tokens.push({ index: i, word: parts[i] ?? "" });
    const first = tokens[0]?.word.toLowerCase() ?? "";
    // Right after the keyword, or after «от/for» plus one or two words of qualifier.
    const candidates = QUALIFIER_START.has(first) ? tokens.slice(2, 4) : tokens.slice(0, 1);
    for (const c of candidates) {
      if (c.word === PASSWORD_MASK) return whole;
      if (looksLikeSecret(keyword, c.word)) {
        kinds.add("password");
        parts[c.index] = PASSWORD_MASK;
        return keyword + parts.join("");
      }
    }
    return whole;
  });

  const ordered = (["password", "card"] as const).filter((k) => kinds.has(k));
  return { text: out, masked: ordered.length > 0, kinds: ordered };
}
