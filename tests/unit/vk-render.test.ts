import { describe, expect, it } from "vitest";
import { randomIdFor } from "../../adapters/vk/random-id.js";
import { inlineKeyboard, renderReply, truncateLabel } from "../../adapters/vk/render.js";
import { splitText, VK_TEXT_LIMIT } from "../../adapters/vk/split.js";
import type { Button } from "../../flows/model.js";

const button = (i: number, label = `Кнопка ${i}`): Button => ({ label, payload: `b:${i}` });

interface ParsedKeyboard {
  inline: boolean;
  buttons: { action: { type: string; label: string; payload: string } }[][];
}
const parse = (json: string | undefined) => JSON.parse(json ?? "null") as ParsedKeyboard;

describe("renderReply (VK keyboards)", () => {
  it("should render buttons as an inline keyboard of text buttons with our JSON payloads", () => {
    const rendered = renderReply({
      text: "Помогло?",
      buttons: [[button(1, "Да"), button(2, "Нужен специалист")]],
    });
    expect(rendered.chunks).toEqual(["Помогло?"]);
    expect(rendered.choices).toBeUndefined();
    const keyboard = parse(rendered.keyboard);
    expect(keyboard.inline).toBe(true);
    expect(keyboard.buttons).toHaveLength(1);
    expect(keyboard.buttons[0]?.map((b) => b.action)).toEqual([
      { type: "text", label: "Да", payload: '{"p":"b:1"}' },
      { type: "text", label: "Нужен специалист", payload: '{"p":"b:2"}' },
    ]);
  });

  it("should render callback buttons when asked", () => {
    const keyboard = parse(inlineKeyboard([[button(1)]], "callback"));
    expect(keyboard.buttons[0]?.[0]?.action.type).toBe("callback");
  });

  it("should truncate labels over 40 characters with an ellipsis", () => {
    const long = "Очень длинная подпись кнопки, которая не влезает";
    const label = parse(inlineKeyboard([[button(1, long)]], "text")).buttons[0]?.[0]?.action.label ?? "";
    expect(label.length).toBeLessThanOrEqual(40);
    expect(label.endsWith("…")).toBe(true);
    expect(truncateLabel("коротко")).toBe("коротко");
    // An emoji at the cut is dropped whole, never split into half a surrogate pair.
    const emoji = truncateLabel(`${"a".repeat(38)}😀😀`);
    expect(emoji).toBe(`${"a".repeat(38)}…`);
  });

  it("should reflow a row wider than 5 and keep 10 buttons in at most 6 rows", () => {
    const keyboard = parse(inlineKeyboard([Array.from({ length: 7 }, (_, i) => button(i))], "text"));
    expect(keyboard.buttons.map((row) => row.length)).toEqual([5, 2]);
    const ten = parse(
      inlineKeyboard(
        [[button(1), button(2)], ...Array.from({ length: 4 }, (_, i) => [button(i + 3), button(i + 10)])],
        "text",
      ),
    );
    expect(ten.buttons.flat()).toHaveLength(10);
    expect(ten.buttons.length).toBeLessThanOrEqual(6);
  });

  it("should fall back to a numbered list when there are more than 10 buttons", () => {
    const buttons = Array.from({ length: 11 }, (_, i) => [button(i + 1)]);
    const rendered = renderReply({ text: "Выберите тему:", buttons });
    expect(rendered.keyboard).toBeUndefined();
    expect(rendered.chunks[0]).toContain("Выберите тему:\n\n1. Кнопка 1\n2. Кнопка 2");
    expect(rendered.chunks[0]).toContain("11. Кнопка 11");
    expect(rendered.choices).toEqual(buttons.map((row) => row[0]?.payload));
  });

  it("should fall back to a numbered list when the rows exceed 6, or a payload exceeds 255 once encoded", () => {
    const sevenRows = Array.from({ length: 7 }, (_, i) => [button(i)]);
    expect(renderReply({ text: "x", buttons: sevenRows }).keyboard).toBeUndefined();
    const fat = { label: "Длинный", payload: "p".repeat(250) };
    const rendered = renderReply({ text: "x", buttons: [[fat]] });
    expect(rendered.keyboard).toBeUndefined();
    expect(rendered.choices).toEqual([fat.payload]);
  });

  it("should put the keyboard on the last of several chunks", () => {
    const text = `${"слово ".repeat(1000)}\n${"ещё ".repeat(500)}`;
    const rendered = renderReply({ text, buttons: [[button(1)]] });
    expect(rendered.chunks.length).toBeGreaterThan(1);
    expect(rendered.chunks.every((c) => c.length <= VK_TEXT_LIMIT)).toBe(true);
    expect(rendered.keyboard).toBeDefined();
  });
});

describe("splitText (VK)", () => {
  it("should leave a short text whole", () => {
    expect(splitText("Здравствуйте!")).toEqual(["Здравствуйте!"]);
  });

  it("should cut at a line break, then at a space, within 4096 characters", () => {
    const para = `${"а".repeat(3000)}\n${"б".repeat(3000)}`;
    expect(splitText(para)).toEqual(["а".repeat(3000), "б".repeat(3000)]);
    const words = "слово ".repeat(1500).trim();
    const chunks = splitText(words);
    expect(chunks.every((c) => c.length <= 4096 && !c.startsWith(" ") && !c.endsWith(" "))).toBe(true);
    expect(chunks.join(" ")).toBe(words);
  });

  it("should hard-cut an unbroken run without splitting an emoji", () => {
    const text = `${"x".repeat(4095)}😀tail`;
    const chunks = splitText(text);
    expect(chunks[0]).toBe("x".repeat(4095));
    expect(chunks[1]).toBe("😀tail");
  });
});

describe("randomIdFor", () => {
  it("should be a stable positive 31-bit integer, different per chunk, key and peer", () => {
    const a = randomIdFor("501", "vk-501-ev1-0", 0);
    expect(randomIdFor("501", "vk-501-ev1-0", 0)).toBe(a);
    expect(a).toBeGreaterThan(0);
    expect(a).toBeLessThanOrEqual(0x7fffffff);
    expect(Number.isInteger(a)).toBe(true);
    const others = [
      randomIdFor("501", "vk-501-ev1-0", 1),
      randomIdFor("501", "vk-501-ev1-1", 0),
      randomIdFor("502", "vk-501-ev1-0", 0),
    ];
    expect(new Set([a, ...others]).size).toBe(4);
  });
});
