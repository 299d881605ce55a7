import { randomUUID } from "node:crypto";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVkChannel, type VkChannel } from "../../adapters/vk/channel.js";
import { type Core, createCore } from "../../src/app/core.js";
import type { AcceptStatus, InboundSink } from "../../src/engine/inbound-sink.js";
import { createHttpServer, type HttpServer } from "../../src/http/server.js";
import type { InboundEvent } from "../../flows/model.js";
import { type FakeVkMessage, FakeVkApi } from "../fakes/vk-api.js";
import { startTestRedis, type TestRedis } from "../helpers/redis-server.js";

/**
 * Wraps the core's sink: lets a test wait until a given update is handled (replies are sent before
 * `accept` resolves, so everything the bot said is then in the fake), and fail the next accepts as a
 * Redis outage would.
 */
class TrackingSink implements InboundSink {
  /** Outcomes per update id, in order; `error` for a failed accept. */
  readonly outcomes = new Map<string, (AcceptStatus | "error")[]>();
  failNext = 0;
  private readonly waiters = new Map<string, (() => void)[]>();

  constructor(private readonly inner: InboundSink) {}

  async accept(event: InboundEvent): Promise<AcceptStatus> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      this.record(event.updateId, "error");
      throw new Error("redis is down (simulated)");
    }
    const status = await this.inner.accept(event);
    this.record(event.updateId, status);
    return status;
  }

  /** Resolves once the update has been accepted (handled, duplicate or dropped) at least once. */
  settled(updateId: string, timeoutMs = 10_000): Promise<void> {
    if (this.outcomes.get(updateId)?.some((o) => o !== "error")) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`update ${updateId} not accepted within ${timeoutMs} ms (ignored by the adapter?)`),
          ),
        timeoutMs,
      );
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.set(updateId, [...(this.waiters.get(updateId) ?? []), done]);
    });
  }

  private record(updateId: string, outcome: AcceptStatus | "error"): void {
    this.outcomes.set(updateId, [...(this.outcomes.get(updateId) ?? []), outcome]);
    if (outcome === "error") return;
    for (const resolve of this.waiters.get(updateId) ?? []) resolve();
    this.waiters.delete(updateId);
  }
}

const START_PAYLOAD = '{"command":"start"}';
const CONFIRMATION = "c0nf1rm-5tr1ng";
const SECRET = "callback-secret-value";
const silent = pino({ level: "silent" });

let redis: TestRedis;
let core: Core;
let fake: FakeVkApi;
let tracker: TrackingSink;
let polling: VkChannel;
let callback: VkChannel;
let server: HttpServer;
let callbackUrl: string;
let nextPeer = 700;

beforeAll(async () => {
  redis = await startTestRedis();
  core = await createCore({ redisUrl: redis.url, prefix: `t-${randomUUID()}`, logger: silent });
  fake = await FakeVkApi.start();
  tracker = new TrackingSink(core.sink);
  const common = {
    token: fake.token,
    groupId: fake.groupId,
    apiBaseUrl: fake.apiBaseUrl,
    sink: tracker,
    logger: silent,
    retry: { baseMs: 5, maxMs: 20 },
  };
  polling = createVkChannel({
    ...common,
    mode: "longpoll",
    longPoll: { waitSeconds: 5, backoff: { baseMs: 20 } },
  });
  callback = createVkChannel({
    ...common,
    mode: "callback",
    callback: { confirmation: CONFIRMATION, secret: SECRET, path: "/vk/callback" },
  });
  // Both transports feed one core; replies go out through one sender, as in a real deployment.
  core.registerSender(polling.sender);
  server = createHttpServer({ routes: callback.routes, logger: silent });
  callbackUrl = `http://127.0.0.1:${await server.listen(0, "127.0.0.1")}/vk/callback`;
  await polling.start();
  await callback.start();
});

afterAll(async () => {
  await polling?.stop();
  await callback?.stop();
  await server?.close();
  await core?.close();
  await fake?.close();
  await redis?.stop();
});

/** A fresh customer per test, so conversations never mix. */
function newPeer(): number {
  nextPeer += 1;
  return nextPeer;
}

/** Pushes an update through Long Poll and returns what the bot posted in answer. */
async function viaLongPoll(peer: number, update: Record<string, unknown>): Promise<FakeVkMessage[]> {
  fake.push(update);
  await tracker.settled(String(update.event_id));
  return fake.takeMessages(peer);
}

/** The customer writes `text` (or presses a text button: `payload`). */
function say(peer: number, text: string, payload?: string): Promise<FakeVkMessage[]> {
  return viaLongPoll(peer, fake.messageNew(peer, { text, ...(payload !== undefined ? { payload } : {}) }));
}

/** Posts an update to the Callback API route. */
function postCallback(update: Record<string, unknown>): Promise<Response> {
  return fetch(callbackUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(update),
  });
}

const allText = (messages: FakeVkMessage[]) => messages.map((m) => m.text).join("\n");
const buttonsOf = (messages: FakeVkMessage[]) =>
  messages.flatMap((m) => m.keyboard?.buttons.flat().map((b) => b.action) ?? []);

