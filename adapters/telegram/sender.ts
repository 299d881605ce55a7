import { type Api, GrammyError } from "grammy";
import type { InlineKeyboardMarkup } from "grammy/types";
import type { Logger } from "pino";
import type { ChannelSender, SendOptions, SentMessage } from "../../src/channel.js";
import type { OutboundReply } from "../../flows/model.js";
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
}

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
          const edited = await tryEdit(api, chatId, sendOptions.editMessageId, chunks[0], keyboard);
          if (edited) return edited;
          logger?.debug(
            { chat_id: chatId, message_id: sendOptions.editMessageId },
            "edit impossible, sending anew",
          );
        }
        let last = "";
        for (const [i, chunk] of chunks.entries()) {
          const isLast = i === chunks.length - 1;
          const sent = await api.sendMessage(chatId, chunk, {
            ...(isLast && keyboard ? { reply_markup: keyboard } : {}),
            // Previews of panel links would bury the answer under a card the customer did not ask for.
            link_preview_options: { is_disabled: true },
          });
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
  api: Api,
  chatId: string,
  messageId: string,
  text: string,
  keyboard: InlineKeyboardMarkup | undefined,
): Promise<SentMessage | undefined> {
  const id = Number(messageId);
  if (!Number.isSafeInteger(id)) return undefined;
  try {
    await api.editMessageText(chatId, id, text, {
      // Omitting reply_markup removes the old keyboard, which is what a reply without buttons means.
      ...(keyboard ? { reply_markup: keyboard } : {}),
      link_preview_options: { is_disabled: true },
    });
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
