import { splitAtBoundaries } from "../../src/text/split-text.js";

/** Telegram's limit on one message's text, in UTF-16 code units after entity parsing. */
export const TELEGRAM_TEXT_LIMIT = 4096;

/** Splits text for Telegram at line, then word boundaries (see `splitAtBoundaries`). */
export function splitText(text: string, limit = TELEGRAM_TEXT_LIMIT): string[] {
  return splitAtBoundaries(text, limit);
}
