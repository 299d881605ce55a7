/**
 * Russian typed in Latin letters («sait ne rabotaet», «kak pomenyat parol»): customers on a phone
 * without a Cyrillic keyboard write like this, and they still want a Russian answer. This module
 * turns such a word back into Cyrillic; `language.ts` decides whether a text is translit at all.
 */

/** Letter groups first (longest wins), then single letters. Covers the common informal schemes. */
const GROUPS: readonly [string, string][] = [
  ["shch", "щ"],
  ["tsya", "тся"],
  ["tsja", "тся"],
  ["sch", "щ"],
  ["zh", "ж"],
  ["kh", "х"],
  ["ch", "ч"],
  ["sh", "ш"],
  ["ts", "ц"],
  ["yu", "ю"],
  ["ya", "я"],
  ["yo", "е"],
  ["ye", "е"],
  ["ju", "ю"],
  ["ja", "я"],
  ["jo", "е"],
  ["iu", "ю"],
  ["ia", "я"],
];

const SINGLE: Record<string, string> = {
  a: "а",
  b: "б",
  v: "в",
  w: "в",
  g: "г",
  d: "д",
  e: "е",
  z: "з",
  i: "и",
  j: "й",
  k: "к",
  q: "к",
  l: "л",
  m: "м",
  n: "н",
  o: "о",
  p: "п",
  r: "р",
  s: "с",
  t: "т",
  u: "у",
  f: "ф",
  h: "х",
  c: "ц",
  x: "кс",
  "'": "ь",
};

const VOWELS = new Set(["a", "e", "i", "o", "u", "y"]);

/**
 * A Latin word in Cyrillic letters: «rabotaet» → «работает», «moy» → «мой», «vy» → «вы».
 * `y` after a vowel is «й» (sayt, kakoy), elsewhere «ы»; digits and other letters pass through.
 */
export function translitWord(word: string): string {
  let out = "";
  let i = 0;
  while (i < word.length) {
    let matched = false;
    for (const [latin, cyr] of GROUPS) {
      if (word.startsWith(latin, i)) {
        out += cyr;
        i += latin.length;
        matched = true;
        break;
      }
    }
    if (matched) continue;
    const ch = word[i] ?? "";
    const prev = word[i - 1];
    const next = word[i + 1];
    if (ch === "y") {
      out += prev !== undefined && VOWELS.has(prev) ? "й" : "ы";
    } else if (
      ch === "i" &&
      prev !== undefined &&
      VOWELS.has(prev) &&
      next !== undefined &&
      !VOWELS.has(next)
    ) {
      // «sait», «zaiti»: an i between a vowel and a consonant is «й».
      out += "й";
    } else {
      out += SINGLE[ch] ?? ch;
    }
    i += 1;
  }
  return out;
}

/** True when a word is made of Latin letters only (a candidate for transliteration). */
export function isLatinWord(word: string): boolean {
  return /^[a-z']+$/.test(word);
}
