/**
 * Text normalization shared by the classifier, the knowledge base and the rules: lower case,
 * «ё» folded, words split, stems taken. Pure and synchronous.
 */
import { stemRu } from "./stem-ru.js";

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
  return text
    .toLowerCase()
    .replace(/ё/g, "е")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** Splits normalized text into words (letters or digits). */
export function words(text: string): string[] {
  const n = normalize(text);
  return n.length === 0 ? [] : n.split(" ");
}

/** A light English stemmer: enough to join «sites/site», «working/work», «renewed/renew». */
export function stemEn(word: string): string {
  for (const suffix of ["ing", "ed", "es", "ly", "s"]) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3) return word.slice(0, -suffix.length);
  }
  return word;
}

/**
 * Maps one word to its feature: a stem, or a placeholder for numbers, because the digits of a
 * ticket number or an HTTP code mean nothing by themselves but their shape does.
 */
export function stemWord(word: string): string {
  if (/^\d+$/.test(word)) {
    if (word.length === 3) return "<code3>";
    if (word.length >= 4) return "<num>";
    return "<digit>";
  }
  if (/[а-я]/.test(word)) return stemRu(word);
  return stemEn(word);
}

/** The stems of a text's words, stop words dropped. */
export function stems(text: string): string[] {
  return words(text)
    .filter((w) => !STOPWORDS.has(w))
    .map(stemWord);
}
