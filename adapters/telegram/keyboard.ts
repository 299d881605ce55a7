import type { InlineKeyboardButton, InlineKeyboardMarkup } from "grammy/types";
import type { Button } from "../../flows/model.js";

/** Telegram's limit on `callback_data`, in bytes (UTF-8). */
export const CALLBACK_DATA_LIMIT = 64;

/** A button payload that Telegram would reject (`BUTTON_DATA_INVALID`); a bug in the flow's data. */
export class ButtonPayloadError extends Error {
  override readonly name = "ButtonPayloadError";
  constructor(
    readonly payload: string,
    readonly bytes: number,
  ) {
    super(
      `Button payload is ${bytes} bytes; Telegram allows ${CALLBACK_DATA_LIMIT} (and buttons must have a label). ` +
        "Shorten the payload in the flow (Button.payload is meant to stay within 48 ASCII bytes).",
    );
  }
}

/** Options for `inlineKeyboard`. */
export interface KeyboardOptions {
  /**
   * Throw `ButtonPayloadError` on an invalid button. When false, the button is dropped and reported via
   * `onInvalid`, because in production a reply missing one button beats no reply at all.
   * @defaultValue true
   */
  strict?: boolean;
  /** Called for each dropped button when not strict. */
  onInvalid?: (error: ButtonPayloadError) => void;
}

/**
 * Renders button rows as an inline keyboard, or `undefined` when there are none (Telegram rejects an
 * empty keyboard on some methods). Labels are plain text: Telegram never parses markup in them.
 */
export function inlineKeyboard(
  rows: readonly (readonly Button[])[] | undefined,
  options: KeyboardOptions = {},
): InlineKeyboardMarkup | undefined {
  const strict = options.strict ?? true;
  const out: InlineKeyboardButton[][] = [];
  for (const row of rows ?? []) {
    const rendered: InlineKeyboardButton[] = [];
    for (const button of row) {
      const bytes = Buffer.byteLength(button.payload, "utf8");
      if (bytes === 0 || bytes > CALLBACK_DATA_LIMIT || button.label.trim() === "") {
        const error = new ButtonPayloadError(button.payload, bytes);
        if (strict) throw error;
        options.onInvalid?.(error);
        continue;
      }
      rendered.push({ text: button.label, callback_data: button.payload });
    }
    if (rendered.length > 0) out.push(rendered);
  }
  return out.length > 0 ? { inline_keyboard: out } : undefined;
}
