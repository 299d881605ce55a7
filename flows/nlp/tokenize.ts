/**
 * Text normalization shared by the classifier, the knowledge base and the rules: lower case,
 * «ё» folded, words split, stems taken. Pure and synchronous.
 *
 * Hot path: every customer question is classified and often looked up in the knowledge base, so
 * stems are memoized per word (a bounded map) and the last text's analysis is kept, letting the
 * classifier and the knowledge base share one pass over the same question. Both caches only
 * remember results of pure functions: they change speed, never answers.
 */
import { stemEn } from "./stem-en.js";
import { cachedIn } from "./bounded-cache.js";
import { stemRu } from "./stem-ru.js";

export { stemEn } from "./stem-en.js";

/** Words that carry no topic in either language; dropped before stemming to cut noise. */
const STOPWORDS = new Set([
  "и",
  "в",
  "во",
  "на",
  "с",
  "со",
  "к",
  "ко",
  "а",
  "о",
  "об",
  "же",
  "ли",
  "бы",
  "то",
  "это",
  "уже",
  "ну",
  "вот",
  "пожалуйста",
  "плиз",
  "здравствуйте",
  "добрый",
  "день",
  "привет",
  "спасибо",
  // Conversational filler: it carries no topic, and alone it must not look like a question.
  "так",
  "такое",
  "ладно",
  "хм",
  "ммм",
  "эх",
  "ок",
  "ok",
  "the",
  "a",
  "an",
  "to",
  "of",
  "is",
  "are",
  "please",
  "hi",
  "hello",
  "thanks",
]);

/** Lower-cases, folds «ё», and replaces everything but letters and digits with single spaces. */
export function normalize(text: string): string {
  return words(text).join(" ");
}

/**
 * The words of a text: lower case, «ё» folded, maximal runs of letters and digits (`\p{L}`,
 * `\p{N}`). The same as splitting `text.toLowerCase().replace(/ё/g, "е").replace(/[^\p{L}\p{N}]+/gu, " ")`
 * on spaces (a unit test holds it to that), in one scan over the characters instead of a Unicode
 * regular expression several times as slow.
 */
export function words(text: string): string[] {
  const s = text.toLowerCase();
  const out: string[] = [];
  let start = -1;
  let i = 0;
  while (i < s.length) {
    let code = s.charCodeAt(i);
    let width = 1;
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < s.length) {
      const low = s.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = (code - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
        width = 2;
      }
    }
    if (isWordCodePoint(code)) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      out.push(foldYo(s.slice(start, i)));
      start = -1;
    }
    i += width;
  }
  if (start >= 0) out.push(foldYo(s.slice(start)));
  return out;
}

function foldYo(word: string): string {
  return word.includes("ё") ? word.replace(/ё/g, "е") : word;
}

/** A letter or a digit, by the Unicode definition the tokenizer has always used. */
const WORD_CHAR = /^[\p{L}\p{N}]$/u;
/** Per BMP code point: 0 not looked at yet, 1 a letter or digit, 2 anything else. */
const BMP_CLASS = new Uint8Array(0x10000);
const ASTRAL_CLASS = new Map<number, boolean>();

function isWordCodePoint(code: number): boolean {
  if (code < 0x10000) {
    let k = BMP_CLASS[code];
    if (k === 0) {
      // A lone surrogate tests false here, as it matched `[^\p{L}\p{N}]` in the regular expression.
      k = WORD_CHAR.test(String.fromCharCode(code)) ? 1 : 2;
      BMP_CLASS[code] = k;
    }
    return k === 1;
  }
  let word = ASTRAL_CLASS.get(code);
  if (word === undefined) {
    word = WORD_CHAR.test(String.fromCodePoint(code));
    if (ASTRAL_CLASS.size < 4096) ASTRAL_CLASS.set(code, word);
  }
  return word;
}

/**
 * Maps one word to its feature: a stem, or a placeholder for numbers, because the digits of a
 * ticket number or an HTTP code mean nothing by themselves but their shape does.
 */
export function stemWord(word: string): string {
  if (word.length > STEM_CACHE_MAX_WORD) return computeStem(word);
  return cachedIn(STEM_CACHE, STEM_CACHE_LIMIT, word, computeStem);
}

function computeStem(word: string): string {
  if (/^\d+$/.test(word)) {
    if (word.length === 3) return "<code3>";
    if (word.length >= 4) return "<num>";
    return "<digit>";
  }
  if (/[а-я]/.test(word)) return stemRu(word);
  return stemEn(word);
}

/**
 * Words remembered by `stemWord`. Customers' vocabulary is small, so the map is nearly always a
 * hit; it is emptied when it reaches the limit, so odd input (random strings, long numbers) cannot
 * grow it without bound.
 */
export const STEM_CACHE_LIMIT = 50_000;
/** Longer "words" (a pasted key, a base64 blob) are stemmed but not remembered: they would not recur. */
export const STEM_CACHE_MAX_WORD = 40;
const STEM_CACHE = new Map<string, string>();

/** The stems of a text's words, stop words dropped. */
export function stems(text: string): string[] {
  return stemsOf(words(text));
}

function stemsOf(list: readonly string[]): string[] {
  const out: string[] = [];
  for (const w of list) if (!STOPWORDS.has(w)) out.push(stemWord(w));
  return out;
}

/**
 * One text, analysed once for everyone who reads it: the rules read `normalized`, the classifier
 * and the knowledge base read `stems`. Treat it as immutable: it may be shared between callers.
 */
export interface Analysis {
  /** The text as given. */
  readonly text: string;
  /** `normalize(text)`. */
  readonly normalized: string;
  /** `stems(text)`: in text order, repeats kept. */
  readonly stems: readonly string[];
}

/** The analysis of `text` whose words were already read (and possibly repaired) by the caller. */
export function analysisFromWords(text: string, list: readonly string[]): Analysis {
  return { text, normalized: list.join(" "), stems: stemsOf(list) };
}

/** The last text analysed: the flow classifies a question and then looks the same text up. */
let lastAnalysis: Analysis | undefined;

/** Normalizes and stems `text`; the same text twice in a row is analysed once. */
export function analyze(text: string): Analysis {
  if (lastAnalysis !== undefined && lastAnalysis.text === text) return lastAnalysis;
  const list = words(text);
  lastAnalysis = { text, normalized: list.join(" "), stems: stemsOf(list) };
  return lastAnalysis;
}

/** A text or its analysis, as the classifier and the knowledge base accept them. */
export type TextInput = string | Analysis;

/** The analysis of `input`, computing it only when given a plain string. */
export function analysisOf(input: TextInput): Analysis {
  return typeof input === "string" ? analyze(input) : input;
}

/** Empties the stem and last-text caches (for tests and cold-cache measurements). */
export function clearTextCaches(): void {
  STEM_CACHE.clear();
  lastAnalysis = undefined;
}

/** How many words the stem cache holds now (for tests). */
export function stemCacheSize(): number {
  return STEM_CACHE.size;
}
