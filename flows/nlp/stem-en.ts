/**
 * The English stemmer: Porter2, the Snowball «english» algorithm (the 2006 definition that the
 * snowball-stemmers package implements; a golden test holds the two together). Hand-written so
 * `flows/` stays dependency-free and synchronous. Expects a lower-case word.
 */

/** Words stemmed by a table rather than by the rules. */
const EXCEPTIONS: ReadonlyMap<string, string> = new Map([
  ["skis", "ski"],
  ["skies", "sky"],
  ["dying", "die"],
  ["lying", "lie"],
  ["tying", "tie"],
  ["idly", "idl"],
  ["gently", "gentl"],
  ["ugly", "ugli"],
  ["early", "earli"],
  ["only", "onli"],
  ["singly", "singl"],
  ["sky", "sky"],
  ["news", "news"],
  ["howe", "howe"],
  ["atlas", "atlas"],
  ["cosmos", "cosmos"],
  ["bias", "bias"],
  ["andes", "andes"],
]);

/** Words left as they are once step 1a has run. */
const AFTER_STEP_1A: ReadonlySet<string> = new Set([
  "inning",
  "outing",
  "canning",
  "herring",
  "earring",
  "proceed",
  "exceed",
  "succeed",
]);

/** Prefixes after which R1 starts, whatever the letters say («generous» → R1 «ous»). */
const R1_PREFIXES = ["gener", "commun", "arsen"];

const DOUBLES: ReadonlySet<string> = new Set(["bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt"]);
const LI_ENDINGS = "cdeghkmnrt";

/** Step 2: suffix in R1 → replacement; `ogi` and `li` have conditions of their own (see `step2`). */
const STEP_2: readonly [string, string][] = sortLongestFirst([
  ["tional", "tion"],
  ["enci", "ence"],
  ["anci", "ance"],
  ["abli", "able"],
  ["entli", "ent"],
  ["izer", "ize"],
  ["ization", "ize"],
  ["ational", "ate"],
  ["ation", "ate"],
  ["ator", "ate"],
  ["alism", "al"],
  ["aliti", "al"],
  ["alli", "al"],
  ["fulness", "ful"],
  ["ousli", "ous"],
  ["ousness", "ous"],
  ["iveness", "ive"],
  ["iviti", "ive"],
  ["biliti", "ble"],
  ["bli", "ble"],
  ["ogi", "og"],
  ["fulli", "ful"],
  ["lessli", "less"],
  ["li", ""],
]);

/** Step 3: suffix in R1 → replacement; `ative` must be in R2 as well. */
const STEP_3: readonly [string, string][] = sortLongestFirst([
  ["tional", "tion"],
  ["ational", "ate"],
  ["alize", "al"],
  ["icate", "ic"],
  ["iciti", "ic"],
  ["ical", "ic"],
  ["ful", ""],
  ["ness", ""],
  ["ative", ""],
]);

/** Step 4: suffixes deleted when in R2 (`ion` only after s or t). */
const STEP_4: readonly string[] = [
  "al",
  "ance",
  "ence",
  "er",
  "ic",
  "able",
  "ible",
  "ant",
  "ement",
  "ment",
  "ent",
  "ism",
  "ate",
  "iti",
  "ous",
  "ive",
  "ize",
  "ion",
].sort((a, b) => b.length - a.length);

function sortLongestFirst(table: [string, string][]): [string, string][] {
  return [...table].sort((a, b) => b[0].length - a[0].length);
}

function isVowel(ch: string | undefined): boolean {
  return ch === "a" || ch === "e" || ch === "i" || ch === "o" || ch === "u" || ch === "y";
}

/** The longest of `suffixes` that `word` ends with. */
function longestSuffix(word: string, suffixes: readonly string[]): string | undefined {
  for (const s of suffixes) if (word.endsWith(s)) return s;
  return undefined;
}

/** Where the region after the first non-vowel following a vowel starts, from `from` on. */
function regionAfter(word: string, from: number): number {
  for (let i = from + 1; i < word.length; i++) {
    if (!isVowel(word[i]) && isVowel(word[i - 1])) return i + 1;
  }
  return word.length;
}

/**
 * Whether `word` ends in a short syllable: non-vowel, vowel, non-vowel other than w, x, Y; or, for a
 * two-letter word, vowel then non-vowel.
 */
function endsShort(word: string): boolean {
  const n = word.length;
  const [a, b, c] = [word[n - 3], word[n - 2], word[n - 1]];
  if (n >= 3 && !isVowel(a) && isVowel(b) && !isVowel(c) && c !== "w" && c !== "x" && c !== "Y") return true;
  return n === 2 && isVowel(b) && !isVowel(c);
}

/** Whether the part of `word` before `end` has a vowel. */
function hasVowel(word: string, end: number): boolean {
  for (let i = 0; i < end; i++) if (isVowel(word[i])) return true;
  return false;
}

