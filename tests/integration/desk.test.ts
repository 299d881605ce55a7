import type { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DeliveryError } from "../../src/channel.js";
import { Desk } from "../../src/desk/desk.js";
import type { Engine } from "../../src/engine/engine.js";
import { handoffKeys } from "../../src/handoff/keys.js";
import { QueueGateway } from "../../src/handoff/queue-gateway.js";
import { ConversationStore } from "../../src/store/conversation-store.js";
import { FakeDeskApi } from "../helpers/fake-desk-api.js";
import { type RecordingSender, recordingEngine, recordingFlow, textEvent } from "../helpers/fake-flow.js";
import { startTestRedis, type TestRedis } from "../helpers/redis-server.js";

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis.stop();
});

interface Harness {
  api: FakeDeskApi;
  desk: Desk;
  engine: Engine;
  sender: RecordingSender;
  gateway: QueueGateway;
  client: Redis;
  store: ConversationStore;
}

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.desk.stop({ force: true });
    await h.gateway.close();
  }
});

/** A desk over a fresh Redis database (each test gets its own db so queues don't mix). */
async function harness(db: number, options: { start?: boolean } = {}): Promise<Harness> {
  const client = redis.client(db);
  await client.flushdb(); // this db belongs to this test alone
  const store = new ConversationStore(client, { prefix: "sb" });
  const gateway = new QueueGateway({ redis: client, prefix: "sb" });
  const { engine, sender } = recordingEngine(store, gateway);
  const api = new FakeDeskApi();
  const desk = new Desk({
    api,
    engine,
    store,
    gateway,
    flow: recordingFlow,
    redis: client,
    workerConnection: () => redis.client(db),
    logger: pino({ level: "silent" }),
    neglectMs: 60_000,
    agentPrefix: () => "Специалист: ",
    stalledIntervalMs: 500,
  });
  if (options.start !== false) desk.start();
  const h = { api, desk, engine, sender, gateway, client, store };
  open.push(h);
  return h;
}

const threadOf = async (h: Harness, handoffId: string) =>
  Number(await h.client.hget(handoffKeys("sb").meta(handoffId), "topic"));

