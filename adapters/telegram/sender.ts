import { type Api, GrammyError } from "grammy";
import type { InlineKeyboardMarkup, Message } from "grammy/types";
import type { Logger } from "pino";
import type { ChannelSender, SendOptions, SentMessage } from "../../src/channel.js";
import type { OutboundReply } from "../../flows/model.js";
import type { BotApiCall } from "./bot-api-call.js";
import { isEditImpossible, isNotModified, toDeliveryError } from "./errors.js";
import { inlineKeyboard } from "./keyboard.js";
import { splitText } from "./split.js";

/** Options for `createTelegramSender`. */
export interface TelegramSenderOptions {
  logger?: Logger;
  /**
   * Throw on a button whose payload Telegram would reject; otherwise log it and drop the button.
   * @defaultValue true unless `NODE_ENV` is `production`
   */
  strictButtons?: boolean;
  /**
   * The lean Bot API call (`createBotApiCall`) for sendMessage and editMessageText, with `api` behind it
   * as the retrying fallback; without it, every call goes through `api`.
   */
  call?: BotApiCall;
}

/** Shared by every payload (never mutated): previews of panel links would bury the answer under a card. */
const NO_PREVIEW = Object.freeze({ is_disabled: true });

/**
 * The Telegram `ChannelSender`: renders a reply as plain-text messages with an inline keyboard.
 *
 * No `parse_mode` is ever set: replies quote what customers typed (names, logins, questions), and
 * with HTML or Markdown a `<3` or `*_[` in that text makes Telegram reject the whole message.
 * Long text is split below 4096 characters; the buttons go on the last chunk, where the customer's
 * eye ends up. Retries of 429/5xx/network errors happen in the `Api`'s transformers (`retry.ts`);
 * what reaches this code has failed for good.
 */
export function createTelegramSender(api: Api, options: TelegramSenderOptions = {}): ChannelSender {
  const strict = options.strictButtons ?? process.env.NODE_ENV !== "production";
  const logger = options.logger;
  // The same payloads either way: grammY's `api.sendMessage(chat_id, text, other)` sends exactly
  // `raw.sendMessage({ chat_id, text, ...other })`.
  const raw = api.raw as unknown as Record<string, (payload: Record<string, unknown>) => Promise<unknown>>;
  const call: BotApiCall =
    options.call ??
    (<R>(method: string, payload: Record<string, unknown>) => raw[method]!(payload) as Promise<R>);

  return {
    channel: "telegram",
    async send(chatId: string, reply: OutboundReply, sendOptions: SendOptions): Promise<SentMessage> {
      const keyboard = inlineKeyboard(reply.buttons, {
        strict,
        onInvalid: (err) => logger?.error({ chat_id: chatId, bytes: err.bytes }, "invalid button dropped"),
      });
      const chunks = splitText(reply.text);
      if (chunks.length === 0) {
        throw new Error("Cannot send an empty reply to Telegram: the flow produced a reply with no text.");
      }
      try {
        // Editing in place only works for a reply that fits one message; a longer one is sent anew.
        if (sendOptions.editMessageId !== undefined && chunks.length === 1 && chunks[0] !== undefined) {
          const edited = await tryEdit(call, chatId, sendOptions.editMessageId, chunks[0], keyboard);
          if (edited) return edited;
          logger?.debug(
            { chat_id: chatId, message_id: sendOptions.editMessageId },
            "edit impossible, sending anew",
          );
        }
        let last = "";
        for (let i = 0; i < chunks.length; i++) {
          const text = chunks[i]!;
          // Key order as grammY builds it, so the request body is the same byte for byte.
          const payload =
            i === chunks.length - 1 && keyboard
              ? { chat_id: chatId, text, reply_markup: keyboard, link_preview_options: NO_PREVIEW }
              : { chat_id: chatId, text, link_preview_options: NO_PREVIEW };
          const sent = await call<Message.TextMessage>("sendMessage", payload);
          last = String(sent.message_id);
        }
        return { messageId: last };
      } catch (err) {
        redactPayload(err);
        const delivery = toDeliveryError(err, chatId);
        if (delivery) throw delivery;
        throw err;
      }
    },
  };
}

/** Edits a message; `undefined` when the message cannot be edited and a new one should be sent. */
async function tryEdit(
  call: BotApiCall,
  chatId: string,
  messageId: string,
  text: string,
  keyboard: InlineKeyboardMarkup | undefined,
): Promise<SentMessage | undefined> {
  const id = Number(messageId);
  if (!Number.isSafeInteger(id)) return undefined;
  try {
    // Omitting reply_markup removes the old keyboard, which is what a reply without buttons means.
    await call(
      "editMessageText",
      keyboard
        ? { chat_id: chatId, message_id: id, text, reply_markup: keyboard, link_preview_options: NO_PREVIEW }
        : { chat_id: chatId, message_id: id, text, link_preview_options: NO_PREVIEW },
    );
    return { messageId };
  } catch (err) {
    // The message already shows exactly this: the edit has, in effect, happened.
    if (isNotModified(err)) return { messageId };
    if (isEditImpossible(err)) return undefined;
    throw err;
  }
}

/**
 * Hides a failed call's payload (it holds the message text) from log serializers, which copy every
 * enumerable property of an error. The payload stays readable for a debugger.
 */
export function redactPayload(err: unknown): void {
  if (err instanceof GrammyError) {
    Object.defineProperty(err, "payload", { value: err.payload, enumerable: false });
  }
}
