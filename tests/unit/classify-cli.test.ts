import { describe, expect, it } from "vitest";
import { createClassifier } from "../../flows/classifier/index.js";
import { CATEGORIES } from "../../flows/types.js";
import { classifyLine } from "../../src/cli/classify.js";

const classifier = createClassifier();

describe("classify CLI", () => {
  it("writes text, category and confidence for each input line", () => {
    const out = JSON.parse(classifyLine(classifier, '{"text": "позовите оператора"}', 1) ?? "");
    expect(Object.keys(out).sort()).toEqual(["category", "confidence", "text"]);
    expect(out).toMatchObject({ text: "позовите оператора", category: "operator" });
    expect(CATEGORIES).toContain(out.category);
    expect(typeof out.confidence).toBe("number");
  });

  it("answers a bad line with an error field and the line number", () => {
    expect(JSON.parse(classifyLine(classifier, "not json", 3) ?? "")).toMatchObject({
      line: 3,
      error: expect.any(String),
    });
    expect(JSON.parse(classifyLine(classifier, '{"txt": 1}', 4) ?? "")).toMatchObject({ line: 4 });
  });

  it("skips blank lines", () => {
    expect(classifyLine(classifier, "   ", 5)).toBeUndefined();
  });
});
