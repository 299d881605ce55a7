import type { Update } from "grammy/types";
import { describe, expect, it } from "vitest";
import { commandOf, normalizeUpdate } from "../../adapters/telegram/normalize.js";

const from = { id: 42, is_bot: false, first_name: "Ира", language_code: "ru" };
const privateChat = { id: 42, type: "private", first_name: "Ира" };

function messageUpdate(fields: Record<string, unknown>, chat: Record<string, unknown> = privateChat): Update {
  return {
    update_id: 7,
    message: { message_id: 5, date: 1_700_000_000, chat, from, ...fields },
  } as unknown as Update;
}

describe("normalizeUpdate", () => {
  it("should turn a private text message into a text event with ids, time and language", () => {
    expect(normalizeUpdate(messageUpdate({ text: "сайт не работает" }))).toEqual({
      channel: "telegram",
      conversationKey: "tg-42",
      chatId: "42",
      userId: "42",
      kind: "text",
      text: "сайт не работает",
      updateId: "7",
      messageId: "5",
      at: 1_700_000_000_000,
      languageHint: "ru",
    });
  });

  it("should ignore messages outside private chats", () => {
    const group = { id: -100123, type: "supergroup", title: "desk" };
    expect(normalizeUpdate(messageUpdate({ text: "hi" }, group))).toBeUndefined();
    expect(
      normalizeUpdate(messageUpdate({ text: "hi" }, { id: -5, type: "group", title: "g" })),
    ).toBeUndefined();
  });

  it("should ignore messages from bots", () => {
    const update = messageUpdate({ text: "hi", from: { id: 9, is_bot: true, first_name: "b" } });
    expect(normalizeUpdate(update)).toBeUndefined();
  });

  it("should read /start, /operator and /cancel as commands, with or without this bot's @name", () => {
    const opts = { botUsername: "support_bot" };
    expect(normalizeUpdate(messageUpdate({ text: "/start" }), opts)).toMatchObject({
      kind: "command",
      command: "start",
    });
    expect(normalizeUpdate(messageUpdate({ text: "/operator@Support_Bot" }), opts)).toMatchObject({
      kind: "command",
      command: "operator",
    });
    expect(normalizeUpdate(messageUpdate({ text: "/cancel please" }), opts)).toMatchObject({
      command: "cancel",
    });
    expect(normalizeUpdate(messageUpdate({ text: "/start ref123" }), opts)).toMatchObject({
      command: "start",
    });
  });

  it("should keep unknown commands and commands for another bot as text", () => {
    const opts = { botUsername: "support_bot" };
    expect(normalizeUpdate(messageUpdate({ text: "/help" }), opts)).toMatchObject({
      kind: "text",
      text: "/help",
    });
    expect(normalizeUpdate(messageUpdate({ text: "/start@other_bot" }), opts)).toMatchObject({
      kind: "text",
    });
    expect(commandOf("/startx")).toBeUndefined();
    expect(commandOf("start")).toBeUndefined();
  });

  it.each([
    ["sticker", { sticker: { file_id: "s" } }],
    ["photo", { photo: [{ file_id: "p" }], caption: "скрин" }],
    ["voice", { voice: { file_id: "v" } }],
    ["video", { video: { file_id: "v" } }],
    ["document", { document: { file_id: "d" } }],
    ["animation", { animation: { file_id: "a" }, document: { file_id: "a" } }],
    ["audio", { audio: { file_id: "a" } }],
    ["video_note", { video_note: { file_id: "n" } }],
    ["location", { location: { latitude: 1, longitude: 2 } }],
    ["contact", { contact: { phone_number: "+7", first_name: "x" } }],
  ])("should report a %s as unsupported", (kind, fields) => {
    expect(normalizeUpdate(messageUpdate(fields))).toMatchObject({
      kind: "unsupported",
      unsupportedKind: kind,
    });
  });

  it("should keep a photo's caption apart from the text, for the flow to mask", () => {
    const event = normalizeUpdate(messageUpdate({ photo: [{ file_id: "p" }], caption: "скрин ошибки" }));
    expect(event).toMatchObject({ kind: "unsupported", unsupportedKind: "photo", caption: "скрин ошибки" });
    expect(event?.text).toBeUndefined();
  });

  it("should report an edited message as its own kind, with the new text for the flow to mask", () => {
    const update = {
      update_id: 8,
      edited_message: {
        message_id: 5,
        date: 1_700_000_000,
        edit_date: 1_700_000_100,
        chat: privateChat,
        from,
        text: "x",
      },
    } as unknown as Update;
    expect(normalizeUpdate(update)).toMatchObject({
      kind: "unsupported",
      unsupportedKind: "edited_message",
      editedText: "x",
      messageId: "5",
    });
  });

  it("should ignore service messages nobody wrote", () => {
    expect(normalizeUpdate(messageUpdate({ write_access_allowed: {} }))).toBeUndefined();
  });

  it("should turn a callback query into a button event with its payload and label", () => {
    const update = {
      update_id: 9,
      callback_query: {
        id: "cq1",
        from,
        chat_instance: "ci",
        data: "cat:general",
        message: {
          message_id: 11,
          date: 1_700_000_000,
          chat: privateChat,
          text: "Уточните",
          reply_markup: { inline_keyboard: [[{ text: "Общий вопрос", callback_data: "cat:general" }]] },
        },
      },
    } as unknown as Update;
    expect(normalizeUpdate(update)).toMatchObject({
      kind: "button",
      payload: "cat:general",
      text: "Общий вопрос",
      conversationKey: "tg-42",
      chatId: "42",
      updateId: "9",
      messageId: "11",
    });
  });

  it("should ignore callback queries without a private message (inline mode, groups)", () => {
    const update = {
      update_id: 10,
      callback_query: { id: "cq", from, chat_instance: "c", data: "x" },
    } as unknown as Update;
    expect(normalizeUpdate(update)).toBeUndefined();
  });
});
