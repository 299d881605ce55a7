/**
 * `npm run --silent classify`: reads JSON lines `{"text": "..."}` on stdin and writes one JSON
 * line per input, `{"text", "category", "confidence"}`. A bad line gets `{"error": "..."}` (with
 * the line number) and the run goes on, so one typo does not lose a whole batch.
 */
import { createInterface } from "node:readline";
import { createClassifier } from "../../flows/classifier/index.js";
import type { Classifier } from "../../flows/types.js";

/** Classifies one input line; returns the JSON line to write (without the newline), or undefined for a blank line. */
export function classifyLine(classifier: Classifier, line: string, lineNumber: number): string | undefined {
  if (line.trim() === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return JSON.stringify({ line: lineNumber, error: `not JSON: ${(err as Error).message}` });
  }
  const text = (value as { text?: unknown } | null)?.text;
  if (typeof text !== "string") {
    return JSON.stringify({ line: lineNumber, error: 'expected an object with a string "text" field' });
  }
  const result = classifier.classify(text);
  return JSON.stringify({
    text,
    category: result.category,
    confidence: Math.round(result.confidence * 1000) / 1000,
  });
}

async function main(): Promise<void> {
  const classifier = createClassifier();
  const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  for await (const line of lines) {
    n++;
    const out = classifyLine(classifier, line, n);
    if (out !== undefined) process.stdout.write(`${out}\n`);
  }
}

// Only when run as a program, so tests can import `classifyLine`.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/"))) {
  await main();
}
