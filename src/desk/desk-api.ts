import type { Api } from "grammy";
import { splitAtBoundaries } from "../text/split-text.js";
import type { Button } from "../../flows/model.js";

/**
 * The Telegram calls the desk makes, in the agents' supergroup. A seam so the desk's logic does not
 * depend on grammY's types; the implementation below is grammY's `Api` (with auto-retry installed
 * by the Telegram adapter, so 429s are waited out).
 */
export interface DeskApi {
  createTopic(name: string): Promise<number>;
  editTopic(threadId: number, name: string): Promise<void>;
  closeTopic(threadId: number): Promise<void>;
  /** Posts in a topic (in parts when longer than one message; buttons on the last); the last part's id. */
  post(threadId: number, text: string, buttons?: Button[][]): Promise<number>;
  edit(messageId: number, text: string, buttons?: Button[][]): Promise<void>;
  /** Copies a customer's Telegram message (photo, document) into the topic. */
  copyFrom(threadId: number, fromChatId: string, messageId: number): Promise<void>;
  answerCallback(callbackId: string, text?: string): Promise<void>;
}

const keyboard = (buttons?: Button[][]) =>
  buttons
    ? { inline_keyboard: buttons.map((row) => row.map((b) => ({ text: b.label, callback_data: b.payload }))) }
    : undefined;

/**
 * The desk API over grammY for the supergroup `chatId`. Plain text only: no parse mode to break; a
 * post longer than one message is sent in parts.
 */
export function grammyDeskApi(api: Api, chatId: number): DeskApi {
  return {
    async createTopic(name) {
      const topic = await api.createForumTopic(chatId, name);
      return topic.message_thread_id;
    },
    async editTopic(threadId, name) {
      await api.editForumTopic(chatId, threadId, { name });
    },
    async closeTopic(threadId) {
      await api.closeForumTopic(chatId, threadId);
    },
    async post(threadId, text, buttons) {
      const reply_markup = keyboard(buttons);
      // A customer's message may take all 4096 characters, and the «Клиент: » prefix pushes it over
      // Telegram's limit: split it, buttons on the last part. Returns the last part's id.
      // Telegram's limit on one message; the desk is a Telegram group.
      const chunks = splitAtBoundaries(text, 4096);
      let last = 0;
      for (const [i, chunk] of (chunks.length > 0 ? chunks : [text]).entries()) {
        const sent = await api.sendMessage(chatId, chunk, {
          message_thread_id: threadId,
          ...(reply_markup && i === chunks.length - 1 ? { reply_markup } : {}),
        });
        last = sent.message_id;
      }
      return last;
    },
    async edit(messageId, text, buttons) {
      const reply_markup = keyboard(buttons);
      await api.editMessageText(chatId, messageId, text, reply_markup ? { reply_markup } : {});
    },
    async copyFrom(threadId, fromChatId, messageId) {
      await api.copyMessage(chatId, fromChatId, messageId, { message_thread_id: threadId });
    },
    async answerCallback(callbackId, text) {
      await api.answerCallbackQuery(callbackId, text ? { text } : {});
    },
  };
}
