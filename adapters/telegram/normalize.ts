import type { CallbackQuery, Message, Update } from "grammy/types";
import { CHANNEL_PREFIX, type GlobalCommand, type InboundEvent } from "../../flows/model.js";

/** Commands the flow understands at any step; anything else starting with `/` stays plain text. */
const COMMANDS: ReadonlySet<string> = new Set<GlobalCommand>(["start", "operator", "cancel"]);

/**
 * Message kinds the flow cannot read, checked in this order. `animation` comes before `document`
 * because Telegram sends both fields for a GIF; `venue` before `location` for the same reason.
 */
const UNSUPPORTED_KINDS = [
  "sticker",
  "photo",
  "voice",
  "video_note",
  "video",
  "animation",
  "audio",
  "document",
  "venue",
  "location",
  "contact",
  "poll",
  "dice",
  "game",
  "story",
] as const satisfies readonly (keyof Message)[];

/** Options for `normalizeUpdate`. */
export interface NormalizeOptions {
  /**
   * The bot's username (without `@`), so `/start@ThisBot` is a command and `/start@OtherBot` is not.
   * When unknown, any `@suffix` is accepted.
   */
  botUsername?: string;
}

/** The Telegram conversation key of a chat: `tg-<chat id>`, as the core expects. */
export function conversationKeyOf(chatId: number | string): string {
  return `${CHANNEL_PREFIX.telegram}-${chatId}`;
}

/**
 * Turns one Telegram update into a channel-neutral inbound event, or `undefined` when the update is
 * not for the support flow: anything outside a private chat (the desk's group belongs to the desk),
 * messages from bots, and update types the bot does not subscribe to.
 *
 * Callback queries become `button` events; the adapter answers the query itself (see `bot.ts`),
 * because the answer is a platform detail the flow never sees.
 */
export function normalizeUpdate(update: Update, options: NormalizeOptions = {}): InboundEvent | undefined {
  const updateId = String(update.update_id);
  if (update.message) return fromMessage(update.message, updateId, options);
  if (update.edited_message) {
    // An edit cannot be replayed through the flow (the step has moved on): it travels as its own kind,
    // with the new text (or caption) for the agent, which the flow masks like any other text.
    const message = update.edited_message;
    const base = baseOf(message, updateId);
    const editedText = message.text ?? message.caption;
    return (
      base && {
        ...base,
        kind: "unsupported",
        unsupportedKind: "edited_message",
        ...(editedText ? { editedText } : {}),
      }
    );
  }
  if (update.callback_query) return fromCallback(update.callback_query, updateId);
  return undefined;
}

/** Fields every message-borne event shares; `undefined` for non-private chats and bots. */
function baseOf(message: Message, updateId: string): Omit<InboundEvent, "kind"> | undefined {
  if (message.chat.type !== "private") return undefined;
  const from = message.from;
  if (!from || from.is_bot) return undefined;
  const chatId = String(message.chat.id);
  return {
    channel: "telegram",
    conversationKey: conversationKeyOf(chatId),
    chatId,
    userId: String(from.id),
    updateId,
    messageId: String(message.message_id),
    at: message.date * 1000,
    ...(from.language_code ? { languageHint: from.language_code } : {}),
  };
}

function fromMessage(
  message: Message,
  updateId: string,
  options: NormalizeOptions,
): InboundEvent | undefined {
  const base = baseOf(message, updateId);
  if (!base) return undefined;
  if (typeof message.text === "string") {
    const command = commandOf(message.text, options.botUsername);
    if (command) return { ...base, kind: "command", command, text: message.text };
    return { ...base, kind: "text", text: message.text };
  }
  const kind = UNSUPPORTED_KINDS.find((k) => message[k] !== undefined);
  if (kind) {
    const caption = message.caption;
    return { ...base, kind: "unsupported", unsupportedKind: kind, ...(caption ? { caption } : {}) };
  }
  // A private chat also carries service messages (e.g. `write_access_allowed`, payments); nobody wrote
  // anything, so there is nothing to answer.
  if (isServiceMessage(message)) return undefined;
  return { ...base, kind: "unsupported", unsupportedKind: "other" };
}

/** Service messages are those without any content a person sends. */
function isServiceMessage(message: Message): boolean {
  const m = message as unknown as Record<string, unknown>;
  return (
    m.write_access_allowed !== undefined ||
    m.pinned_message !== undefined ||
    m.successful_payment !== undefined ||
    m.refunded_payment !== undefined ||
    m.users_shared !== undefined ||
    m.chat_shared !== undefined ||
    m.auto_delete_timer_changed !== undefined ||
    m.connected_website !== undefined
  );
}

/**
 * `/start`, `/start payload`, `/start@ThisBot` → `start`. Only the three global commands count: an
 * unknown command is just text for the flow to classify.
 */
export function commandOf(text: string, botUsername?: string): GlobalCommand | undefined {
  const match = /^\/([a-z_]+)(?:@([A-Za-z0-9_]+))?(?:\s|$)/i.exec(text);
  if (!match) return undefined;
  const name = match[1]?.toLowerCase() ?? "";
  const target = match[2];
  if (target && botUsername && target.toLowerCase() !== botUsername.toLowerCase()) return undefined;
  return COMMANDS.has(name) ? (name as GlobalCommand) : undefined;
}

function fromCallback(query: CallbackQuery, updateId: string): InboundEvent | undefined {
  // Inline-mode messages have no chat; group messages are the desk's. Both are still answered by the bot.
  const message = query.message;
  if (message?.chat.type !== "private" || query.from.is_bot) return undefined;
  if (query.data === undefined) return undefined; // a game button: nothing the flow sent
  const chatId = String(message.chat.id);
  const label = labelOf(query);
  return {
    channel: "telegram",
    conversationKey: conversationKeyOf(chatId),
    chatId,
    userId: String(query.from.id),
    kind: "button",
    payload: query.data,
    ...(label !== undefined ? { text: label } : {}),
    updateId,
    messageId: String(message.message_id),
    // A callback query carries no date of its own; the message date would be the button's age,
    // so the time of receipt is the honest answer.
    at: Date.now(),
    ...(query.from.language_code ? { languageHint: query.from.language_code } : {}),
  };
}

/** The pressed button's label, found in the keyboard of the message it belongs to. */
function labelOf(query: CallbackQuery): string | undefined {
  const message = query.message;
  const keyboard = message && "reply_markup" in message ? message.reply_markup?.inline_keyboard : undefined;
  for (const row of keyboard ?? []) {
    for (const button of row) {
      if ("callback_data" in button && button.callback_data === query.data) return button.text;
    }
  }
  return undefined;
}
