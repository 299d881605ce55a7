import { splitAtBoundaries } from "../../src/text/split-text.js";

/** VK's limit on one message's text, in characters (UTF-16 code units, as VK counts them). */
export const VK_TEXT_LIMIT = 4096;

/** Splits text for VK at line, then word boundaries (see `splitAtBoundaries`). */
export function splitText(text: string, limit = VK_TEXT_LIMIT): string[] {
  return splitAtBoundaries(text, limit);
}
