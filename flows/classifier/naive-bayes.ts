/**
 * A multinomial naive Bayes text classifier over stems and stem bigrams. Hand-written because the
 * `Classifier` seam is synchronous and `flows/` must stay pure: it trains in a few milliseconds at
 * load time and classifies without I/O or promises.
 *
 * Training turns the counts into per-feature vectors of log-likelihoods (one number per label), so
 * a prediction is a few map lookups and additions per feature: no logarithm, no feature strings.
 */
import { analysisOf, stems, type TextInput } from "../nlp/tokenize.js";

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
   * none, the scores are uniform and mean nothing. Accepts a text or its `analyze()` result.
   */
  predict(text: TextInput): { ranked: Scored<L>[]; knownWords: number };
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

  // log P(feature | label) for every known feature, one entry per label (in `labels` order).
  const logLikelihoods = (f: string): Float64Array =>
    Float64Array.from(labels, (label) => {
      const table = counts.get(label) ?? new Map<string, number>();
      const denominator = (totals.get(label) ?? 0) + NB_ALPHA * v;
      return Math.log(((table.get(f) ?? 0) + NB_ALPHA) / denominator);
    });
  // Unigrams by stem; bigrams by first stem, then second, so no `a_b` string is built per call.
  const unigrams = new Map<string, Float64Array>();
  const bigrams = new Map<string, Map<string, Float64Array>>();
  for (const f of vocabulary) {
    const cut = f.indexOf("_");
    if (cut < 0) {
      unigrams.set(f, logLikelihoods(f));
    } else {
      const first = f.slice(0, cut);
      let next = bigrams.get(first);
      if (next === undefined) {
        next = new Map();
        bigrams.set(first, next);
      }
      next.set(f.slice(cut + 1), logLikelihoods(f));
    }
  }

  const k = labels.length;
  const sums = new Float64Array(k); // scratch, reset on every call (predict is synchronous)
  const exps = new Float64Array(k);
  const add = (vector: Float64Array): void => {
    for (let j = 0; j < k; j++) sums[j] = (sums[j] ?? 0) + (vector[j] ?? 0);
  };

  return {
    labels,
    predict(text) {
      const s = analysisOf(text).stems;
      sums.fill(0);
      // Unigrams first, then bigrams, each in text order: the order the sums were always taken in.
      let known = 0;
      for (const stem of s) {
        const vector = unigrams.get(stem);
        if (vector !== undefined) {
          add(vector);
          known++;
        }
      }
      let count = known;
      for (let i = 0; i + 1 < s.length; i++) {
        const vector = bigrams.get(s[i] ?? "")?.get(s[i + 1] ?? "");
        if (vector !== undefined) {
          add(vector);
          count++;
        }
      }
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < k; j++) {
        const sum = sums[j] ?? 0;
        const log = count === 0 ? 0 : (sum / count) * NB_SHARPNESS * Math.sqrt(count);
        sums[j] = log;
        if (log > max) max = log;
      }
      let z = 0;
      for (let j = 0; j < k; j++) {
        const e = Math.exp((sums[j] ?? 0) - max);
        exps[j] = e;
        z += e;
      }
      const ranked: Scored<L>[] = [];
      for (let j = 0; j < k; j++) ranked.push({ label: labels[j] as L, score: (exps[j] ?? 0) / z });
      ranked.sort((a, b) => b.score - a.score);
      return { ranked, knownWords: known };
    },
  };
}