/** Starts a conversation and gives a login, leaving the flow waiting for the question. */
async function startAndLogin(peer: number): Promise<void> {
  await say(peer, "Начать", START_PAYLOAD);
  await say(peer, "ivanov");
}

describe("VK customers through Long Poll, the real core and the fake VK API", () => {
  it("should greet on «Начать», warn about passwords and ask for the login", async () => {
    const peer = newPeer();
    const replies = await say(peer, "Начать", START_PAYLOAD);
    expect(replies.length).toBeGreaterThan(0);
    const text = allText(replies);
    expect(text).toMatch(/парол/i);
    expect(text).toMatch(/логин/i);
  });

  it("should greet *and* answer a first message that is a question, with no «Начать» before it", async () => {
    const peer = newPeer();
    const replies = await say(peer, "подскажите, сколько обычно обрабатывается заявка?");
    const text = allText(replies);
    expect(text).toMatch(/Здравствуйте/);
    expect(text).toMatch(/в течение часа/);
    expect(text).not.toMatch(/Укажите, пожалуйста, логин/); // a general question needs no login
  });

  it("should take a login and ask to describe the situation", async () => {
    const peer = newPeer();
    await say(peer, "Начать", START_PAYLOAD);
    const replies = await say(peer, "ivanov");
    expect(replies.length).toBeGreaterThan(0);
    expect(allText(replies)).toMatch(/опишите/i);
  });

  it("should answer a general question from the knowledge base and ask whether it helped, with buttons", async () => {
    const peer = newPeer();
    await startAndLogin(peer);
    const replies = await say(peer, "Сколько времени рассматривается заявка в поддержку?");
    expect(replies.length).toBeGreaterThan(0);
    expect(replies.at(-1)?.keyboard?.inline).toBe(true);
    expect(buttonsOf(replies).length).toBeGreaterThanOrEqual(2);
  });

  it("should go on when a keyboard button is pressed (its payload comes back)", async () => {
    const peer = newPeer();
    await startAndLogin(peer);
    const answer = await say(peer, "Сколько времени рассматривается заявка в поддержку?");
    const [first] = buttonsOf(answer);
    expect(first?.payload).toMatch(/^\{"p":/);
    const after = await say(peer, first?.label ?? "", first?.payload);
    expect(after.length).toBeGreaterThan(0);
  });

  it("should refuse an account action and name the panel ticket route", async () => {
    const peer = newPeer();
    await startAndLogin(peer);
    const replies = await say(peer, "Пожалуйста, смените владельца аккаунта на мою жену, я владелец");
    const text = allText(replies);
    expect(text).toMatch(/панел/i);
    expect(text).toMatch(/заявк|тикет|обращени/i);
  });

  it("should hand an urgent message off at once: a high-priority job in the handoffs queue", async () => {
    const peer = newPeer();
    await startAndLogin(peer);
    const replies = await say(peer, "Сайт не работает, всё лежит уже час!");
    expect(replies.length).toBeGreaterThan(0);
    const jobs = await core.handoffQueue.getJobs(["waiting", "prioritized", "active", "delayed"]);
    const job = jobs.find((j) => j.data.conversationKey === `vk-${peer}`);
    expect(job?.data).toMatchObject({
      channel: "vk",
      chatId: String(peer),
      category: "urgent",
      priority: "high",
    });
  });

  it("should take a callback button press as a button and answer it with sendMessageEventAnswer", async () => {
    const peer = newPeer();
    await startAndLogin(peer);
    const answer = await say(peer, "Сколько времени рассматривается заявка в поддержку?");
    const [first] = buttonsOf(answer);
    const press = fake.messageEvent(peer, JSON.parse(first?.payload ?? "{}"));
    const after = await viaLongPoll(peer, press);
    expect(after.length).toBeGreaterThan(0);
    const pressId = (press.object as { event_id: string }).event_id;
    // Answered right after the core is done, so the button stops spinning.
    expect(await fake.eventAnswer(pressId)).toMatchObject({ userId: peer, peerId: peer });
  });

  it("should ask for text when a sticker arrives", async () => {
    const peer = newPeer();
    await startAndLogin(peer);
    const replies = await viaLongPoll(peer, fake.messageNew(peer, { attachments: [{ type: "sticker" }] }));
    expect(allText(replies)).toMatch(/текст/i);
  });

  it("should ignore the community's own messages and group chats", async () => {
    const peer = newPeer();
    const own = fake.push(fake.messageNew(peer, { text: "ответ сообщества", out: 1 }));
    const chat = fake.push(fake.messageNew(2_000_000_000 + peer, { text: "всем привет" }));
    await say(peer, "Начать", START_PAYLOAD);
    expect(tracker.outcomes.has(String(own.event_id))).toBe(false);
    expect(tracker.outcomes.has(String(chat.event_id))).toBe(false);
    expect(fake.messagesTo(2_000_000_000 + peer)).toEqual([]);
  });

  it("should read an update again after its handling failed (Redis down), and handle it once", async () => {
    const peer = newPeer();
    tracker.failNext = 1;
    const update = fake.messageNew(peer, { text: "Начать", payload: START_PAYLOAD });
    const replies = await viaLongPoll(peer, update);
    expect(tracker.outcomes.get(String(update.event_id))).toEqual(["error", "handled"]);
    expect(replies.length).toBeGreaterThan(0);
    expect(fake.messagesTo(peer)).toHaveLength(replies.length);
  });

  it("should get a new key on failed: 2 and keep its ts, so nothing is skipped", async () => {
    const peer = newPeer();
    const servers = fake.pollServers.length;
    const ts = String(fake.currentTs);
    fake.expireKey();
    const replies = await say(peer, "Начать", START_PAYLOAD);
    expect(replies.length).toBeGreaterThan(0);
    expect(fake.pollServers.length).toBe(servers + 1);
    const fresh = fake.pollServers.at(-1);
    // The first poll with the new key asked from the old ts (the new server's ts is past the message).
    expect(fake.polls.find((p) => p.key === fresh?.key)?.ts).toBe(ts);
  });

  it("should get a new key and ts on failed: 3, and poll on", async () => {
    const peer = newPeer();
    const before = fake.currentTs;
    fake.failNextPoll(3);
    const poll = await fake.nextPoll();
    const fresh = fake.pollServers.at(-1);
    expect(poll).toEqual({ key: fresh?.key, ts: fresh?.ts });
    expect(Number(poll.ts)).toBeGreaterThan(before);
    const replies = await say(peer, "Начать", START_PAYLOAD);
    expect(replies.length).toBeGreaterThan(0);
  });

  it("should deliver the reply when VK first answers «too many requests» (6)", async () => {
    const peer = newPeer();
    fake.failNext("messages.send", 6, { peerId: peer });
    const replies = await say(peer, "Начать", START_PAYLOAD);
    expect(replies.length).toBeGreaterThan(0);
    expect(fake.callsTo("messages.send", peer).length).toBe(replies.length + 1);
  });
});

describe("VK Callback API route", () => {
  it("should answer the confirmation request with the confirmation string", async () => {
    const res = await postCallback({ type: "confirmation", group_id: fake.groupId });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(CONFIRMATION);
  });

  it("should refuse a wrong secret or another community with 403, and bad JSON with 400", async () => {
    const peer = newPeer();
    const update = fake.messageNew(peer, { text: "Начать" });
    expect((await postCallback({ ...update, secret: "wrong" })).status).toBe(403);
    expect((await postCallback({ ...update })).status).toBe(403);
    expect((await postCallback({ ...update, secret: SECRET, group_id: 1 })).status).toBe(403);
    const bad = await fetch(callbackUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    expect(bad.status).toBe(400);
    expect(tracker.outcomes.has(String(update.event_id))).toBe(false);
    expect(fake.messagesTo(peer)).toEqual([]);
  });

  it("should answer «ok» only after handling, and reply once to the same event delivered twice", async () => {
    const peer = newPeer();
    const update: Record<string, unknown> = {
      ...fake.messageNew(peer, { text: "Начать", payload: START_PAYLOAD }),
      secret: SECRET,
    };
    const first = await postCallback(update);
    expect([first.status, await first.text()]).toEqual([200, "ok"]);
    // «ok» came after the core was done: the replies are already posted.
    const replies = fake.takeMessages(peer);
    expect(replies.length).toBeGreaterThan(0);
    const second = await postCallback(update);
    expect([second.status, await second.text()]).toEqual([200, "ok"]);
    expect(tracker.outcomes.get(String(update.event_id))).toEqual(["handled", "duplicate"]);
    expect(fake.takeMessages(peer)).toEqual([]);
  });

  it("should answer 500 when the event could not be recorded, so VK sends it again", async () => {
    const peer = newPeer();
    const update: Record<string, unknown> = {
      ...fake.messageNew(peer, { text: "Начать", payload: START_PAYLOAD }),
      secret: SECRET,
    };
    tracker.failNext = 1;
    expect((await postCallback(update)).status).toBe(500);
    expect((await postCallback(update)).status).toBe(200);
    expect(tracker.outcomes.get(String(update.event_id))).toEqual(["error", "handled"]);
  });

  it("should record 901 on the conversation after exactly one attempt, with no retry loop", async () => {
    const peer = newPeer();
    fake.failNext("messages.send", 901, { peerId: peer });
    const update: Record<string, unknown> = {
      ...fake.messageNew(peer, { text: "Начать", payload: START_PAYLOAD }),
      secret: SECRET,
    };
    const res = await postCallback(update);
    expect(res.status).toBe(200);
    expect(fake.callsTo("messages.send", peer)).toHaveLength(1);
    expect(fake.messagesTo(peer)).toEqual([]);
    const recorded = await core.redis.hget(core.store.keys(`vk-${peer}`)[0], "u");
    expect(JSON.parse(recorded ?? "{}")).toMatchObject({ reason: "blocked" });
    // Another customer's conversation goes through afterwards; the blocked one was not tried again.
    await say(newPeer(), "Начать", START_PAYLOAD);
    expect(fake.callsTo("messages.send", peer)).toHaveLength(1);
  });
});
