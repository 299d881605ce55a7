import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createClassifier } from "../../flows/classifier/index.js";
import { evaluate, parseLabelledJsonl } from "../../flows/classifier/evaluate.js";

/** The dev set lives beside the repository (`../shared/corpus`); overridable for other layouts. */
const DEV_SET =
  process.env.INTENTS_DEV_SET ??
  resolve(dirname(fileURLToPath(import.meta.url)), "../../../shared/corpus/intents.dev.jsonl");

/**
 * Floors set from what was measured (99% accuracy, recall 1.0, 0 false refusals) with some room,
 * so a training tweak that costs a point or two does not break the build, but a regression does.
 */
const FLOORS = { accuracy: 0.95, perCategory: 0.8, accountActionRecall: 1, maxFalseRefusals: 1 };

const present = existsSync(DEV_SET);
if (!present) {
  console.warn(
    `intents dev set not found at ${DEV_SET}: skipping the evaluation (set INTENTS_DEV_SET to run it)`,
  );
}

describe.skipIf(!present)("intent classification on the dev set", () => {
  const report = present
    ? evaluate(createClassifier(), parseLabelledJsonl(readFileSync(DEV_SET, "utf8")))
    : undefined;

  it(`reaches at least ${FLOORS.accuracy * 100}% accuracy`, () => {
    expect(report?.accuracy).toBeGreaterThanOrEqual(FLOORS.accuracy);
  });

  it("recognizes every account action (recall 1.0)", () => {
    expect(report?.accountActionRecall).toBe(FLOORS.accountActionRecall);
  });

  it(`refuses at most ${FLOORS.maxFalseRefusals} question that is not an account action`, () => {
    expect(report?.falseRefusals).toBeLessThanOrEqual(FLOORS.maxFalseRefusals);
  });

  it(`keeps every category above ${FLOORS.perCategory * 100}%`, () => {
    for (const [category, stats] of Object.entries(report?.perCategory ?? {})) {
      expect(stats.accuracy, category).toBeGreaterThanOrEqual(FLOORS.perCategory);
    }
  });
});

/**
 * Our own held-out set (written apart from the training data, with how-to / request / incident
 * triples on the same objects): the honest check that the classifier generalizes. Measured 95.9%,
 * recall 1.0, 1 false refusal in 415 (0.24%).
 */
describe("intent classification on our own held-out phrasings", () => {
  const path = resolve(dirname(fileURLToPath(import.meta.url)), "fixtures/intents.own-holdout.jsonl");
  const report = evaluate(createClassifier(), parseLabelledJsonl(readFileSync(path, "utf8")));

  it("has at least 300 lines and reaches 95% accuracy, recall 1.0, at most 1% false refusals", () => {
    expect(report.total).toBeGreaterThanOrEqual(300);
    expect(report.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(report.accountActionRecall).toBe(1);
    expect(report.falseRefusals).toBeLessThanOrEqual(Math.floor(report.total * 0.01));
  });
});

describe("evaluation data parsing", () => {
  it("names the bad line of a malformed file", () => {
    expect(() =>
      parseLabelledJsonl('{"text":"a","category":"general"}\n{"text":"b","category":"nope"}'),
    ).toThrow(/Line 2/);
  });
});
