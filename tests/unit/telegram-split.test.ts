import { describe, expect, it } from "vitest";
import { splitText, TELEGRAM_TEXT_LIMIT } from "../../adapters/telegram/split.js";

describe("splitText", () => {
  it("should keep a short text whole", () => {
    expect(splitText("Здравствуйте!")).toEqual(["Здравствуйте!"]);
  });

  it("should return nothing for blank text", () => {
    expect(splitText("  \n ")).toEqual([]);
  });

  it("should split 5,000 characters of lines into two chunks under the limit, at a line break", () => {
    const line = "Проверьте DNS-записи домена в панели управления.";
    const text = Array.from({ length: 100 }, (_, i) => `${i}. ${line}`).join("\n");
    expect(text.length).toBeGreaterThan(5000);
    const chunks = splitText(text);
    expect(chunks).toHaveLength(2);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
    // Every line survives intact, in order.
    expect(chunks.join("\n")).toBe(text);
  });

  it("should cut at a word boundary when there is no line break", () => {
    const text = "слово ".repeat(1000).trim();
    const chunks = splitText(text, 100);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(100);
      expect(c.startsWith("слово")).toBe(true);
      expect(c.endsWith("слово")).toBe(true);
    }
    expect(chunks.join(" ")).toBe(text);
  });

  it("should prefer a line break to a later space", () => {
    const text = `${"a".repeat(60)}\n${"b ".repeat(30)}`;
    expect(splitText(text, 80)[0]).toBe("a".repeat(60));
  });

  it("should hard-cut an unbroken run without splitting a surrogate pair", () => {
    const text = "😀".repeat(100); // 200 UTF-16 units
    const chunks = splitText(text, 51);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(51);
      expect(c).toMatch(/^(?:😀)+$/u);
    }
    expect(chunks.join("")).toBe(text);
  });
});
