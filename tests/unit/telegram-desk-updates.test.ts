import type { Update } from "grammy/types";
import { describe, expect, it } from "vitest";
import { toDeskUpdate } from "../../adapters/telegram/desk-updates.js";

const DESK = -1001234;
const agent = { id: 77, is_bot: false, first_name: "Анна", last_name: "К." };
const desk = { id: DESK, type: "supergroup", title: "desk", is_forum: true };
const BOT = { id: 42, username: "support_test_bot" };
const post = (extra: Record<string, unknown>, kind = "message") =>
  ({
    update_id: 9,
    [kind]: {
      message_id: 3,
      date: 1,
      chat: desk,
      from: agent,
      is_topic_message: true,
      message_thread_id: 12,
      ...extra,
    },
  }) as unknown as Update;

describe("toDeskUpdate", () => {
  it("should turn an agent's topic post into a desk message with its thread", () => {
    const update = {
      update_id: 1,
      message: {
        message_id: 3,
        date: 1,
        chat: desk,
        from: agent,
        text: "Добрый день",
        is_topic_message: true,
        message_thread_id: 12,
      },
    } as unknown as Update;
    expect(toDeskUpdate(update, DESK, BOT)).toEqual({
      kind: "message",
      threadId: 12,
      messageId: 3,
      text: "Добрый день",
      agentId: "77",
      agentName: "Анна К.",
    });
  });

  it("should turn a button press in the desk into a desk callback", () => {
    const update = {
      update_id: 2,
      callback_query: {
        id: "q",
        from: agent,
        chat_instance: "c",
        data: "take:1",
        message: { message_id: 4, date: 1, chat: desk },
      },
    } as unknown as Update;
    expect(toDeskUpdate(update, DESK, BOT)).toEqual({
      kind: "callback",
      callbackId: "q",
      data: "take:1",
      messageId: 4,
      agentId: "77",
      agentName: "Анна К.",
    });
  });

  it("should ignore other chats, bots and service posts", () => {
    const other = {
      update_id: 3,
      message: { message_id: 1, date: 1, chat: { id: 5, type: "private" }, from: agent, text: "x" },
    };
    const bot = {
      update_id: 4,
      message: {
        message_id: 1,
        date: 1,
        chat: desk,
        from: { id: 1, is_bot: true, first_name: "b" },
        text: "x",
      },
    };
    const service = {
      update_id: 5,
      message: { message_id: 1, date: 1, chat: desk, from: agent, forum_topic_created: { name: "t" } },
    };
    for (const u of [other, bot, service])
      expect(toDeskUpdate(u as unknown as Update, DESK, BOT)).toBeUndefined();
  });

  it("should ignore a command addressed to another bot, and strip this bot's name from its own", () => {
    expect(toDeskUpdate(post({ text: "/close@SomeOtherBot" }), DESK, BOT)).toBeUndefined();
    expect(toDeskUpdate(post({ text: "/close@Support_Test_Bot" }), DESK, BOT)).toMatchObject({
      text: "/close",
    });
    expect(toDeskUpdate(post({ text: "/t panel" }), DESK, BOT)).toMatchObject({ text: "/t panel" });
  });

  it("should pass the bot's own forum_topic_created on, to adopt the topic", () => {
    const created = post({
      from: { id: 42, is_bot: true, first_name: "b" },
      forum_topic_created: { name: "⏳ #7 · TG" },
    });
    expect(toDeskUpdate(created, DESK, BOT)).toEqual({
      kind: "topic_created",
      threadId: 12,
      name: "⏳ #7 · TG",
    });
  });

  it("should carry edits, and media with its caption and file", () => {
    expect(toDeskUpdate(post({ text: "исправлено" }, "edited_message"), DESK, BOT)).toMatchObject({
      kind: "message",
      text: "исправлено",
      edited: true,
    });
    const photo = post({ caption: "вот", photo: [{ file_id: "small" }, { file_id: "big" }] });
    expect(toDeskUpdate(photo, DESK, BOT)).toMatchObject({
      text: "вот",
      media: { kind: "photo", fileId: "big" },
    });
    const doc = post({ document: { file_id: "d1", file_name: "log.txt" } });
    expect(toDeskUpdate(doc, DESK, BOT)).toMatchObject({
      media: { kind: "document", fileId: "d1", fileName: "log.txt" },
    });
  });
});
