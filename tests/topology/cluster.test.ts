import { Queue } from "bullmq";
import type { Cluster } from "ioredis";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningService, runService } from "../../src/app/service.js";
import { loadConfig } from "../../src/config.js";
import { handoffKeys, queuePrefix } from "../../src/handoff/keys.js";
import { createRedisClient, type RedisClient, type RedisTarget } from "../../src/redis/connection.js";
import { type FakeAgent, type FakeMessage, FakeTelegramApi } from "../fakes/telegram-api.js";
import { freePort } from "../helpers/redis-server.js";
import { runThreeInstances } from "../scale/three-instances.js";
import { startCluster, type TestCluster } from "./servers.js";

/**
 * The service on a real Redis Cluster of three primaries (TLS only, with a password, as a managed
 * Cluster would be): the whole service in-process (`runService`, configured by REDIS_CLUSTER_NODES)
 * with the fake Bot API and the agent desk, and the three-instance scenario on the same Cluster.
 */

const DESK = -1001234567890;
const ANNA: FakeAgent = { id: 9001, first_name: "Анна" };
const PASSWORD = "cluster-secret";
const silent = pino({ level: "silent" });

let cluster: TestCluster;
let target: RedisTarget;
const clients: RedisClient[] = [];
/** A client of the test's own (closed at the end), to look at what the service wrote. */
function client(): RedisClient {
  const c = createRedisClient(target, "worker", silent);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  cluster = await startCluster({ password: PASSWORD, tls: true });
  target = {
    kind: "cluster",
    nodes: cluster.nodes.map((n) => ({ host: "127.0.0.1", port: n.port })),
    password: PASSWORD,
    tls: { caFile: cluster.certs?.caFile ?? "" },
  };
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await cluster?.stop();
});

describe("on a Redis Cluster of three primaries (TLS, password)", { timeout: 90_000 }, () => {
  let tg: FakeTelegramApi;
  let service: RunningService;
  let port: number;

  beforeAll(async () => {
    tg = await FakeTelegramApi.start();
    tg.addSupergroup(DESK, { title: "Поддержка — агенты", isForum: true });
    port = await freePort();
    service = await runService(
      loadConfig({
        NODE_ENV: "production",
        LOG_LEVEL: "silent",
        REDIS_CLUSTER_NODES: cluster.nodesList,
        REDIS_PASSWORD: PASSWORD,
        REDIS_TLS: "true",
        REDIS_TLS_CA_FILE: cluster.certs?.caFile ?? "",
        TELEGRAM_BOT_TOKEN: tg.token,
        TELEGRAM_API_ROOT: tg.apiRoot,
        AGENT_CHAT_ID: String(DESK),
        PORT: String(port),
        FLOOD_MAX: "0",
      }),
    );
  });
  afterAll(async () => {
    await service?.stop();
    await tg?.close();
  });

  /** A customer writes; resolves with the bot's next message to them that matches. */
  function says(chat: number, text: string, reply: RegExp): Promise<FakeMessage> {
    const answer = tg.nextMessage(chat, (m) => reply.test(m.text));
    tg.sendText(chat, text);
    return answer;
  }
  const dataOf = (m: FakeMessage, label: string) =>
    m.reply_markup?.inline_keyboard.flat().find((b) => b.text === label)?.callback_data ?? "";

  it("is ready, and runs conversations whose keys spread over all three primaries", async () => {
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const chats = Array.from({ length: 12 }, (_, i) => 6000 + i);
    await Promise.all(
      chats.map(async (chat) => {
        await says(chat, "/start", /логин/i);
        await says(chat, `login${chat}`, /Опишите ситуацию/);
        // A question the knowledge base answers.
        await says(chat, "Сколько ждать ответа на заявку?", /Помогло/);
      }),
    );
    // Each conversation's keys share a slot; different conversations land on different primaries.
    const look = client() as Cluster;
    await look.ping(); // connected: the client knows the primaries now
    const perNode = await Promise.all(
      look.nodes("master").map(async (node) => (await node.keys("sb:{tg-*}:c")).length),
    );
    expect(perNode).toHaveLength(3);
    expect(perNode.every((n) => n > 0)).toBe(true);
    expect(perNode.reduce((a, b) => a + b, 0)).toBe(chats.length);
  });

  it("hands a customer to the desk and back: queue, topic, claim, replies both ways, close, rating", async () => {
    const chat = 6100;
    await says(chat, "/start", /логин/i);
    await says(chat, "volkov", /Опишите ситуацию/);
    const cardArrives = tg.nextMessage(
      DESK,
      (m) => m.text.startsWith("Обращение #") && m.text.includes("volkov"),
    );
    await says(chat, "/operator", /Вы в очереди: 1-й\./);
    const card = await cardArrives;
    const thread = card.threadId ?? 0;
    // The handoff job is in BullMQ's queue under the hash-tagged prefix.
    const queue = new Queue("handoffs", { connection: client(), prefix: queuePrefix("sb") });
    const handoffId = (await client().get(handoffKeys("sb").topic(thread))) ?? "";
    expect(handoffId).toMatch(new RegExp(`^tg-${chat}-1-[0-9a-z]+$`));
    expect((await queue.getJob(handoffId))?.data.conversationKey).toBe(`tg-${chat}`);
    await queue.close();

    const claimed = tg.nextMessage(chat, (m) => /занимается специалист Анна,/.test(m.text));
    const answered = tg.nextCall("answerCallbackQuery");
    tg.pressAsAgent(DESK, ANNA, card.message_id, dataOf(card, "Взять"));
    expect((await answered).params.text).toBe("Обращение ваше. Пишите ответ в этой теме.");
    await claimed;

    const reply = tg.nextMessage(chat);
    tg.postAsAgent(DESK, ANNA, "Проверяем, минуту", thread);
    expect((await reply).text).toBe("👤 Специалист: Проверяем, минуту");
    const relayed = tg.nextInThread(DESK, thread, (m) => m.text === "Клиент: сайт так и не открывается");
    tg.sendText(chat, "сайт так и не открывается");
    await relayed;

    const ask = tg.nextMessage(chat, (m) => /Оцените/.test(m.text));
    tg.postAsAgent(DESK, ANNA, "/close", thread);
    const rating = await ask;
    const posted = tg.nextInThread(DESK, thread, (m) => m.text === "Оценка клиента: 5 из 5.");
    const thanks = tg.nextMessage(chat, (m) => /Спасибо за оценку/.test(m.text));
    tg.pressButton(chat, rating.message_id, dataOf(rating, "5"));
    await thanks;
    await posted;
    const keys = handoffKeys("sb");
    expect(await client().hget(keys.meta(handoffId), "rating")).toBe("5");
    expect(await client().zcard(keys.waiting)).toBe(0);
  });
});

describe("three engine instances on the Cluster", { timeout: 120_000 }, () => {
  it("handles every update once, keeps each conversation's order and loses no state", async () => {
    await runThreeInstances({ target, client });
  });
});
