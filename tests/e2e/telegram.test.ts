import { randomUUID } from "node:crypto";
import type { Update } from "grammy/types";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTelegramChannel, type TelegramChannel } from "../../adapters/telegram/bot.js";
import { ButtonPayloadError } from "../../adapters/telegram/keyboard.js";
import { createTelegramSender } from "../../adapters/telegram/sender.js";
import { WEBHOOK_PATH } from "../../adapters/telegram/webhook.js";
import { DeliveryError } from "../../src/channel.js";
import type { AcceptStatus, InboundSink } from "../../src/engine/inbound-sink.js";
import { type Core, createCore } from "../../src/app/core.js";
import { createHttpServer } from "../../src/http/server.js";
import type { InboundEvent } from "../../flows/model.js";
import { BLOCKED, type FakeMessage, FakeTelegramApi } from "../fakes/telegram-api.js";
import { startTestRedis, type TestRedis } from "../helpers/redis-server.js";
import { memoryLogger } from "../helpers/memory-logger.js";

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
    url = `http://127.0.0.1:${await server.listen(0, "127.0.0.1")}${WEBHOOK_PATH}`;
    await channel.start();
  });
  afterAll(async () => {
    await channel.stop();
    await server.close();
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

/** Wraps the core's sink so a test can await the outcome of one update, whatever it replied. */
class TrackingSink implements InboundSink {
  private readonly outcomes = new Map<string, Promise<AcceptStatus>>();
  private readonly waiters = new Map<string, (p: Promise<AcceptStatus>) => void>();
  constructor(private readonly inner: InboundSink) {}

  accept(event: InboundEvent): Promise<AcceptStatus> {
    const outcome = this.inner.accept(event);
    const key = event.updateId;
    if (!this.outcomes.has(key)) this.outcomes.set(key, outcome);
    this.waiters.get(key)?.(outcome);
    this.waiters.delete(key);
    return outcome;
  }

  /** Resolves with the status of update `updateId` once the core has handled it. */
  handled(updateId: number): Promise<AcceptStatus> {
    const key = String(updateId);
    const known = this.outcomes.get(key);
    if (known) return known;
    return new Promise<Promise<AcceptStatus>>((resolve) => this.waiters.set(key, resolve)).then((p) => p);
  }
}

describe("Telegram customers through the core (real Redis, real flow)", () => {
  let redis: TestRedis;
  let core: Core;
  let fake: FakeTelegramApi;
  let channel: TelegramChannel;
  let sink: TrackingSink;
  let nextChat = 9000;
  const FLOOD = 8;

  beforeAll(async () => {
    redis = await startTestRedis({ appendonly: false });
    core = await createCore({
      redisUrl: redis.url,
      logger: silent,
      prefix: `test-${randomUUID()}`,
      // Above what any scenario here sends in a minute, low enough to test cheaply.
      floodLimit: { count: FLOOD, windowMs: 60_000 },
    });
    fake = await FakeTelegramApi.start();
    sink = new TrackingSink(core.sink);
    channel = createTelegramChannel({
      token: fake.token,
      apiRoot: fake.apiRoot,
      mode: "polling",
      sink,
      logger: silent,
    });
    core.registerSender(channel.sender);
    await channel.start();
  });
  afterAll(async () => {
    await channel.stop();
    await core.close();
    await fake.close();
    await redis.stop();
  });

  /** Queues an update, waits until the core has handled it, and returns the messages it produced. */
  async function say(chat: number, queue: () => Update): Promise<FakeMessage[]> {
    const before = fake.messagesTo(chat).length;
    const update = queue();
    await sink.handled(update.update_id);
    return fake.messagesTo(chat).slice(before);
  }
  const text = (chat: number, t: string) => say(chat, () => fake.sendText(chat, t));
  const joined = (messages: FakeMessage[]) => messages.map((m) => m.text).join("\n");

  /** A fresh customer past the greeting and the login, at the «describe the situation» step. */
  async function customerAtQuestion(): Promise<number> {
    const chat = nextChat++;
    await text(chat, "/start");
    await text(chat, "ivanov");
    return chat;
  }

  it("should greet on /start and ask for the login", async () => {
    const chat = nextChat++;
    const replies = await text(chat, "/start");
    expect(joined(replies)).toMatch(/Здравствуйте/);
    expect(joined(replies)).toMatch(/пароли/); // the warning never to send passwords
    expect(replies.at(-1)?.text).toMatch(/логин/i);
    expect(
      replies
        .at(-1)
        ?.reply_markup?.inline_keyboard.flat()
        .map((b) => b.text),
    ).toContain("Нет аккаунта");
  });

  it("should take a login and ask to describe the situation", async () => {
    const chat = nextChat++;
    await text(chat, "/start");
    const replies = await text(chat, "ivanov");
    expect(joined(replies)).toContain("ivanov");
    expect(replies.at(-1)?.text).toMatch(/Опишите ситуацию/);
  });

  it("should answer a general question from the knowledge base and ask whether it helped", async () => {
    const chat = await customerAtQuestion();
    const replies = await text(chat, "Сколько ждать ответа на заявку?");
    expect(replies.length).toBeGreaterThanOrEqual(1);
    expect(joined(replies)).toMatch(/час/);
    const last = replies.at(-1);
    expect(last?.text).toMatch(/Помогло/);
    expect(last?.reply_markup?.inline_keyboard.flat().map((b) => b.text)).toEqual(
      expect.arrayContaining(["Да", "Нужен специалист"]),
    );
  });

  it("should handle a button press: answer the query and move the conversation on", async () => {
    const chat = await customerAtQuestion();
    const replies = await text(chat, "Сколько ждать ответа на заявку?");
    const feedback = replies.at(-1);
    const yes = feedback?.reply_markup?.inline_keyboard.flat().find((b) => b.text === "Да");
    expect(yes?.callback_data).toBeDefined();
    let queryId = "";
    const after = await say(chat, () => {
      const update = fake.pressButton(chat, feedback?.message_id ?? 0, yes?.callback_data ?? "");
      queryId = update.callback_query?.id ?? "";
      return update;
    });
    expect(joined(after)).toMatch(/Рад помочь/);
    if (!fake.answeredCallbacks.has(queryId)) {
      await fake.nextCall("answerCallbackQuery", (c) => c.params.callback_query_id === queryId);
    }
    expect(fake.answeredCallbacks.has(queryId)).toBe(true);
  });

  it("should refuse an account action, however it is phrased, and name the panel ticket", async () => {
    const chat = await customerAtQuestion();
    const replies = await text(chat, "я владелец, смените владельца домена");
    const all = joined(replies);
    expect(all).toMatch(/из чата нельзя|в чате (?:я )?не|здесь его не выполнить/);
    expect(all).toMatch(/панели управления/);
    expect(all).toMatch(/заявк/);
    const jobs = await core.handoffQueue.getJobs(["waiting", "prioritized", "active", "delayed"]);
    expect(jobs.filter((j) => j.data.conversationKey === `tg-${chat}`)).toHaveLength(0);
  });

  it("should hand an urgent message off to the `handoffs` queue with high priority", async () => {
    const chat = await customerAtQuestion();
    const replies = await text(chat, "сайт не работает, всё упало");
    expect(joined(replies)).toMatch(/срочно/i);
    // No desk runs in this suite: the customer hears the truth, not «you are in the queue».
    expect(joined(replies)).toMatch(/нет свободных специалистов/);
    expect(joined(replies)).not.toMatch(/Вы в очереди/);
    const jobs = await core.handoffQueue.getJobs(["waiting", "prioritized", "active", "delayed"]);
    const job = jobs.find((j) => j.data.conversationKey === `tg-${chat}`);
    expect(job?.data).toMatchObject({
      channel: "telegram",
      chatId: String(chat),
      category: "urgent",
      priority: "high",
    });
    expect(job?.data.login).toBe("ivanov");
  });

  it("should ask for text when a sticker arrives", async () => {
    const chat = await customerAtQuestion();
    const replies = await say(chat, () => fake.sendSticker(chat));
    expect(joined(replies)).toMatch(/только текст/);
  });

  it("should tell a flooding customer once to slow down, and drop the rest", async () => {
    const chat = nextChat++;
    const statuses: AcceptStatus[] = [];
    for (let i = 0; i < FLOOD + 3; i++)
      statuses.push(await sink.handled(fake.sendText(chat, `сообщение ${i}`).update_id));
    expect(statuses.filter((s) => s === "dropped")).toHaveLength(3);
    const notices = fake.messagesTo(chat).filter((m) => /пишете очень часто/.test(m.text));
    expect(notices).toHaveLength(1);
  });

  it("should deliver a reply after a 429, having waited its retry_after", async () => {
    const chat = nextChat++;
    fake.failNext("sendMessage", { kind: "retry_after", seconds: 1 });
    const started = performance.now();
    const replies = await text(chat, "/start");
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(replies.at(-1)?.text).toMatch(/логин/i);
    expect(fake.callsOf("sendMessage", chat)[0]?.outcome).toBe(429);
  });

  it("should record a blocked customer (403) on the conversation after exactly one attempt", async () => {
    const chat = nextChat++;
    fake.failNext("sendMessage", BLOCKED);
    expect(await sink.handled(fake.sendText(chat, "/start").update_id)).toBe("handled");
    expect(fake.callsOf("sendMessage", chat).map((c) => c.outcome)).toEqual([403]);
    // The failure is recorded by the update's ack, which lands at the end of the turn.
    await core.engine.idle();
    const [conversationKey] = core.store.keys(`tg-${chat}`);
    const recorded = JSON.parse((await core.redis.hget(conversationKey, "u")) ?? "{}") as { reason?: string };
    expect(recorded.reason).toBe("blocked");
  });
});

describe("Telegram webhook through the core: two instances, one Redis", () => {
  const SECRET = "webhook_secret-2";
  let redis: TestRedis;
  let fake: FakeTelegramApi;
  const instances: {
    core: Core;
    channel: TelegramChannel;
    server: ReturnType<typeof createHttpServer>;
    url: string;
  }[] = [];

  beforeAll(async () => {
    redis = await startTestRedis({ appendonly: false });
    fake = await FakeTelegramApi.start();
    const prefix = `test-${randomUUID()}`;
    for (let i = 0; i < 2; i++) {
      const core = await createCore({ redisUrl: redis.url, logger: silent, prefix });
      const channel = createTelegramChannel({
        token: fake.token,
        apiRoot: fake.apiRoot,
        mode: "webhook",
        sink: core.sink,
        logger: silent,
        webhook: { url: "https://bot.example.com", secret: SECRET },
      });
      core.registerSender(channel.sender);
      const server = createHttpServer({ routes: channel.routes, logger: silent });
      const port = await server.listen(0, "127.0.0.1");
      await channel.start();
      const url = `http://127.0.0.1:${port}${WEBHOOK_PATH}`;
      instances.push({ core, channel, server, url });
    }
  });
  afterAll(async () => {
    for (const { core, channel, server } of instances) {
      await channel.stop();
      await server.close();
      await core.close();
    }
    await fake.close();
    await redis.stop();
  });

  const post = (url: string, body: string, secret = SECRET) =>
    fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret },
      body,
    });

  it("should reject a wrong secret (401) and a malformed body (400) without touching the core", async () => {
    const url = instances[0]?.url ?? "";
    const update = JSON.stringify(fake.makeUpdate(fake.textUpdate(7001, "/start")));
    expect((await post(url, update, "nope")).status).toBe(401);
    expect((await post(url, '{"update_id": ')).status).toBe(400);
    expect(fake.callsOf("sendMessage", 7001)).toHaveLength(0);
  });

  it("should reply once to the same update posted twice, to one instance and to both at once", async () => {
    const [a, b] = instances;
    const once = JSON.stringify(fake.makeUpdate(fake.textUpdate(7002, "/start")));
    expect((await post(a?.url ?? "", once)).status).toBe(200);
    const afterFirst = fake.messagesTo(7002).length;
    expect(afterFirst).toBeGreaterThan(0);
    expect((await post(a?.url ?? "", once)).status).toBe(200);
    expect(fake.messagesTo(7002)).toHaveLength(afterFirst);

    const twin = JSON.stringify(fake.makeUpdate(fake.textUpdate(7003, "/start")));
    const statuses = await Promise.all([post(a?.url ?? "", twin), post(b?.url ?? "", twin)]);
    expect(statuses.map((r) => r.status)).toEqual([200, 200]);
    expect(fake.messagesTo(7003)).toHaveLength(afterFirst);
  });
});
