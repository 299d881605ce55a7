/**
 * The fast text path (one-scan tokenizer, memoized stems, shared analysis, precomputed naive Bayes
 * and knowledge-base index) against plain reference implementations of the same definitions:
 * the speed-ups must never change an answer, down to the last bit of a score.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import { createClassifier } from "../../../flows/classifier/index.js";
import { features, NB_ALPHA, NB_SHARPNESS, trainNaiveBayes } from "../../../flows/classifier/naive-bayes.js";
import { matchAccountRule } from "../../../flows/classifier/rules.js";
import { TRAINING } from "../../../flows/classifier/training.js";
import {
  defaultKnowledgeBase,
  type KnowledgeEntry,
  type KnowledgeMatch,
  loadKnowledgeBase,
  MIN_KB_SCORE,
} from "../../../flows/knowledge-base.js";
import { stemRu } from "../../../flows/nlp/stem-ru.js";
import {
  analyze,
  clearTextCaches,
  normalize,
  STEM_CACHE_LIMIT,
  STEM_CACHE_MAX_WORD,
  stemCacheSize,
  stems,
  stemWord,
  words,
} from "../../../flows/nlp/tokenize.js";

const HOLDOUT = resolve(dirname(fileURLToPath(import.meta.url)), "../fixtures/intents.own-holdout.jsonl");

/** Training lines, knowledge-base questions, the own hold-out, and a few odd inputs. */
function sampleTexts(): string[] {
  const texts: string[] = Object.values<readonly string[]>(TRAINING).flat();
  for (const entry of defaultKnowledgeBase().entries) texts.push(...entry.questions);
  for (const line of readFileSync(HOLDOUT, "utf8").split("\n")) {
    if (line.trim() !== "") texts.push((JSON.parse(line) as { text: string }).text);
  }
  texts.push("", "  ", "!!!", "123", "12345", "Ёлки-ПАЛКИ", "ok ok", "the a an", "спасибо!", "абракадабра");
  // Longer texts with repeated stems (both the classifier's bigrams and the KB's sets see repeats).
  const n = texts.length;
  for (let i = 0; i + 1 < n; i += 5) texts.push(`${texts[i]} ${texts[i + 1]} ${texts[i]}`);
  return texts;
}

/** The tokenizer's definition, as a regular expression. */
function referenceNormalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/ё/g, "е")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

describe("tokenizer", () => {
  it("splits words exactly as the Unicode regular expression does", () => {
    const odd = [
      "Привет, МИР! ёж Ёж — «кавычки» № 5…",
      "日本語 テキスト ١٢٣ Ⅻ ² ½ ǅ İstanbul ß ΣΑΣ",
      "emoji 😀 math 𝐀𝐁 lone \ud800 high \udfff low \ud83d",
      "tabs\tand\nnew\u00a0lines\ufeffbom",
      "combining й and а\u0301 ҂ \u0483",
      "",
      "   ",
    ];
    for (const text of [...odd, ...sampleTexts()]) {
      const expected = referenceNormalize(text);
      expect(normalize(text)).toBe(expected);
      expect(words(text)).toEqual(expected === "" ? [] : expected.split(" "));
    }
  });

  it("classifies every BMP code point as the regular expression does", () => {
    const mismatches: number[] = [];
    for (let code = 0; code < 0x10000; code++) {
      const text = `a${String.fromCharCode(code)}b`;
      if (normalize(text) !== referenceNormalize(text)) mismatches.push(code);
    }
    expect(mismatches).toEqual([]);
  });
});

describe("stem cache", () => {
  beforeEach(() => clearTextCaches());

  it("returns what the stemmer returns, cached or not", () => {
    const all = sampleTexts().flatMap((t) => words(t));
    const cold = all.map((w) => stemWord(w));
    const warm = all.map((w) => stemWord(w));
    expect(warm).toEqual(cold);
    for (const w of all) if (/^[а-я]+$/.test(w)) expect(stemWord(w)).toBe(stemRu(w));
  });

  it("stays bounded however many distinct words it sees", () => {
    for (let i = 0; i < STEM_CACHE_LIMIT + 1_000; i++) stemWord(`слово${i}x`);
    expect(stemCacheSize()).toBeGreaterThan(0);
    expect(stemCacheSize()).toBeLessThanOrEqual(STEM_CACHE_LIMIT);
    expect(stemWord("работающими")).toBe(stemRu("работающими"));
  });

  it("does not remember very long words", () => {
    const long = "а".repeat(STEM_CACHE_MAX_WORD + 1);
    stemWord(long);
    expect(stemCacheSize()).toBe(0);
  });
});

