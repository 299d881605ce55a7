import { describe, expect, it, vi } from "vitest";
import { ButtonPayloadError, inlineKeyboard } from "../../adapters/telegram/keyboard.js";

describe("inlineKeyboard", () => {
  it("should render button rows as inline keyboard rows with callback data", () => {
    expect(
      inlineKeyboard([
        [
          { label: "Да", payload: "fb:yes" },
          { label: "Нужен специалист", payload: "fb:agent" },
        ],
        [{ label: "Оператор", payload: "op" }],
      ]),
    ).toEqual({
      inline_keyboard: [
        [
          { text: "Да", callback_data: "fb:yes" },
          { text: "Нужен специалист", callback_data: "fb:agent" },
        ],
        [{ text: "Оператор", callback_data: "op" }],
      ],
    });
  });

  it("should return undefined when there are no buttons", () => {
    expect(inlineKeyboard(undefined)).toBeUndefined();
    expect(inlineKeyboard([[]])).toBeUndefined();
  });

  it("should accept exactly 64 bytes and count UTF-8 bytes, not characters", () => {
    expect(inlineKeyboard([[{ label: "x", payload: "a".repeat(64) }]])).toBeDefined();
    // 33 Cyrillic letters are 66 bytes.
    expect(() => inlineKeyboard([[{ label: "x", payload: "я".repeat(33) }]])).toThrow(ButtonPayloadError);
  });

  it("should fail loudly on a payload over 64 bytes in strict mode", () => {
    expect(() => inlineKeyboard([[{ label: "x", payload: "a".repeat(65) }]])).toThrow(
      /65 bytes; Telegram allows 64/,
    );
  });

  it("should drop an invalid button and report it when not strict", () => {
    const onInvalid = vi.fn();
    const kb = inlineKeyboard(
      [
        [
          { label: "ok", payload: "ok" },
          { label: "bad", payload: "b".repeat(80) },
        ],
      ],
      { strict: false, onInvalid },
    );
    expect(kb).toEqual({ inline_keyboard: [[{ text: "ok", callback_data: "ok" }]] });
    expect(onInvalid).toHaveBeenCalledTimes(1);
  });
});
