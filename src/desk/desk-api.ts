import type { Api } from "grammy";
import type { Button } from "../model.js";

/**
 * The Telegram calls the desk makes, in the agents' supergroup. A seam so the desk's logic does not
 * depend on grammY's types; the implementation below is grammY's `Api` (with auto-retry installed
 * by the Telegram adapter, so 429s are waited out).
 */
export interface DeskApi {
  createTopic(name: string): Promise<number>;
  editTopic(threadId: number, name: string): Promise<void>;
  closeTopic(threadId: number): Promise<void>;
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

/** The desk API over grammY for the supergroup `chatId`. Plain text only: no parse mode to break. */
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
      const sent = await api.sendMessage(chatId, text, {
        message_thread_id: threadId,
        ...(reply_markup ? { reply_markup } : {}),
      });
      return sent.message_id;
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
