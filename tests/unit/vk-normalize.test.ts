import { describe, expect, it } from "vitest";
import { InMemoryChoices, resolveChoice } from "../../adapters/vk/choices.js";
import { normalizeUpdate, textCommandOf } from "../../adapters/vk/normalize.js";
import { decodeButtonPayload, encodeButtonPayload } from "../../adapters/vk/payload.js";

const GROUP = 218000001;

function messageNew(
  message: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: "message_new",
    group_id: GROUP,
    event_id: "ev-1",
    v: "5.199",
    object: {
      message: {
        id: 77,
        date: 1_700_000_000,
        peer_id: 501,
        from_id: 501,
        out: 0,
        conversation_message_id: 12,
        text: "",
        attachments: [],
        ...message,
      },
      client_info: {
        button_actions: ["text", "callback"],
        keyboard: true,
        inline_keyboard: true,
        lang_id: 0,
      },
    },
    ...extra,
  };
}

describe("normalizeUpdate (VK)", () => {
  it("should mark a photo with a caption, so the desk fetches the photo as well as the words", () => {
    const photo = { type: "photo", photo: { sizes: [] } };
    expect(normalizeUpdate(messageNew({ text: "скрин ошибки", attachments: [photo] }))).toMatchObject({
      event: { kind: "text", text: "скрин ошибки", withAttachments: true },
    });
    const plain = normalizeUpdate(messageNew({ text: "просто текст" }));
    expect("event" in plain ? plain.event : undefined).not.toHaveProperty("withAttachments");
  });

  it("should turn message_edit into an edit with the new text, one update per edit", () => {
    const edit = (text: string, date: number) => ({
      type: "message_edit",
      group_id: GROUP,
      v: "5.199",
      object: {
        id: 77,
        date,
        peer_id: 501,
        from_id: 501,
        out: 0,
        conversation_message_id: 12,
        text,
        attachments: [],
      },
    });
    const first = normalizeUpdate(edit("новый текст", 1_700_000_100));
    expect(first).toMatchObject({
      event: {
        kind: "unsupported",
        unsupportedKind: "edited_message",
        editedText: "новый текст",
        messageId: "77",
      },
    });
    const second = normalizeUpdate(edit("ещё новее", 1_700_000_200));
    const idOf = (n: typeof first) => ("event" in n ? n.event?.updateId : undefined);
    expect(idOf(second)).toBeDefined();
    expect(idOf(second)).not.toBe(idOf(first));
    expect(
      normalizeUpdate({ ...edit("x", 1), object: { ...edit("x", 1).object, out: 1, from_id: -GROUP } }),
    ).toEqual({
      ignored: "own_message",
    });
  });

  it("should turn a text message into a text event with ids, time and language", () => {
    expect(normalizeUpdate(messageNew({ text: "сайт не открывается" }))).toEqual({
      event: {
        channel: "vk",
        conversationKey: "vk-501",
        chatId: "501",
        userId: "501",
        kind: "text",
        text: "сайт не открывается",
        updateId: "ev-1",
        messageId: "77",
        at: 1_700_000_000_000,
        languageHint: "ru",
      },
    });
  });

  it("should use the peer id plus conversation_message_id when the update has no event_id", () => {
    const update = messageNew({ text: "привет" }, { event_id: undefined });
    expect(normalizeUpdate(update)).toMatchObject({
      event: { updateId: "501-12" },
    });
  });

  it("should read the «Начать» button (payload command start) and the typed word as the start command", () => {
    const button = normalizeUpdate(messageNew({ text: "Начать", payload: '{"command":"start"}' }));
    expect(button).toMatchObject({ event: { kind: "command", command: "start" } });
    for (const text of ["Начать", "начать!", "/start", "Start"]) {
      expect(normalizeUpdate(messageNew({ text }))).toMatchObject({
        event: { kind: "command", command: "start" },
      });
    }
  });

  it("should map the slash commands and leave the words «оператор» and «отмена» to the flow", () => {
    expect(textCommandOf("/operator")).toBe("operator");
    expect(textCommandOf("/cancel")).toBe("cancel");
    expect(textCommandOf("оператор")).toBeUndefined();
    expect(textCommandOf("отмена")).toBeUndefined();
    expect(textCommandOf("начать работу сайта")).toBeUndefined();
  });

  it("should turn our keyboard payload into a button event carrying the label as text", () => {
    const update = messageNew({ text: "Нужен специалист", payload: encodeButtonPayload("fb:no") });
    expect(normalizeUpdate(update)).toMatchObject({
      event: { kind: "button", payload: "fb:no", text: "Нужен специалист" },
    });
  });

  it("should treat a payload that is not ours as the message's text", () => {
    const update = messageNew({ text: "привет", payload: '{"button":"1"}' });
    expect(normalizeUpdate(update)).toMatchObject({ event: { kind: "text", text: "привет" } });
  });

  it("should report stickers, photos, voice and other attachments without text as unsupported", () => {
    for (const type of ["sticker", "photo", "audio_message", "doc", "video"]) {
      expect(normalizeUpdate(messageNew({ attachments: [{ type }] }))).toMatchObject({
        event: { kind: "unsupported", unsupportedKind: type },
      });
    }
    expect(normalizeUpdate(messageNew({ geo: { type: "point" } }))).toMatchObject({
      event: { kind: "unsupported", unsupportedKind: "geo" },
    });
  });

  it("should keep a photo's caption as text", () => {
    const update = messageNew({ text: "вот ошибка", attachments: [{ type: "photo" }] });
    expect(normalizeUpdate(update)).toMatchObject({ event: { kind: "text", text: "вот ошибка" } });
  });

  it("should ignore the community's own messages, group chats, service messages and other update types", () => {
    expect(normalizeUpdate(messageNew({ text: "ответ", out: 1 }))).toEqual({ ignored: "own_message" });
    expect(normalizeUpdate(messageNew({ text: "ответ", from_id: -GROUP }))).toEqual({
      ignored: "own_message",
    });
    expect(normalizeUpdate(messageNew({ text: "hi", peer_id: 2_000_000_001 }))).toEqual({
      ignored: "group_chat",
    });
    expect(normalizeUpdate(messageNew({ text: "", action: { type: "chat_invite_user" } }))).toEqual({
      ignored: "service_message",
    });
    expect(normalizeUpdate({ type: "message_reply", object: {}, group_id: GROUP })).toEqual({
      ignored: "message_reply",
    });
    expect(normalizeUpdate("garbage")).toEqual({ ignored: "malformed" });
  });

  it("should read the pre-5.103 shape, where the object is the message", () => {
    const update = {
      type: "message_new",
      group_id: GROUP,
      object: { peer_id: 9, from_id: 9, text: "hi", date: 1 },
    };
    expect(normalizeUpdate(update)).toMatchObject({
      event: { kind: "text", conversationKey: "vk-9", updateId: "9-m0" },
    });
  });

  it("should turn a callback button press into a button event and keep what is needed to answer it", () => {
    const update = {
      type: "message_event",
      group_id: GROUP,
      event_id: "ev-9",
      object: { user_id: 501, peer_id: 501, event_id: "press-1", payload: { p: "cat:general" } },
    };
    expect(normalizeUpdate(update, { now: () => 42 })).toEqual({
      event: {
        channel: "vk",
        conversationKey: "vk-501",
        chatId: "501",
        userId: "501",
        kind: "button",
        payload: "cat:general",
        updateId: "ev-9",
        at: 42,
      },
      answer: { eventId: "press-1", userId: 501, peerId: 501 },
    });
  });

  it("should still answer a press whose payload is not ours, so the button stops spinning", () => {
    const update = {
      type: "message_event",
      group_id: GROUP,
      object: { user_id: 5, peer_id: 5, event_id: "press-2", payload: { other: 1 } },
    };
    expect(normalizeUpdate(update)).toEqual({
      ignored: "unknown_payload",
      answer: { eventId: "press-2", userId: 5, peerId: 5 },
    });
  });
});

