import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { type Logger, pino } from "pino";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTelegramChannel, type TelegramChannel } from "../../adapters/telegram/bot.js";
import { ButtonPayloadError } from "../../adapters/telegram/keyboard.js";
import { createTelegramSender } from "../../adapters/telegram/sender.js";
import { WEBHOOK_PATH } from "../../adapters/telegram/webhook.js";
import { DeliveryError } from "../../src/channel.js";
import type { AcceptStatus, InboundSink } from "../../src/engine/inbound-sink.js";
import { createHttpServer } from "../../src/http/server.js";
import type { InboundEvent } from "../../src/model.js";
import { BLOCKED, FakeTelegramApi } from "../fakes/telegram-api.js";

/** A logger that keeps every line, so tests can check that no message text is ever logged. */
function memoryLogger(): { logger: Logger; text(): string } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: "debug" }, stream), text: () => lines.join("") };
}

/** A sink standing in for the core: records events, answers with a reply, can fail on demand. */
class TestSink implements InboundSink {
  readonly events: InboundEvent[] = [];
  failures = 0;
  gate: Promise<void> | undefined;
  /** Holds one chat's events until the promise settles. */
  readonly chatGates = new Map<string, Promise<void>>();
  private waiters: { count: number; resolve: () => void }[] = [];
  private enterWaiters: (() => void)[] = [];
  constructor(private readonly reply?: (e: InboundEvent) => Promise<void>) {}

  /** Resolves when the next event reaches the sink. */
  entered(): Promise<void> {
    return new Promise((resolve) => this.enterWaiters.push(resolve));
  }

  async accept(event: InboundEvent): Promise<AcceptStatus> {
    for (const w of this.enterWaiters.splice(0)) w();
    if (this.failures > 0) {
      this.failures--;
      throw new Error("redis is down (simulated)");
    }
    await this.gate;
    await this.chatGates.get(event.chatId);
    this.events.push(event);
    await this.reply?.(event);
    this.waiters = this.waiters.filter((w) => {
      if (this.events.length < w.count) return true;
      w.resolve();
      return false;
    });
    return "handled";
  }

