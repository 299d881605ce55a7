/**
 * A multinomial naive Bayes text classifier over stems and stem bigrams. Hand-written because the
 * `Classifier` seam is synchronous and `flows/` must stay pure: it trains in a few milliseconds at
 * load time and classifies without I/O or promises.
 */
import { stems } from "../nlp/tokenize.js";

/** Additive (Laplace) smoothing: small, because a few dozen examples per class make counts sparse. */
export const NB_ALPHA = 0.3;

/**
 * Scales the per-feature mean log-likelihood before the softmax that gives a confidence: the
 * naive independence assumption makes raw posteriors wildly overconfident, and averaging per
 * feature keeps a two-word message and a paragraph on the same scale.
 */
export const NB_SHARPNESS = 2;

/** Features of a text: stems plus adjacent stem pairs (so «не работает» differs from «работает»). */
export function features(text: string): string[] {
  const s = stems(text);
  const out = [...s];
  for (let i = 0; i + 1 < s.length; i++) out.push(`${s[i]}_${s[i + 1]}`);
  return out;
}

/** One scored label. */
export interface Scored<L extends string> {
  label: L;
  /** Softmax over sharpened per-feature log-likelihoods: sums to 1 over labels. */
  score: number;
}

/** A trained model. */
export interface NaiveBayesModel<L extends string> {
  labels: readonly L[];
  /**
   * Scores every label, best first. `knownWords` counts the text's stems seen in training: with
   * none, the scores are uniform and mean nothing.
   */
  predict(text: string): { ranked: Scored<L>[]; knownWords: number };
}

/** Trains a model from labelled examples. Priors are uniform: class sizes reflect our writing, not traffic. */
export function trainNaiveBayes<L extends string>(
  examples: Record<L, readonly string[]>,
): NaiveBayesModel<L> {
  const labels = Object.keys(examples) as L[];
  const counts = new Map<L, Map<string, number>>();
  const totals = new Map<L, number>();
  const vocabulary = new Set<string>();
  for (const label of labels) {
    const table = new Map<string, number>();
    let total = 0;
    for (const example of examples[label]) {
      for (const f of features(example)) {
        table.set(f, (table.get(f) ?? 0) + 1);
        vocabulary.add(f);
        total++;
      }
    }
    counts.set(label, table);
    totals.set(label, total);
  }
  const v = vocabulary.size;

  return {
    labels,
    predict(text) {
      const fs = features(text).filter((f) => vocabulary.has(f));
      const knownWords = fs.filter((f) => !f.includes("_")).length;
      const logs = labels.map((label) => {
        const table = counts.get(label) ?? new Map<string, number>();
        const denominator = (totals.get(label) ?? 0) + NB_ALPHA * v;
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
    },
  };
}