describe("button payloads", () => {
  it("should round-trip our payloads and VK's start command", () => {
    expect(decodeButtonPayload(encodeButtonPayload("cat:billing"))).toEqual({
      kind: "button",
      payload: "cat:billing",
    });
    expect(decodeButtonPayload({ p: "x" })).toEqual({ kind: "button", payload: "x" });
    expect(decodeButtonPayload('{"command":"start"}')).toEqual({ kind: "command", command: "start" });
    expect(decodeButtonPayload("not json")).toBeUndefined();
    expect(decodeButtonPayload('{"command":"reboot"}')).toBeUndefined();
  });
});

describe("numbered-list answers", () => {
  it("should read a bare number as the matching choice of the peer's latest list, and nothing else", async () => {
    const memory = new InMemoryChoices();
    await memory.remember("501", ["a", "b", "c"]);
    const base = {
      channel: "vk" as const,
      conversationKey: "vk-501",
      chatId: "501",
      userId: "501",
      updateId: "u",
      at: 0,
    };
    expect(await resolveChoice({ ...base, kind: "text", text: " 2. " }, memory)).toMatchObject({
      kind: "button",
      payload: "b",
      text: " 2. ",
    });
    expect(await resolveChoice({ ...base, kind: "text", text: "7" }, memory)).toMatchObject({ kind: "text" });
    expect(await resolveChoice({ ...base, kind: "text", text: "2 штуки" }, memory)).toMatchObject({
      kind: "text",
    });
    await memory.forget("501");
    expect(await resolveChoice({ ...base, kind: "text", text: "2" }, memory)).toMatchObject({ kind: "text" });
  });

  it("should let a list expire and evict the oldest peer past the cap", async () => {
    let now = 0;
    const memory = new InMemoryChoices({ ttlMs: 100, maxPeers: 2, now: () => now });
    await memory.remember("1", ["a"]);
    await memory.remember("2", ["b"]);
    await memory.remember("3", ["c"]);
    expect(await memory.recall("1", 1)).toBeUndefined();
    expect(await memory.recall("3", 1)).toBe("c");
    now = 101;
    expect(await memory.recall("3", 1)).toBeUndefined();
  });
});