  /** Resolves once `count` events in total have been accepted. */
  until(count: number): Promise<void> {
    if (this.events.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}

const CHAT = 501;
const silent = pino({ level: "silent" });

describe("Telegram sender against the fake Bot API", () => {
  let fake: FakeTelegramApi;
  let channel: TelegramChannel;
  const logs = memoryLogger();

  beforeAll(async () => {
    fake = await FakeTelegramApi.start();
    // The channel is only built (not started) to get a sender over an Api with the retry transformers.
    channel = createTelegramChannel({
      token: fake.token,
      apiRoot: fake.apiRoot,
      mode: "polling",
      sink: new TestSink(),
      logger: logs.logger,
      retry: { networkDelayMs: 20 },
    });
  });
  afterAll(async () => {
    await fake.close();
  });

  it("should split a 5,000-character reply in two, at a line break, with the buttons on the last part", async () => {
    const line = "Проверьте записи домена и почты в панели управления хостингом.";
    const text = Array.from({ length: 80 }, (_, i) => `${i + 1}. ${line}`).join("\n");
    expect(text.length).toBeGreaterThan(5000);
    const arrived = fake.nextMessages(CHAT, 2);
    const sent = await channel.sender.send(
      String(CHAT),
      { text, buttons: [[{ label: "Помогло", payload: "fb:yes" }]] },
      { idempotencyKey: "k1" },
    );
    const [first, second] = await arrived;
    expect(first?.text.length).toBeLessThanOrEqual(4096);
    expect(second?.text.length).toBeLessThanOrEqual(4096);
    expect(`${first?.text}\n${second?.text}`).toBe(text);
    expect(first?.reply_markup).toBeUndefined();
    expect(second?.reply_markup?.inline_keyboard[0]?.[0]).toEqual({
      text: "Помогло",
      callback_data: "fb:yes",
    });
    expect(sent.messageId).toBe(String(second?.message_id));
  });

  it("should send customer-supplied text verbatim with no parse mode, so `<3` or `*_[` cannot break it", async () => {
    const text = "Ваш логин: <3 *_[ `x` <b>кот</b> & _мяу";
    // The fake rejects such text under a parse mode, as Telegram does; the adapter must not set one.
    await expect(channel.bot.api.sendMessage(CHAT, text, { parse_mode: "HTML" })).rejects.toThrow(
      /can't parse entities/,
    );
    await expect(channel.bot.api.sendMessage(CHAT, text, { parse_mode: "Markdown" })).rejects.toThrow(
      /can't parse/,
    );
    const arrived = fake.nextMessages(CHAT, 1);
    await channel.sender.send(
      String(CHAT),
      { text, buttons: [[{ label: "<3 *_[", payload: "x" }]] },
      { idempotencyKey: "k" },
    );
    const [message] = await arrived;
    expect(message?.text).toBe(text);
    expect(message?.parse_mode).toBeUndefined();
    expect(message?.reply_markup?.inline_keyboard[0]?.[0]?.text).toBe("<3 *_[");
  });

  it("should edit a message in place, treat «not modified» as done, and send anew when the edit is impossible", async () => {
    const first = await channel.sender.send(
      String(CHAT),
      { text: "Вы в очереди: 3" },
      { idempotencyKey: "q1" },
    );
    const edited = await channel.sender.send(
      String(CHAT),
      { text: "Вы в очереди: 2", buttons: [[{ label: "Отменить", payload: "cancel" }]] },
      { idempotencyKey: "q2", editMessageId: first.messageId },
    );
    expect(edited.messageId).toBe(first.messageId);
    const message = fake.messagesTo(CHAT).find((m) => String(m.message_id) === first.messageId);
    expect(message).toMatchObject({ text: "Вы в очереди: 2", edits: 1 });
    expect(message?.reply_markup?.inline_keyboard[0]?.[0]?.callback_data).toBe("cancel");

    const before = fake.messagesTo(CHAT).length;
    const same = await channel.sender.send(
      String(CHAT),
      { text: "Вы в очереди: 2", buttons: [[{ label: "Отменить", payload: "cancel" }]] },
      { idempotencyKey: "q3", editMessageId: first.messageId },
    );
    expect(same.messageId).toBe(first.messageId);
    expect(fake.callsOf("editMessageText").at(-1)?.outcome).toBe(400);
    expect(fake.messagesTo(CHAT)).toHaveLength(before);

    const fresh = await channel.sender.send(
      String(CHAT),
      { text: "Вы в очереди: 1" },
      { idempotencyKey: "q4", editMessageId: "999999" },
    );
    expect(fresh.messageId).not.toBe("999999");
    expect(fake.messagesTo(CHAT).at(-1)?.text).toBe("Вы в очереди: 1");
  });

  it("should wait out a 429 retry_after and then deliver", async () => {
    fake.failNext("sendMessage", { kind: "retry_after", seconds: 1 });
    const attemptsBefore = fake.callsOf("sendMessage", CHAT).length;
    const started = performance.now();
    await channel.sender.send(String(CHAT), { text: "после паузы" }, { idempotencyKey: "r1" });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(950);
    const attempts = fake.callsOf("sendMessage", CHAT).slice(attemptsBefore);
    expect(attempts.map((c) => c.outcome)).toEqual([429, "ok"]);
    expect(fake.messagesTo(CHAT).at(-1)?.text).toBe("после паузы");
  });

  it("should retry a dropped connection and deliver", async () => {
    fake.failNext("sendMessage", { kind: "network" });
    const attemptsBefore = fake.callsOf("sendMessage", CHAT).length;
    await channel.sender.send(String(CHAT), { text: "через сбой сети" }, { idempotencyKey: "n1" });
    const attempts = fake.callsOf("sendMessage", CHAT).slice(attemptsBefore);
    expect(attempts.map((c) => c.outcome)).toEqual(["network", "ok"]);
  });

  it("should turn a 403 into DeliveryError(blocked) after exactly one attempt", async () => {
    fake.failNext("sendMessage", BLOCKED);
    const attemptsBefore = fake.callsOf("sendMessage", CHAT).length;
    const error = await channel.sender
      .send(String(CHAT), { text: "секретный-текст-403" }, { idempotencyKey: "b1" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ reason: "blocked", platformCode: 403, chatId: String(CHAT) });
    expect(fake.callsOf("sendMessage", CHAT).length - attemptsBefore).toBe(1);
  });

  it("should turn «chat not found» into DeliveryError(gone) without retrying", async () => {
    fake.markChatGone(404404);
    const error = await channel.sender
      .send("404404", { text: "никому" }, { idempotencyKey: "g1" })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "DeliveryError", reason: "gone" });
    expect(fake.callsOf("sendMessage", 404404)).toHaveLength(1);
  });

  it("should refuse a button payload over 64 bytes before calling Telegram", async () => {
    const sender = createTelegramSender(channel.bot.api, { strictButtons: true });
    const callsBefore = fake.calls.length;
    await expect(
      sender.send(
        String(CHAT),
        { text: "x", buttons: [[{ label: "x", payload: "p".repeat(65) }]] },
        { idempotencyKey: "p" },
      ),
    ).rejects.toBeInstanceOf(ButtonPayloadError);
    expect(fake.calls.length).toBe(callsBefore);
  });

  it("should never log message text", () => {
    expect(logs.text()).not.toContain("секретный-текст-403");
    expect(logs.text()).not.toContain("Проверьте записи домена");
  });
});

