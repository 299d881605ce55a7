import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVkChannel, type VkChannel } from "../../adapters/vk/channel.js";
import { DeliveryError } from "../../src/channel.js";
import type { AcceptStatus, InboundSink } from "../../src/engine/inbound-sink.js";
import type { InboundEvent } from "../../flows/model.js";
import { FakeVkApi } from "../fakes/vk-api.js";
import { memoryLogger } from "../helpers/memory-logger.js";

/** Stands in for the core: records what the adapter hands it. */
class RecordingSink implements InboundSink {
  readonly events: InboundEvent[] = [];
  async accept(event: InboundEvent): Promise<AcceptStatus> {
    this.events.push(event);
    return "handled";
  }
}

const SECRET_TEXT = "мой пароль hunter2";

describe("VK sender against the fake VK API", () => {
  let fake: FakeVkApi;
  let channel: VkChannel;
  const sink = new RecordingSink();
  const logs = memoryLogger();

  beforeAll(async () => {
    fake = await FakeVkApi.start();
    channel = createVkChannel({
      token: fake.token,
      groupId: fake.groupId,
      apiBaseUrl: fake.apiBaseUrl,
      mode: "longpoll",
      sink,
      logger: logs.logger,
      retry: { baseMs: 5, maxMs: 20 },
    });
  });
  afterAll(async () => {
    await channel.stop();
    await fake.close();
  });

  it("should post a reply with an inline keyboard, and post it once however often it is retried", async () => {
    const reply = {
      text: "Помогло?",
      buttons: [
        [
          { label: "Да", payload: "fb:yes" },
          { label: "Нет", payload: "fb:no" },
        ],
      ],
    };
    const first = await channel.sender.send("601", reply, { idempotencyKey: "vk-601-ev1-0" });
    const again = await channel.sender.send("601", reply, { idempotencyKey: "vk-601-ev1-0" });
    expect(again.messageId).toBe(first.messageId);
    const [message, ...rest] = fake.takeMessages(601);
    expect(rest).toEqual([]);
    expect(message?.text).toBe("Помогло?");
    expect(message?.keyboard?.inline).toBe(true);
    expect(message?.keyboard?.buttons.flat().map((b) => b.action.payload)).toEqual([
      '{"p":"fb:yes"}',
      '{"p":"fb:no"}',
    ]);
    expect(fake.callsTo("messages.send", 601)).toHaveLength(2);
  });

  it("should split a long reply within 4096 characters, keyboard on the last part", async () => {
    const text = Array.from({ length: 300 }, (_, i) => `Строка ${i}: ${"текст ".repeat(5)}`).join("\n");
    await channel.sender.send(
      "602",
      { text, buttons: [[{ label: "Ок", payload: "ok" }]] },
      { idempotencyKey: "k-602" },
    );
    const parts = fake.takeMessages(602);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.every((m) => m.text.length <= 4096)).toBe(true);
    expect(parts.map((m) => m.keyboard !== undefined)).toEqual(parts.map((_, i) => i === parts.length - 1));
    expect(new Set(parts.map((m) => m.randomId)).size).toBe(parts.length);
  });

  it("should retry flood control (9) and rate limit (29) and still deliver", async () => {
    fake.failNext("messages.send", 9, { peerId: 603 });
    fake.failNext("messages.send", 29, { peerId: 603 });
    await channel.sender.send("603", { text: "Ответ" }, { idempotencyKey: "k-603" });
    expect(fake.takeMessages(603).map((m) => m.text)).toEqual(["Ответ"]);
    expect(fake.callsTo("messages.send", 603)).toHaveLength(3);
  });

  it("should stop retrying a rate limit after the bounded tries, without calling it undeliverable", async () => {
    fake.failNext("messages.send", 29, { peerId: 604, times: 10 });
    const error = await channel.sender
      .send("604", { text: "x" }, { idempotencyKey: "k-604" })
      .catch((e: unknown) => e);
    // Transient: the engine keeps the reply and sends it again later (tests/e2e/vk-transient.test.ts).
    expect(error).not.toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ name: "VkTransientError", code: 29, attempts: 4 });
    expect(fake.callsTo("messages.send", 604)).toHaveLength(4);
  });

  it("should throw DeliveryError «blocked» on 901 and 902 after exactly one attempt", async () => {
    for (const [peer, code] of [
      [605, 901],
      [606, 902],
    ] as const) {
      fake.failNext("messages.send", code, { peerId: peer });
      const error = await channel.sender
        .send(String(peer), { text: "x" }, { idempotencyKey: `k-${peer}` })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        name: "DeliveryError",
        channel: "vk",
        reason: "blocked",
        platformCode: code,
      });
      expect(fake.callsTo("messages.send", peer)).toHaveLength(1);
    }
  });

  it("should edit a message in place, and send a new one when VK refuses the edit", async () => {
    const sent = await channel.sender.send(
      "607",
      { text: "Вы 3-й в очереди" },
      { idempotencyKey: "k-607-a" },
    );
    const edited = await channel.sender.send(
      "607",
      { text: "Вы 1-й в очереди", tag: "queue", edit: true },
      { idempotencyKey: "k-607-b", editMessageId: sent.messageId },
    );
    expect(edited.messageId).toBe(sent.messageId);
    expect(fake.messagesTo(607).map((m) => [m.text, m.edits])).toEqual([["Вы 1-й в очереди", 1]]);
    const fallback = await channel.sender.send(
      "607",
      { text: "Специалист подключился", tag: "queue", edit: true },
      { idempotencyKey: "k-607-c", editMessageId: "999999" },
    );
    expect(fallback.messageId).not.toBe(sent.messageId);
    expect(fake.messagesTo(607).map((m) => m.text)).toEqual(["Вы 1-й в очереди", "Специалист подключился"]);
  });

  it("should send a numbered list when buttons do not fit, and read the customer's number as the press", async () => {
    const buttons = Array.from({ length: 12 }, (_, i) => [
      { label: `Тема ${i + 1}`, payload: `topic:${i + 1}` },
    ]);
    await channel.sender.send("608", { text: "Выберите тему", buttons }, { idempotencyKey: "k-608" });
    const [message] = fake.takeMessages(608);
    expect(message?.keyboard).toBeUndefined();
    expect(message?.text).toContain("12. Тема 12");
    await channel.handleUpdate(fake.messageNew(608, { text: "3" }));
    expect(sink.events.at(-1)).toMatchObject({
      kind: "button",
      payload: "topic:3",
      conversationKey: "vk-608",
    });
    // The next reply without a list makes a number plain text again (a ticket number, say).
    await channel.sender.send("608", { text: "Номер заявки?" }, { idempotencyKey: "k-608-b" });
    await channel.handleUpdate(fake.messageNew(608, { text: "3" }));
    expect(sink.events.at(-1)).toMatchObject({ kind: "text", text: "3" });
  });

  it("should turn the buttons into a numbered list when bot abilities are off (912)", async () => {
    fake.failNext("messages.send", 912, { peerId: 609 });
    await channel.sender.send(
      "609",
      {
        text: "Помогло?",
        buttons: [
          [
            { label: "Да", payload: "fb:yes" },
            { label: "Нет", payload: "fb:no" },
          ],
        ],
      },
      { idempotencyKey: "k-609" },
    );
    const [message] = fake.takeMessages(609);
    expect(message?.text).toBe("Помогло?\n\n1. Да\n2. Нет");
    await channel.handleUpdate(fake.messageNew(609, { text: "2" }));
    expect(sink.events.at(-1)).toMatchObject({ kind: "button", payload: "fb:no" });
  });

  it("should never log what a customer wrote or what the bot sent", async () => {
    fake.failNext("messages.send", 9, { peerId: 610 });
    await channel.sender.send("610", { text: SECRET_TEXT }, { idempotencyKey: "k-610" });
    await channel.handleUpdate(fake.messageNew(610, { text: SECRET_TEXT }));
    expect(logs.text()).not.toContain("hunter2");
    expect(logs.text()).not.toContain(fake.token);
  });
});
