/**
 * k-fold cross-validation of the classifier on its own training data: each fold is held out once,
 * the classifier is trained on the rest, and the held-out fold is classified. It shows how well the
 * model generalizes within the training set (the rules run too, as in production).
 */
import { CATEGORIES, type Category } from "../types.js";
import { evaluate, type LabelledExample } from "./evaluate.js";
import { createClassifier } from "./index.js";

/** The result of a cross-validation. */
export interface CrossValidation {
  k: number;
  /** Accuracy of each fold. */
  folds: number[];
  /** Mean accuracy over the folds. */
  mean: number;
  /** Account-action examples (over all folds) not predicted as account_action. */
  missedAccountActions: number;
  /** Other examples (over all folds) predicted as account_action. */
  falseRefusals: number;
}

/** A deterministic shuffle (a small LCG), so a run is repeatable. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Runs k-fold cross-validation, stratified by category. */
export function crossValidate(
  training: Record<Category, readonly string[]>,
  k = 5,
  seed = 42,
): CrossValidation {
  const foldOf = new Map<string, number>();
  for (const category of CATEGORIES) {
    shuffled(training[category], seed).forEach((text, i) => {
      foldOf.set(`${category}\u0000${text}`, i % k);
    });
  }
  const folds: number[] = [];
  let missedAccountActions = 0;
  let falseRefusals = 0;
  for (let fold = 0; fold < k; fold++) {
    const train = {} as Record<Category, string[]>;
    const held: LabelledExample[] = [];
    for (const category of CATEGORIES) {
      train[category] = [];
      for (const text of training[category]) {
        if (foldOf.get(`${category}\u0000${text}`) === fold) held.push({ text, category });
        else train[category].push(text);
      }
    }
    const report = evaluate(createClassifier({ training: train }), held);
    folds.push(report.accuracy);
    missedAccountActions +=
      report.perCategory.account_action.total - report.perCategory.account_action.correct;
    falseRefusals += report.falseRefusals;
  }
  return { k, folds, mean: folds.reduce((a, b) => a + b, 0) / k, missedAccountActions, falseRefusals };
}

/** One line for a terminal. */
export function formatCrossValidation(cv: CrossValidation): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  return (
    `${cv.k}-fold cross-validation on the training data: mean accuracy ${pct(cv.mean)} ` +
    `(folds ${cv.folds.map(pct).join(", ")}); account actions missed ${cv.missedAccountActions}, ` +
    `false refusals ${cv.falseRefusals}`
  );
}
