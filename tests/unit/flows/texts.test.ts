import { describe, expect, it } from "vitest";
import { en } from "../../../flows/texts/en.js";
import { format, TEXTS } from "../../../flows/texts/index.js";
import { ru } from "../../../flows/texts/ru.js";
import { KNOWLEDGE_BASE_DATA } from "../../../flows/knowledge-base.data.js";

/** Every customer-facing string: the texts of both locales and the knowledge-base answers. */
function allTexts(): string[] {
  const kb = KNOWLEDGE_BASE_DATA as { answer: { ru: string; en: string } }[];
  return [...Object.values(ru), ...Object.values(en), ...kb.flatMap((e) => [e.answer.ru, e.answer.en])];
}

describe("texts", () => {
  it("have the same keys in Russian and English", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(ru).sort());
  });

  it("have the same placeholders in both locales", () => {
    for (const key of Object.keys(ru) as (keyof typeof ru)[]) {
      const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(names(en[key]), key).toEqual(names(ru[key]));
    }
  });

  it("are never empty", () => {
    for (const locale of ["ru", "en"] as const) {
      for (const [key, value] of Object.entries(TEXTS[locale]))
        expect(value.trim(), `${locale}.${key}`).not.toBe("");
    }
  });

  it("invent no phone numbers or web addresses (the seed gives none)", () => {
    for (const text of allTexts()) {
      expect(text).not.toMatch(/\+?\d[\d\s()-]{7,}\d/);
      expect(text).not.toMatch(/https?:\/\/|www\./);
    }
  });

  it("fill placeholders and leave unknown ones visible", () => {
    expect(format("место: {position}, {missing}", { position: 3 })).toBe("место: 3, {missing}");
  });
});
