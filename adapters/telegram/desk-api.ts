import type { Api } from "grammy";
import type { Button } from "../../flows/model.js";
import type { DeskApi } from "../../src/desk/desk-api.js";
import type { ProfileSource } from "../../src/desk/topics.js";
import { splitAtBoundaries } from "../../src/text/split-text.js";

const keyboard = (buttons?: Button[][]) =>
  buttons
    ? { inline_keyboard: buttons.map((row) => row.map((b) => ({ text: b.label, callback_data: b.payload }))) }
    : undefined;

/** Options of the grammY desk API. */
export interface GrammyDeskApiOptions {
  /** The Bot API root files are downloaded from (as the client's `apiRoot`). @defaultValue https://api.telegram.org */
  apiRoot?: string;
  token: string;
}

/**
 * The desk API over grammY for the supergroup `chatId`. Plain text only: no parse mode to break; a
 * post longer than one message is sent in parts.
 */
export function grammyDeskApi(api: Api, chatId: number, options: GrammyDeskApiOptions): DeskApi {
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
      const chunks = splitAtBoundaries(text, 4096);
      let last = 0;
      for (const [i, chunk] of (chunks.length > 0 ? chunks : [text]).entries()) {
        const sent = await api.sendMessage(chatId, chunk, {
          ...(threadId !== undefined ? { message_thread_id: threadId } : {}),
          ...(reply_markup && i === chunks.length - 1 ? { reply_markup } : {}),
          link_preview_options: { is_disabled: true },
        });
        last = sent.message_id;
      }
      return last;
    },
    async edit(messageId, text, buttons) {
      const reply_markup = keyboard(buttons);
      await api.editMessageText(chatId, messageId, text, reply_markup ? { reply_markup } : {});
    },
    async pin(messageId) {
      await api.pinChatMessage(chatId, messageId, { disable_notification: true });
    },
    async copyFrom(threadId, fromChatId, messageId, caption) {
      await api.copyMessage(chatId, fromChatId, messageId, { message_thread_id: threadId, caption });
    },
    async copyTo(toChatId, messageId) {
      const copy = await api.copyMessage(toChatId, chatId, messageId);
      return String(copy.message_id);
    },
    async download(fileId) {
      const file = await api.getFile(fileId);
      if (!file.file_path)
        throw new Error(`Telegram gave no file_path for file ${fileId}; it may be over 20 MB.`);
      const root = (options.apiRoot ?? "https://api.telegram.org").replace(/\/+$/, "");
      const res = await fetch(`${root}/file/bot${options.token}/${file.file_path}`);
      if (!res.ok)
        throw new Error(`Downloading file ${fileId} from Telegram failed with HTTP ${res.status}.`);
      return Buffer.from(await res.arrayBuffer());
    },
    topicLink(threadId) {
      // A supergroup's links use its id without the -100 prefix.
      return `https://t.me/c/${String(chatId).replace(/^-100/, "")}/${threadId}`;
    },
    async answerCallback(callbackId, text) {
      await api.answerCallbackQuery(callbackId, text ? { text } : {});
    },
  };
}

/** A Telegram customer's @username (getChat on their private chat), for the card. */
export function telegramProfiles(api: Api): ProfileSource {
  return {
    async of(chatId) {
      const chat = await api.getChat(chatId);
      return "username" in chat && chat.username ? `@${chat.username}` : undefined;
    },
  };
}