describe("the agent desk", () => {
  it("opens one topic with a card per handoff, urgent ones first", async () => {
    const h = await harness(1, { start: false });
    await h.engine.accept(textEvent("normal", "u1", "handoff"));
    await h.engine.accept(textEvent("vip", "u2", "urgent"));
    h.desk.start();
    await h.api.waitForPost((p) => p.text.includes("urgent") === false && p.text.startsWith("Обращение #2"));
    const names = [...h.api.topics.values()].map((t) => t.name);
    expect(names).toEqual(["#1 · CLI · гость · urgent", "#2 · CLI · гость · operator"]);
    const card = h.api.posts.find((p) => p.text.startsWith("Обращение #1"));
    expect(card?.text).toContain("Канал не авторизован");
    expect(card?.text).toContain("ВЫСОКИЙ");
    expect(card?.buttons?.[0]?.map((b) => b.label)).toEqual(["Взять", "Закрыть"]);
  });

  it("takes, relays both ways, keeps notes internal, reports failed delivery, and closes", async () => {
    const h = await harness(2);
    await h.engine.accept(textEvent("c1", "u1", "handoff"));
    const card = await h.api.waitForPost((p) => p.text.startsWith("Обращение #1"));
    const thread = card.threadId;
    const handoffId = "cli-c1-1";

    // [Взять]: the card names the agent, the conversation hears of it, the queue empties.
    await h.desk.handleUpdate({
      kind: "callback",
      callbackId: "cb1",
      data: `dt:${handoffId}`,
      agentId: "7",
      agentName: "Анна",
    });
    expect(card.text).toContain("Взял: Анна");
    expect(h.api.callbacks).toEqual([{ id: "cb1", text: "Обращение ваше. Пишите ответ в этой теме." }]);
    // Another agent who happens to have the same name is still another agent.
    await h.desk.handleUpdate({
      kind: "callback",
      callbackId: "cb2",
      data: `dt:${handoffId}`,
      agentId: "8",
      agentName: "Анна",
    });
    expect(h.api.callbacks.at(-1)).toEqual({ id: "cb2", text: "Обращение уже взял(а) Анна." });
    expect(await h.client.zcard(handoffKeys("sb").waiting)).toBe(0);
    expect(JSON.parse((await h.client.hget(h.store.keys("cli-c1")[0], "s")) ?? "{}").seen).toEqual([
      "handoff",
      "system",
    ]);

    // The customer's message reaches the topic.
    await h.gateway.relay({ type: "relay_to_agent", handoffId, text: "сайт всё ещё лежит" }, "u2");
    await h.api.waitForPost((p) => p.text === "Клиент: сайт всё ещё лежит");

    // A note stays in the desk; a reply goes to the customer.
    const before = h.sender.sent.length;
    await h.desk.handleUpdate({
      kind: "message",
      threadId: thread,
      messageId: 501,
      text: "// проверить DNS",
      agentId: "7",
      agentName: "Анна",
    });
    await h.desk.handleUpdate({
      kind: "message",
      threadId: thread,
      messageId: 502,
      text: "Проверяем, минуту",
      agentId: "7",
      agentName: "Анна",
    });
    await h.sender.waitFor(before + 1);
    expect(h.sender.sent.slice(before).map((s) => s.reply.text)).toEqual(["Специалист: Проверяем, минуту"]);

    // The customer blocked the bot: the agent is told in the topic.
    h.sender.failNext.push(new DeliveryError("console", "c1", "blocked", 403));
    await h.desk.handleUpdate({
      kind: "message",
      threadId: thread,
      messageId: 503,
      text: "Вы здесь?",
      agentId: "7",
      agentName: "Анна",
    });
    await h.api.waitForPost((p) => p.threadId === thread && p.text.includes("заблокировал"));

    // /close: the topic closes and the conversation gets the signal.
    await h.desk.handleUpdate({
      kind: "message",
      threadId: thread,
      messageId: 504,
      text: "/close",
      agentId: "7",
      agentName: "Анна",
    });
    expect(h.api.topics.get(thread)?.closed).toBe(true);
    expect(JSON.parse((await h.client.hget(h.store.keys("cli-c1")[0], "s")) ?? "{}").seen).toEqual([
      "handoff",
      "system",
      "system",
    ]);
    expect(await h.client.hget(handoffKeys("sb").meta(handoffId), "firstReplyAt")).not.toBeNull();
  });

  it("never leaves a stale position on screen when the queue moves during a refresh", async () => {
    const h = await harness(4, { start: false });
    await h.engine.accept(textEvent("x", "u1", "handoff"));
    await h.engine.accept(textEvent("y", "u2", "handoff"));
    // The first edit of y's queue message hangs in the network while the queue moves under it.
    let reached: () => void = () => undefined;
    let release: () => void = () => undefined;
    const atSend = new Promise<void>((r) => {
      reached = r;
    });
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const send = h.sender.send.bind(h.sender);
    let held = false;
    h.sender.send = async (chatId, reply, options) => {
      if (chatId === "y" && options.editMessageId !== undefined && !held) {
        held = true;
        reached();
        await gate;
      }
      return send(chatId, reply, options);
    };
    const refreshing = h.desk.refreshPositions(); // computes y: position 2, then hangs sending it
    await atSend;
    await h.desk.take("cli-x-1", { agentId: "7", agentName: "Анна" }); // y is first now
    release();
    await refreshing;
    const shown = h.sender.sent.filter((s) => s.chatId === "y").map((s) => s.reply.text);
    expect(shown.at(-1)).toBe("position 1");
  });

  it("does not open a second topic when a worker dies mid-job", async () => {
    const first = await harness(3, { start: false });
    // The first worker's card post never returns: it is "killed" while waiting for Telegram.
    first.api.holdCards = new Promise(() => undefined);
    first.desk.start();
    await first.engine.accept(textEvent("k", "u1", "handoff"));
    // Wait until the topic exists, then "crash" while the card is being posted.
    while (first.api.topics.size === 0) await new Promise((r) => setTimeout(r, 20));
    await first.desk.stop({ force: true });
    first.api.holdCards = undefined;

    // A new desk process shares the same Redis and Telegram group (the same fake API here).
    const second = new Desk({
      ...(first.desk as unknown as { o: ConstructorParameters<typeof Desk>[0] }).o,
      api: first.api,
    });
    second.start();
    open.push({ ...first, desk: second });
    await first.api.waitForPost((p) => p.text.startsWith("Обращение #1"));
    expect(first.api.topics.size).toBe(1);
    expect(first.api.posts.filter((p) => p.text.startsWith("Обращение #1"))).toHaveLength(1);
    expect(await threadOf(first, "cli-k-1")).toBe([...first.api.topics.keys()][0]);
  });
});