describe("Telegram channel by long polling (test sink)", () => {
  let fake: FakeTelegramApi;
  let channel: TelegramChannel;
  let sink: TestSink;
  const logs = memoryLogger();

  beforeEach(async () => {
    fake = await FakeTelegramApi.start();
    sink = new TestSink(async (e) => {
      await channel.sender.send(e.chatId, { text: `принято: ${e.kind}` }, { idempotencyKey: e.updateId });
    });
    channel = createTelegramChannel({
      token: fake.token,
      apiRoot: fake.apiRoot,
      mode: "polling",
      sink,
      logger: logs.logger,
    });
  });
  afterEach(async () => {
    await channel.stop();
    await fake.close();
  });

  it("should set the command menu, drop a stale webhook, and start even when setMyCommands fails", async () => {
    fake.webhook = { url: "https://old.example.com/hook" };
    fake.failNext("setMyCommands", {
      kind: "error",
      code: 400,
      description: "Bad Request: BOT_COMMAND_INVALID",
    });
    await channel.start();
    expect(fake.webhook).toBeUndefined();
    expect(fake.commands.get("en")).toBeDefined();
    const reply = fake.nextMessages(CHAT, 1);
    fake.sendText(CHAT, "привет");
    expect((await reply)[0]?.text).toBe("принято: text");
  });

  it("should hand over one chat's updates in order and answer every button press", async () => {
    await channel.start();
    const texts = ["один", "два", "три", "четыре"];
    for (const t of texts) fake.sendText(CHAT, t);
    fake.sendText(CHAT + 1, "другой чат");
    const press = fake.pressButton(CHAT, 1, "fb:yes");
    fake.sendSticker(CHAT);
    await sink.until(7);
    const mine = sink.events.filter((e) => e.chatId === String(CHAT));
    expect(mine.map((e) => e.text ?? e.payload ?? e.unsupportedKind)).toEqual([
      ...texts,
      "fb:yes",
      "sticker",
    ]);
    expect(mine.at(-1)).toMatchObject({ kind: "unsupported", unsupportedKind: "sticker" });
    const query = press.callback_query?.id ?? "";
    if (!fake.answeredCallbacks.has(query)) await fake.nextCall("answerCallbackQuery");
    expect(fake.answeredCallbacks.has(query)).toBe(true);
  });

  it("should not let a slow chat hold up another chat in the same batch", async () => {
    let release!: () => void;
    sink.chatGates.set(
      String(CHAT),
      new Promise((resolve) => {
        release = resolve;
      }),
    );
    fake.sendText(CHAT, "медленный");
    fake.sendText(CHAT + 7, "быстрый");
    await channel.start();
    await sink.until(1);
    expect(sink.events.map((e) => e.text)).toEqual(["быстрый"]);
    release();
    await sink.until(2);
    expect(sink.events.map((e) => e.text)).toEqual(["быстрый", "медленный"]);
  });

  it("should answer a button press even when it is for nothing the flow knows (a group, a stale message)", async () => {
    await channel.start();
    const answer = fake.nextCall("answerCallbackQuery");
    const stale = fake.queueUpdate(
      fake.buttonUpdate(CHAT, 1, "old", { inChat: { id: -100777, type: "supergroup", title: "g" } }),
    );
    expect((await answer).params.callback_query_id).toBe(stale.callback_query?.id);
    expect((await answer).outcome).toBe("ok");
    expect(sink.events.find((e) => e.updateId === String(stale.update_id))).toBeUndefined();
  });

  it("should retry an update the sink could not take, so nothing is lost and order holds", async () => {
    await channel.start();
    sink.failures = 1;
    fake.sendText(CHAT, "первое");
    fake.sendText(CHAT, "второе");
    await sink.until(2);
    expect(sink.events.map((e) => e.text)).toEqual(["первое", "второе"]);
    expect(logs.text()).not.toContain("первое");
  });

  it("should stop while a long poll is held, and confirm what it handled", async () => {
    await channel.start();
    fake.sendText(CHAT, "до остановки");
    await sink.until(1);
    // The loop is now back in a held long poll; stop must end it at once, not after 30 s.
    await fake.heldPoll();
    const started = performance.now();
    await channel.stop();
    expect(performance.now() - started).toBeLessThan(5000);
    expect(fake.unconfirmed).toHaveLength(0);
  });
});

