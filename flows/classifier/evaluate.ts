/**
 * Evaluation of a classifier on labelled examples: accuracy per category, a confusion table,
 * account-action recall and false refusals. Used by `npm run eval:intents` and by a unit test that
 * holds the floors.
 */
import { CATEGORIES, type Category, type Classifier } from "../types.js";

/** One labelled example. */
export interface LabelledExample {
  text: string;
  category: Category;
}

/** Per-category figures. */
export interface CategoryStats {
  total: number;
  correct: number;
  accuracy: number;
}

/** The evaluation report. */
export interface EvaluationReport {
  total: number;
  correct: number;
  accuracy: number;
  perCategory: Record<Category, CategoryStats>;
  /** confusion[expected][predicted] = count. */
  confusion: Record<Category, Record<Category, number>>;
  /** Share of account-action examples predicted as account_action (must be 1). */
  accountActionRecall: number;
  /** Non-account examples predicted as account_action: customers refused for nothing. */
  falseRefusals: number;
  /** Every wrong prediction, for reading. */
  errors: { text: string; expected: Category; predicted: Category; confidence: number }[];
}

/** Thrown when an evaluation file line is malformed; says which line and why. */
export class EvaluationDataError extends Error {
  override readonly name = "EvaluationDataError";
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(
      `Line ${line} of the evaluation set is invalid: ${reason}. Expected {"text": "...", "category": "..."}.`,
    );
  }
}

function isCategory(value: unknown): value is Category {
  return typeof value === "string" && (CATEGORIES as readonly string[]).includes(value);
}

/** Parses JSON lines of `{text, category}`; blank lines are skipped, bad lines throw. */
export function parseLabelledJsonl(content: string): LabelledExample[] {
  const out: LabelledExample[] = [];
  content.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new EvaluationDataError(index + 1, `not JSON (${(err as Error).message})`);
    }
    const record = value as { text?: unknown; category?: unknown };
    if (typeof record?.text !== "string") throw new EvaluationDataError(index + 1, "no text");
    if (!isCategory(record.category)) throw new EvaluationDataError(index + 1, "unknown category");
    out.push({ text: record.text, category: record.category });
  });
  return out;
}

function zeroRow(): Record<Category, number> {
  return Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
}

/** Runs the classifier over the examples and computes the report. */
export function evaluate(classifier: Classifier, examples: readonly LabelledExample[]): EvaluationReport {
  const confusion = Object.fromEntries(CATEGORIES.map((c) => [c, zeroRow()])) as Record<
    Category,
    Record<Category, number>
  >;
  const errors: EvaluationReport["errors"] = [];
  let correct = 0;
  for (const example of examples) {
    const result = classifier.classify(example.text);
    confusion[example.category][result.category]++;
    if (result.category === example.category) correct++;
    else
      errors.push({
        text: example.text,
        expected: example.category,
        predicted: result.category,
        confidence: result.confidence,
      });
  }
  const perCategory = Object.fromEntries(
    CATEGORIES.map((c) => {
      const row = confusion[c];
      const total = CATEGORIES.reduce((sum, p) => sum + row[p], 0);
      return [c, { total, correct: row[c], accuracy: total === 0 ? 1 : row[c] / total }];
    }),
  ) as Record<Category, CategoryStats>;
  const account = perCategory.account_action;
  const falseRefusals = CATEGORIES.filter((c) => c !== "account_action").reduce(
    (sum, c) => sum + confusion[c].account_action,
    0,
  );
  return {
    total: examples.length,
    correct,
    accuracy: examples.length === 0 ? 0 : correct / examples.length,
    perCategory,
    confusion,
    accountActionRecall: account.total === 0 ? 1 : account.correct / account.total,
    falseRefusals,
    errors,
  };
}

/** Short column headers for the confusion table. */
const SHORT: Record<Category, string> = {
  general: "gen",
  account_action: "acct",
  technical: "tech",
  billing: "bill",
  urgent: "urg",
  ticket_status: "tick",
  operator: "oper",
};

/** Renders the report as plain-text tables for a terminal. */
export function formatReport(report: EvaluationReport): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const lines: string[] = [];
  lines.push(
    `Examples: ${report.total}   accuracy: ${pct(report.accuracy)} (${report.correct}/${report.total})`,
  );
  lines.push(
    `account_action recall: ${pct(report.accountActionRecall)}   false refusals: ${report.falseRefusals}`,
  );
  lines.push("");
  lines.push("category        total  correct  accuracy");
  for (const c of CATEGORIES) {
    const s = report.perCategory[c];
    lines.push(
      `${c.padEnd(15)} ${String(s.total).padStart(5)}  ${String(s.correct).padStart(7)}  ${pct(s.accuracy).padStart(8)}`,
    );
  }
  lines.push("");
  lines.push(`confusion (rows: expected, columns: predicted)`);
  lines.push(`${"".padEnd(15)} ${CATEGORIES.map((c) => SHORT[c].padStart(5)).join("")}`);
  for (const c of CATEGORIES) {
    lines.push(
      `${c.padEnd(15)} ${CATEGORIES.map((p) => String(report.confusion[c][p]).padStart(5)).join("")}`,
    );
  }
  if (report.errors.length > 0) {
    lines.push("");
    lines.push("errors:");
    for (const e of report.errors) {
      lines.push(`  ${e.expected} → ${e.predicted} (${e.confidence.toFixed(2)}): ${e.text}`);
    }
  }
  return lines.join("\n");
}