describe("shared analysis", () => {
  it("normalizes and stems once per text, with the same results as the separate functions", () => {
    for (const text of sampleTexts()) {
      const a = analyze(text);
      expect(analyze(text)).toBe(a);
      expect(a.text).toBe(text);
      expect(a.normalized).toBe(normalize(text));
      expect(a.stems).toEqual(stems(text));
    }
  });

  it("gives the classifier and the rules the same answers for a text and its analysis", () => {
    const classifier = createClassifier();
    for (const text of sampleTexts()) {
      const fromText = classifier.classify(text);
      clearTextCaches();
      expect(classifier.classify(classifier.read(text))).toEqual(fromText);
      expect(matchAccountRule(analyze(text))).toBe(matchAccountRule(text));
    }
  });

  it("gives the knowledge base the same answer for a text and its analysis", () => {
    const kb = defaultKnowledgeBase();
    for (const text of sampleTexts()) {
      const fromText = kb.find(text);
      clearTextCaches();
      expect(kb.find(analyze(text))).toEqual(fromText);
    }
  });
});

describe("naive Bayes with precomputed log-likelihoods", () => {
  /** The model as a direct reading of its definition: counts, then a logarithm per feature. */
  function referenceModel() {
    const labels = Object.keys(TRAINING) as (keyof typeof TRAINING)[];
    const counts = new Map<string, Map<string, number>>();
    const totals = new Map<string, number>();
    const vocabulary = new Set<string>();
    for (const label of labels) {
      const table = new Map<string, number>();
      let total = 0;
      for (const example of TRAINING[label]) {
        for (const f of features(example)) {
          table.set(f, (table.get(f) ?? 0) + 1);
          vocabulary.add(f);
          total++;
        }
      }
      counts.set(label, table);
      totals.set(label, total);
    }
    return (text: string) => {
      const fs = features(text).filter((f) => vocabulary.has(f));
      const knownWords = fs.filter((f) => !f.includes("_")).length;
      const logs = labels.map((label) => {
        const table = counts.get(label) ?? new Map<string, number>();
        const denominator = (totals.get(label) ?? 0) + NB_ALPHA * vocabulary.size;
        let sum = 0;
        for (const f of fs) sum += Math.log(((table.get(f) ?? 0) + NB_ALPHA) / denominator);
        return fs.length === 0 ? 0 : (sum / fs.length) * NB_SHARPNESS * Math.sqrt(fs.length);
      });
      const max = Math.max(...logs);
      const exps = logs.map((l) => Math.exp(l - max));
      const z = exps.reduce((a, b) => a + b, 0);
      const ranked = labels
        .map((label, i) => ({ label, score: (exps[i] ?? 0) / z }))
        .sort((a, b) => b.score - a.score);
      return { ranked, knownWords };
    };
  }

  it("scores every text exactly as the definition does", () => {
    const model = trainNaiveBayes(TRAINING);
    const reference = referenceModel();
    for (const text of sampleTexts()) expect(model.predict(text)).toEqual(reference(text));
  });
});

describe("knowledge base with a precomputed index", () => {
  /** The lookup as a direct reading of its definition: every question, IDF computed on the spot. */
  function referenceFinder(raw: readonly KnowledgeEntry[]) {
    const indexed = raw.map((entry) => ({ entry, questions: entry.questions.map((q) => new Set(stems(q))) }));
    const df = new Map<string, number>();
    for (const item of indexed) {
      for (const s of new Set(item.questions.flatMap((q) => [...q]))) df.set(s, (df.get(s) ?? 0) + 1);
    }
    const idf = (s: string): number => Math.log(1 + raw.length / (df.get(s) ?? 0.5));
    return (text: string): { id: string; score: number } | undefined => {
      const query = new Set(stems(text));
      if (query.size === 0) return undefined;
      let best: { id: string; score: number } | undefined;
      for (const item of indexed) {
        for (const q of item.questions) {
          let shared = 0;
          let qWeight = 0;
          let dWeight = 0;
          for (const s of query) {
            const w = idf(s);
            qWeight += w;
            if (q.has(s)) shared += w;
          }
          for (const s of q) dWeight += idf(s);
          // Weighted Dice, or 0.8 × how much of the KB question the message covers.
          const score = Math.max((2 * shared) / (qWeight + dWeight), 0.8 * (shared / (dWeight || 1)));
          if (!best || score > best.score) best = { id: item.entry.id, score };
        }
      }
      return best && best.score >= MIN_KB_SCORE ? best : undefined;
    };
  }

  const brief = (m: KnowledgeMatch | undefined) => m && { id: m.entry.id, score: m.score };

  it("finds the same entry with the same score as the definition", () => {
    const kb = defaultKnowledgeBase();
    const reference = referenceFinder(kb.entries);
    for (const text of sampleTexts()) expect(brief(kb.find(text))).toEqual(reference(text));
  });

  it("breaks a tie in favour of the first entry, as before", () => {
    const answer = { ru: "Ответ про заявки.", en: "About tickets, an answer." };
    const raw = [
      { id: "first", questions: ["сколько ждать заявку"], answer },
      { id: "second", questions: ["сколько ждать заявку"], answer },
    ];
    const kb = loadKnowledgeBase(raw);
    expect(kb.find("сколько ждать заявку")?.entry.id).toBe("first");
    expect(brief(kb.find("ждать"))).toEqual(referenceFinder(raw)("ждать"));
  });
});