/** Stems one lower-case English word (Porter2). */
export function stemEn(input: string): string {
  const exception = EXCEPTIONS.get(input);
  if (exception !== undefined) return exception;
  if (input.length < 3) return input;

  let w = input.startsWith("'") ? input.slice(1) : input;
  if (w.includes("y")) w = markConsonantY(w);

  const prefix = R1_PREFIXES.find((p) => w.startsWith(p));
  const r1 = prefix ? prefix.length : regionAfter(w, 0);
  const r2 = regionAfter(w, r1);

  w = step1a(w);
  if (!AFTER_STEP_1A.has(w)) {
    w = step1b(w, r1);
    w = step1c(w);
    w = step2(w, r1);
    w = step3(w, r1, r2);
    w = step4(w, r2);
    w = step5(w, r1, r2);
  }
  return w.includes("Y") ? w.replace(/Y/g, "y") : w;
}

/** A y that is a consonant (the first letter, or after a vowel) becomes Y, so no rule takes it for a vowel. */
function markConsonantY(word: string): string {
  let marked = "";
  for (let i = 0; i < word.length; i++) {
    const ch = word[i] ?? "";
    marked += ch === "y" && (i === 0 || isVowel(marked[i - 1])) ? "Y" : ch;
  }
  return marked;
}

function step1a(word: string): string {
  let w = word;
  const apostrophe = longestSuffix(w, ["'s'", "'s", "'"]);
  if (apostrophe) w = w.slice(0, -apostrophe.length);
  const suffix = longestSuffix(w, ["sses", "ied", "ies", "us", "ss", "s"]);
  switch (suffix) {
    case "sses":
      return `${w.slice(0, -4)}ss`;
    case "ied":
    case "ies":
      // «ties» → «tie», «cries» → «cri».
      return w.length > 4 ? `${w.slice(0, -3)}i` : `${w.slice(0, -3)}ie`;
    case "s":
      // Deleted when a vowel comes before the letter before it: «gaps» → «gap», «gas» stays.
      return hasVowel(w, w.length - 2) ? w.slice(0, -1) : w;
    default:
      return w;
  }
}

function step1b(w: string, r1: number): string {
  const suffix = longestSuffix(w, ["eedly", "ingly", "edly", "eed", "ing", "ed"]);
  if (suffix === undefined) return w;
  const start = w.length - suffix.length;
  if (suffix === "eed" || suffix === "eedly") return start >= r1 ? `${w.slice(0, start)}ee` : w;
  if (!hasVowel(w, start)) return w;
  const stem = w.slice(0, start);
  if (stem.endsWith("at") || stem.endsWith("bl") || stem.endsWith("iz")) return `${stem}e`;
  if (DOUBLES.has(stem.slice(-2))) return stem.slice(0, -1);
  // A short word gets its e back: «hoped» → «hope».
  if (stem.length === r1 && endsShort(stem)) return `${stem}e`;
  return stem;
}

function step1c(w: string): string {
  const last = w[w.length - 1];
  if ((last === "y" || last === "Y") && w.length > 2 && !isVowel(w[w.length - 2]))
    return `${w.slice(0, -1)}i`;
  return w;
}

function step2(w: string, r1: number): string {
  const rule = STEP_2.find(([s]) => w.endsWith(s));
  if (!rule) return w;
  const [suffix, replacement] = rule;
  const start = w.length - suffix.length;
  if (start < r1) return w;
  if (suffix === "ogi" && w[start - 1] !== "l") return w;
  if (suffix === "li" && !LI_ENDINGS.includes(w[start - 1] ?? " ")) return w;
  return w.slice(0, start) + replacement;
}

function step3(w: string, r1: number, r2: number): string {
  const rule = STEP_3.find(([s]) => w.endsWith(s));
  if (!rule) return w;
  const [suffix, replacement] = rule;
  const start = w.length - suffix.length;
  if (start < r1 || (suffix === "ative" && start < r2)) return w;
  return w.slice(0, start) + replacement;
}

function step4(w: string, r2: number): string {
  const suffix = longestSuffix(w, STEP_4);
  if (suffix === undefined) return w;
  const start = w.length - suffix.length;
  if (start < r2) return w;
  if (suffix === "ion" && w[start - 1] !== "s" && w[start - 1] !== "t") return w;
  return w.slice(0, start);
}

function step5(w: string, r1: number, r2: number): string {
  const start = w.length - 1;
  if (w.endsWith("e")) {
    const stem = w.slice(0, start);
    if (start >= r2 || (start >= r1 && !endsShort(stem))) return stem;
    return w;
  }
  if (w.endsWith("l") && start >= r2 && w[start - 1] === "l") return w.slice(0, start);
  return w;
}
