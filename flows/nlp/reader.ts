/**
 * Reads a customer message once for everyone downstream: which language it is in (Russian, English,
 * or Russian typed in Latin letters), its words with translit turned back into Cyrillic and typos
 * repaired, and their stems. The rules, the model and the knowledge base all read this, so a typo
 * or translit is handled in one place.
 */
import { cachedIn } from "./bounded-cache.js";
import { createSpeller, type Speller } from "./spell.js";
import { type Analysis, analysisFromWords, stemWord, words } from "./tokenize.js";
import { isLatinWord, translitWord } from "./translit.js";

/** A message as the classifier reads it. */
export interface Reading extends Analysis {
  /**
   * The language the customer wrote in: `ru` for Cyrillic or translit, `en` for English, and
   * undefined when the text says nothing (a login, a number, an emoji).
   */
  readonly language?: "ru" | "en";
  /** True when Latin letters were read as Russian translit. */
  readonly translit: boolean;
}

/** Reads messages; build once (it indexes the vocabulary). */
export interface Reader {
  read(text: string): Reading;
}

/** The words the reader knows, per language (any forms: they are stemmed here). */
export interface ReaderVocabulary {
  ru: Iterable<string>;
  en: Iterable<string>;
}

const CYRILLIC = /[а-яе]/;

/** English words that customers use but a support-topic vocabulary may lack. */
const EN_COMMON = [
  "i",
  "my",
  "me",
  "you",
  "your",
  "we",
  "our",
  "it",
  "is",
  "are",
  "was",
  "were",
  "not",
  "no",
  "yes",
  "do",
  "does",
  "did",
  "can",
  "could",
  "would",
  "will",
  "how",
  "what",
  "where",
  "when",
  "why",
  "which",
  "who",
  "hello",
  "hi",
  "hey",
  "thanks",
  "thank",
  "please",
  "ok",
  "okay",
  "bye",
  "good",
  "morning",
  "evening",
  "help",
  "need",
  "want",
  "have",
  "has",
  "there",
  "this",
  "that",
  "with",
  "for",
  "from",
  "and",
  "or",
  "but",
  "the",
  "a",
  "an",
  "of",
  "to",
  "in",
  "on",
  "at",
  "be",
  "been",
  "get",
  "got",
];

function counts(lines: Iterable<string>): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of lines) for (const w of words(line)) out.set(w, (out.get(w) ?? 0) + 1);
  return out;
}

/** Builds a reader from the words of the training set and the knowledge base. */
export function createReader(vocabulary: ReaderVocabulary): Reader {
  const ru = counts(vocabulary.ru);
  const en = counts([...vocabulary.en, EN_COMMON.join(" ")]);
  const ruStems = new Set([...ru.keys()].map(stemWord));
  const enStems = new Set([...en.keys()].map(stemWord));
  const all = new Map([...en, ...ru]);
  const speller: Speller = createSpeller({
    words: all,
    knownStem: (w) => (CYRILLIC.test(w) ? ruStems : enStems).has(stemWord(w)),
  });
  const isEnglish = (w: string): boolean => en.has(w) || enStems.has(stemWord(w));
  const isRussian = (w: string): boolean => {
    const c = translitWord(w);
    return ru.has(c) || ruStems.has(stemWord(c)) || ru.has(speller.repair(c));
  };
  /** Which language a Latin word belongs to (English first), remembered: it is asked on every message. */
  const latinVerdicts = new Map<string, "en" | "ru" | "none">();
  const verdictOf = (w: string): "en" | "ru" | "none" =>
    cachedIn(latinVerdicts, 20_000, w, (x) => (isEnglish(x) ? "en" : isRussian(x) ? "ru" : "none"));

  let last: Reading | undefined;
  return {
    read(text) {
      if (last !== undefined && last.text === text) return last;
      let list = words(text);
      let language: "ru" | "en" | undefined;
      let translit = false;
      if (list.some((w) => CYRILLIC.test(w))) {
        language = "ru";
      } else {
        // One-letter words (i, a, u) are words in both languages: they decide nothing.
        let enHits = 0;
        let ruHits = 0;
        for (const w of list) {
          if (w.length < 2 || !isLatinWord(w)) continue;
          const verdict = verdictOf(w);
          if (verdict === "en") enHits += 1;
          else if (verdict === "ru") ruHits += 1;
        }
        if (ruHits > enHits) {
          language = "ru";
          translit = true;
          list = list.map((w) => (isLatinWord(w) ? translitWord(w) : w));
        } else if (enHits > 0) {
          language = "en";
        }
      }
      // Typos are repaired in Russian only: English inflections (changed, sites) are not typos.
      list = list.map((w) => (CYRILLIC.test(w) ? speller.repair(w) : w));
      const analysis = analysisFromWords(text, list);
      last = language === undefined ? { ...analysis, translit } : { ...analysis, language, translit };
      return last;
    },
  };
}
