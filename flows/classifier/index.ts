/**
 * The classifier behind the `Classifier` seam: explicit account-action rules first, then a naive
 * Bayes model for everything else. Sync and pure; build it once with `createClassifier()`.
 */
import { analysisOf, type TextInput } from "../nlp/tokenize.js";
import { CATEGORIES, type Category, type Classification, type Classifier } from "../types.js";
import { type NaiveBayesModel, trainNaiveBayes } from "./naive-bayes.js";
import { matchAccountRule } from "./rules.js";
import { TRAINING } from "./training.js";

/**
 * Below this confidence the flow asks the customer to pick a category instead of guessing.
 * Measured on the dev set: correct answers sit above it with one exception, wrong ones below
 * or within the margin.
 */
export const CONFIDENCE_THRESHOLD = 0.5;

/** When the best two categories are closer than this, it is a tie and the flow clarifies too. */
export const AMBIGUITY_MARGIN = 0.15;

/** Options for `createClassifier`. */
export interface ClassifierOptions {
  /** Training utterances per category. @defaultValue the bundled `TRAINING` */
  training?: Record<Category, readonly string[]>;
}

/** A `Classifier` that also says whether its answer is clear enough to act on. */
export interface SupportClassifier extends Classifier {
  /**
   * Classifies a text, or its `analyze()` result (so a caller that also looks the text up in the
   * knowledge base normalizes and stems it once).
   */
  classify(text: TextInput): Classification;
  /** True when `c` is confident and not a tie (see the threshold and margin constants). */
  isConfident(c: Classification): boolean;
}

/** Builds the rules-then-model classifier (trains the model, a few milliseconds). */
export function createClassifier(options: ClassifierOptions = {}): SupportClassifier {
  const model: NaiveBayesModel<Category> = trainNaiveBayes(options.training ?? TRAINING);
  return {
    classify(text: TextInput): Classification {
      const analysis = analysisOf(text);
      const { ranked: scored, knownWords } = model.predict(analysis);
      const ranked = scored.map((s) => ({ category: s.label, score: s.score }));
      const rule = matchAccountRule(analysis);
      if (rule !== undefined) {
        // A rule is a decision, not a vote: account actions are refused whatever the model thinks.
        const rest = ranked.filter((r) => r.category !== "account_action");
        return {
          category: "account_action",
          confidence: 1,
          ranked: [{ category: "account_action", score: 1 }, ...rest],
          rule: `account_action:${rule}`,
        };
      }
      const top = ranked[0];
      if (top === undefined) return { category: "general", confidence: 0, ranked: [] };
      // Not one word the model knows: whatever ranks first is noise, so say so (the flow clarifies).
      if (knownWords === 0) return { category: top.category, confidence: 0, ranked };
      return { category: top.category, confidence: top.score, ranked };
    },
    isConfident(c: Classification): boolean {
      return isConfident(c);
    },
  };
}

/** True when a classification is above the threshold and clear of the runner-up by the margin. */
export function isConfident(c: Classification): boolean {
  if (c.rule !== undefined) return true;
  const second = c.ranked[1]?.score ?? 0;
  return c.confidence >= CONFIDENCE_THRESHOLD && c.confidence - second >= AMBIGUITY_MARGIN;
}

/** Every category, for callers that need the full list (re-exported for convenience). */
export { CATEGORIES };
