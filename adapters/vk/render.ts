import { Keyboard } from "vk-io";
import type { Button, OutboundReply } from "../../flows/model.js";
import { encodeButtonPayload, VK_PAYLOAD_LIMIT } from "./payload.js";
import { splitText, VK_TEXT_LIMIT } from "./split.js";

/** VK's limits on an inline keyboard (messages with `inline: true`). */
export const VK_INLINE_LIMITS = { maxButtons: 10, maxRows: 6, maxPerRow: 5, labelMax: 40 } as const;

/**
 * Which VK button a reply's buttons become.
 * - `text`: pressing posts the label as the customer's message, with our payload (`message_new`).
 *   Works in every client that shows keyboards.
 * - `callback`: pressing sends a `message_event` and nothing appears in the chat; needs a client that
 *   lists `callback` in `client_info.button_actions`.
 */
export type VkButtonType = "text" | "callback";

/** A reply in VK's form. */
export interface RenderedReply {
  /** Text chunks, each within VK's message limit; the keyboard goes with the last one. */
  chunks: string[];
  /** Inline keyboard JSON for the last chunk, when the buttons fit VK's limits. */
  keyboard?: string;
  /**
   * When the buttons did not fit, the payloads of the numbered list appended to the text: the
   * customer's answer «n» means `choices[n - 1]` (see `ChoiceMemory`).
   */
  choices?: string[];
}

/** Options for `renderReply`. */
export interface RenderOptions {
  /** @defaultValue "text" */
  buttonType?: VkButtonType;
  /** Largest chunk. @defaultValue 4096 */
  textLimit?: number;
}

/**
 * Renders a channel-neutral reply for VK: an inline keyboard when the buttons fit VK's limits (rows
 * wider than 5 are reflowed), otherwise a numbered list at the end of the text; then the text split
 * within VK's message length.
 */
export function renderReply(reply: OutboundReply, options: RenderOptions = {}): RenderedReply {
  const buttons = (reply.buttons ?? []).map((row) =>
    row.filter((b) => b.label.trim() !== "" && b.payload !== ""),
  );
  const flat = buttons.flat();
  let text = reply.text;
  let keyboard: string | undefined;
  let choices: string[] | undefined;
  if (flat.length > 0) {
    keyboard = inlineKeyboard(buttons, options.buttonType ?? "text");
    if (keyboard === undefined) {
      text = `${text.trimEnd()}\n\n${numberedList(flat)}`;
      choices = flat.map((b) => b.payload);
    }
  }
  const chunks = splitText(text, options.textLimit ?? VK_TEXT_LIMIT);
  // VK refuses a message with neither text nor attachment; a keyboard alone needs something to hang on.
  if (chunks.length === 0) chunks.push("…");
  return { chunks, keyboard, choices };
}

/** `1. label` lines, one per button, in reading order. Labels are shown whole here. */
export function numberedList(buttons: readonly Button[]): string {
  return buttons.map((b, i) => `${i + 1}. ${b.label.trim()}`).join("\n");
}

/** Shortens a label to VK's 40 characters, ending it with «…»; never cuts a surrogate pair. */
export function truncateLabel(label: string, max: number = VK_INLINE_LIMITS.labelMax): string {
  const clean = label.trim();
  if (clean.length <= max) return clean;
  let cut = max - 1;
  const code = clean.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${clean.slice(0, cut).trimEnd()}…`;
}

/**
 * Builds an inline keyboard with vk-io's builder, or returns undefined when the buttons cannot fit:
 * more than 10 buttons, more than 6 rows after reflowing rows wider than 5, or a payload over VK's
 * 255 characters once encoded.
 */
export function inlineKeyboard(
  rows: readonly (readonly Button[])[],
  buttonType: VkButtonType,
): string | undefined {
  const { maxButtons, maxRows, maxPerRow } = VK_INLINE_LIMITS;
  const reflowed: Button[][] = [];
  for (const row of rows) {
    for (let i = 0; i < row.length; i += maxPerRow) reflowed.push(row.slice(i, i + maxPerRow));
  }
  const count = reflowed.reduce((n, row) => n + row.length, 0);
  if (count === 0 || count > maxButtons || reflowed.length > maxRows) return undefined;
  if (reflowed.some((row) => row.some((b) => encodeButtonPayload(b.payload).length > VK_PAYLOAD_LIMIT))) {
    return undefined;
  }
  const builder = Keyboard.builder().inline();
  for (const row of reflowed) {
    for (const button of row) {
      const spec = { label: truncateLabel(button.label), payload: { p: button.payload } };
      if (buttonType === "callback") builder.callbackButton(spec);
      else builder.textButton(spec);
    }
    builder.row();
  }
  return builder.toString();
}