describe("Telegram channel by webhook (test sink)", () => {
  const SECRET = "s3cret_token-for-tests";
  let fake: FakeTelegramApi;
  let channel: TelegramChannel;
  let sink: TestSink;
  let server: ReturnType<typeof createHttpServer>;
  let url: string;

  beforeAll(async () => {
    fake = await FakeTelegramApi.start();
    sink = new TestSink(async (e) => {
      await channel.sender.send(e.chatId, { text: `принято: ${e.kind}` }, { idempotencyKey: e.updateId });
    });
    channel = createTelegramChannel({
      token: fake.token,
      apiRoot: fake.apiRoot,
      mode: "webhook",
      sink,
      logger: silent,
      webhook: { url: "https://bot.example.com/", secret: SECRET },
    });
    server = createHttpServer({ routes: channel.routes, logger: silent });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${WEBHOOK_PATH}`;
    await channel.start();
  });
  afterAll(async () => {
    await channel.stop();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await fake.close();
  });

  const post = (body: string, secret: string | null = SECRET) =>
    fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(secret !== null ? { "x-telegram-bot-api-secret-token": secret } : {}),
      },
      body,
    });

  it("should register the webhook with its secret and the update types it reads", () => {
    expect(fake.webhook).toEqual({
      url: `https://bot.example.com${WEBHOOK_PATH}`,
      secret_token: SECRET,
      allowed_updates: ["message", "edited_message", "callback_query"],
    });
  });

  it("should answer 401 to a wrong or missing secret", async () => {
    const update = JSON.stringify(fake.makeUpdate(fake.textUpdate(CHAT, "x")));
    expect((await post(update, "wrong")).status).toBe(401);
    expect((await post(update, `${SECRET}x`)).status).toBe(401);
    expect((await post(update, null)).status).toBe(401);
    expect(sink.events).toHaveLength(0);
  });

  it("should answer 400 to a body that is not an update, and keep serving", async () => {
    for (const body of [
      "{not json",
      "[]",
      "42",
      '{"update_id":"7"}',
      '{"update_id":-1}',
      '{"update_id":1,"message":"hi"}',
    ]) {
      expect((await post(body)).status, body).toBe(400);
    }
    const reply = fake.nextMessages(CHAT, 1);
    expect((await post(JSON.stringify(fake.makeUpdate(fake.textUpdate(CHAT, "ок"))))).status).toBe(200);
    await reply;
  });

  it("should answer 200 only after the sink made the update durable", async () => {
    const order: string[] = [];
    let open!: () => void;
    sink.gate = new Promise<void>((resolve) => {
      open = resolve;
    }).then(() => {
      order.push("sink released");
    });
    const reply = fake.nextMessages(CHAT, 1);
    const response = post(JSON.stringify(fake.makeUpdate(fake.textUpdate(CHAT, "жду")))).then((r) => {
      order.push("http answered");
      return r;
    });
    await sink.entered();
    open();
    expect((await response).status).toBe(200);
    await reply;
    sink.gate = undefined;
    expect(order).toEqual(["sink released", "http answered"]);
  });

  it("should answer 500 when the sink fails, so Telegram redelivers", async () => {
    sink.failures = 1;
    const update = JSON.stringify(fake.makeUpdate(fake.textUpdate(CHAT, "упало")));
    expect((await post(update)).status).toBe(500);
    const reply = fake.nextMessages(CHAT, 1);
    expect((await post(update)).status).toBe(200);
    await reply;
  });
});
