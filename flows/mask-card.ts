/**
 * Bank card numbers and CVV codes in a customer's text, for `mask` (flows/mask.ts). Pure.
 */

/** Luhn checksum over a string of ASCII digits. */
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

/** Spaces inside a line: ordinary, no-break (U+00A0, U+202F), figure and other typographic ones. */
const H = String.raw`[ \t\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]`;

/**
 * A run of digit groups: any decimal digits (full-width ones too), with the separators people put
 * between a card's groups when they type or paste it: up to three spaces of any kind, a dot or a dash,
 * or one line break (a number pasted over two lines).
 */
const DIGIT_RUN = new RegExp(
  String.raw`\p{Nd}+(?:(?:${H}{1,3}|${H}?[.\-]${H}?|${H}*\r?\n${H}*)\p{Nd}+)*`,
  "gu",
);

/** One group of digits inside a run. */
const GROUP = /\p{Nd}+/gu;

/** Zeros of the decimal digit blocks NFKC does not fold to ASCII (Arabic-Indic, Devanagari…). */
const DIGIT_ZEROS = [0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66];

/** ASCII digits of a group of any decimal digits (full-width `４` is `4`); "" if a digit is unknown. */
function asciiDigits(group: string): string {
  let out = "";
  for (const ch of group) {
    const folded = ch.normalize("NFKC");
    if (folded >= "0" && folded <= "9" && folded.length === 1) {
      out += folded;
      continue;
    }
    const cp = ch.codePointAt(0) ?? 0;
    const zero = DIGIT_ZEROS.find((z) => cp >= z && cp <= z + 9);
    if (zero === undefined) return "";
    out += String(cp - zero);
  }
  return out;
}

interface Group {
  digits: string;
  start: number;
  end: number;
  /** Whether a line break separates this group from the one before. */
  afterBreak: boolean;
}

/**
 * Whether consecutive groups look like one card number as people write it: all in one piece; groups of
 * four (the last one shorter); Amex/Diners 4-6-5 or 4-6-4; or one number broken over two lines after a
 * whole number of fours. The shapes keep a ticket number next to a phone number, or two dates, from
 * being glued into a «card».
 */
function cardShaped(groups: Group[]): boolean {
  const lengths = groups.map((g) => g.digits.length);
  const last = lengths[lengths.length - 1] ?? 0;
  if (groups.length === 1) return true;
  if (lengths.slice(0, -1).every((l) => l === 4) && last >= 1 && last <= 4) return true;
  if (lengths.length === 3 && lengths[0] === 4 && lengths[1] === 6 && (last === 4 || last === 5)) return true;
  const [first, second] = groups;
  return (
    groups.length === 2 &&
    first !== undefined &&
    second?.afterBreak === true &&
    first.digits.length % 4 === 0 &&
    // Two numbers on two lines (a list of order numbers) pass Luhn one time in ten: only an issuer's
    // prefix makes them a card.
    CARD_ISSUER.test(first.digits)
  );
}

/** Prefixes of the cards customers pay with: Visa, Mastercard, Mir, Amex, UnionPay. */
const CARD_ISSUER = /^(?:4|5[1-5]|220[0-4]|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720|3[47]|62)/;

/** Finds the card numbers among a run's groups: the longest Luhn-valid, card-shaped window first. */
function cardsIn(groups: Group[]): { start: number; end: number; last4: string }[] {
  const found: { start: number; end: number; last4: string }[] = [];
  let i = 0;
  while (i < groups.length) {
    let matched = 0;
    let digits = "";
    for (let j = i; j < groups.length; j++) {
      digits += groups[j]?.digits ?? "";
      if (digits.length > 19) break;
      const window = groups.slice(i, j + 1);
      if (digits.length >= 13 && cardShaped(window) && luhnValid(digits)) matched = j - i + 1;
    }
    if (matched === 0) {
      i += 1;
      continue;
    }
    const window = groups.slice(i, i + matched);
    const all = window.map((g) => g.digits).join("");
    found.push({ start: window[0]?.start ?? 0, end: window.at(-1)?.end ?? 0, last4: all.slice(-4) });
    i += matched;
  }
  return found;
}

/**
 * How many characters may be decimal digits: ASCII and full-width ones, any letter-range character of
 * the other digit blocks, and every astral character (mathematical digits live there). An upper bound.
 */
function digitCount(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 48 && c <= 57) || (c >= 0xff10 && c <= 0xff19) || (c >= 0xd800 && c <= 0xdbff)) n++;
    else if (c >= 0x660 && DIGIT_ZEROS.some((z) => c >= z && c <= z + 9)) n++;
  }
  return n;
}

/** CVV/CVC codes given with their label. */
const CVV = /(?<![\p{L}])((?:cvv2?|cvc2?|cvv\/cvc|свв|код безопасности)\s*[:=-]?\s*)(\d{3,4})(?!\d)/giu;

/**
 * Replaces Luhn-valid card numbers by `**** **** **** 1234` (the last four are kept, as on receipts,
 * so the customer and the agent can tell cards apart) and labelled CVV codes by `***`.
 */
export function maskCards(text: string): { text: string; masked: boolean } {
  const digits = digitCount(text);
  // Most messages hold no more than a few digits: no card, no CVV, and no regular expression to run.
  if (digits < 3) return { text, masked: false };
  let masked = false;
  let out =
    digits < 13
      ? text
      : text.replace(DIGIT_RUN, (run) => {
          const groups: Group[] = [];
          for (const m of run.matchAll(GROUP)) {
            const start = m.index ?? 0;
            const previousEnd = groups.at(-1)?.end ?? 0;
            groups.push({
              digits: asciiDigits(m[0]),
              start,
              end: start + m[0].length,
              afterBreak: groups.length > 0 && run.slice(previousEnd, start).includes("\n"),
            });
          }
          // A digit of an unknown script makes the run unreadable as a number: leave it.
          if (groups.some((g) => g.digits === "")) return run;
          const cards = cardsIn(groups);
          if (cards.length === 0) return run;
          masked = true;
          let result = "";
          let at = 0;
          for (const card of cards) {
            result += `${run.slice(at, card.start)}**** **** **** ${card.last4}`;
            at = card.end;
          }
          return result + run.slice(at);
        });
  out = out.replace(CVV, (_whole, label: string) => {
    masked = true;
    return `${label}***`;
  });
  return { text: out, masked };
}
