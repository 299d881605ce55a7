/**
 * `npm run eval:intents [path]`: evaluates the classifier on a labelled JSON-lines file
 * (default `../shared/corpus/intents.dev.jsonl`, beside the repository) and prints accuracy per
 * category, a confusion table, account-action recall and false refusals, then a 5-fold
 * cross-validation on the training data.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createClassifier } from "../../flows/classifier/index.js";
import { crossValidate, formatCrossValidation } from "../../flows/classifier/cross-validate.js";
import { evaluate, formatReport, parseLabelledJsonl } from "../../flows/classifier/evaluate.js";
import { TRAINING } from "../../flows/classifier/training.js";

/** The dev set's default location: `<repo>/../shared/corpus/intents.dev.jsonl`. */
export const DEFAULT_DEV_SET = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "../../../shared/corpus/intents.dev.jsonl",
);

function main(): void {
  const path = resolve(process.argv[2] ?? DEFAULT_DEV_SET);
  let content: string;
  try {
    content = readFileSync(path, "utf8");
  } catch (err) {
    process.stderr.write(
      `Cannot read the evaluation set at ${path} (${(err as Error).message}). ` +
        "Pass its path: npm run eval:intents -- path/to/intents.jsonl\n",
    );
    process.exitCode = 2;
    return;
  }
  const report = evaluate(createClassifier(), parseLabelledJsonl(content));
  process.stdout.write(`${path}\n${formatReport(report)}\n\n`);
  process.stdout.write(`${formatCrossValidation(crossValidate(TRAINING))}\n`);
}

// Only when run as a program, so a test can import `DEFAULT_DEV_SET` without running it.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/"))) main();
