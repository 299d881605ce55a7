import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTelegramChannel, type TelegramChannel } from "../../adapters/telegram/bot.js";
import { type Core, createCore } from "../../src/app/core.js";
import { FakeTelegramApi } from "../fakes/telegram-api.js";
import { memoryLogger } from "../helpers/memory-logger.js";
import { startTestRedis, type TestRedis } from "../helpers/redis-server.js";

/**
 * Long polling through the real core and Redis against the fake Bot API: one customer's slow reply
 * holds up nobody else, and a Redis outage loses nothing, because Telegram is never told an update
 * is done (the getUpdates offset) before it is.
 */

let redis: TestRedis;
let core: Core;
let fake: FakeTelegramApi;
let channel: TelegramChannel;
const logs = memoryLogger();

beforeAll(async () => {
  redis = await startTestRedis({ appendonly: true });
  core = await createCore({
    redisUrl: redis.url,
    logger: logs.logger,
    prefix: `test-${randomUUID()}`,
    floodLimit: { count: 0, windowMs: 1000 },
  });
  fake = await FakeTelegramApi.start();
  channel = createTelegramChannel({
    token: fake.token,
    apiRoot: fake.apiRoot,
    mode: "polling",
    sink: core.sink,
    logger: logs.logger,
    polling: { backoffMs: 50, maxBackoffMs: 200 },
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

const unconfirmedIds = () => fake.unconfirmed.map((u) => u.update_id);

describe("Telegram polling through the core", { timeout: 60_000 }, () => {
  it("answers other chats while one chat's reply is held, and confirms nothing from the held update on", async () => {
    const slowChat = 8100;
    // Telegram takes «20 s» to accept this send: held until the test releases it.
    const held = fake.hold("sendMessage", (p) => Number(p.chat_id) === slowChat);
    const slow = fake.sendText(slowChat, "/start");
    await held.reached;

    const others = [8101, 8102, 8103];
    for (const chat of others) {
      const reply = fake.nextMessages(chat, 1);
      fake.sendText(chat, "/start");
      expect((await reply)[0]?.text).toBeTruthy();
    }
    // A second message of the slow chat waits its turn behind the first (per-chat order).
    const slowSecond = fake.sendText(slowChat, "ivanov");
    const later = fake.nextMessages(8104, 1);
    fake.sendText(8104, "/start");
    await later;
    expect(fake.messagesTo(slowChat)).toHaveLength(0);
    // The held update, and everything after it, stays unconfirmed: a crash now would lose nothing.
    expect(unconfirmedIds()).toContain(slow.update_id);
    expect(unconfirmedIds()).toContain(slowSecond.update_id);

    const slowReplies = fake.nextMessages(slowChat, 2);
    held.release();
    const [greeting, afterLogin] = await slowReplies;
    expect(greeting?.text).toBeTruthy();
    expect(afterLogin?.text).toBeTruthy();
    await expect.poll(unconfirmedIds, { timeout: 10_000 }).toEqual([]);
  });

  it("keeps retrying through a Redis outage and confirms nothing until it is handled", async () => {
    const chat = 8200;
    const retriesBefore = logs.text().split("retrying until it is handled").length;
    await redis.kill("SIGKILL");
    const update = fake.sendText(chat, "/start");
    // Many more failed tries than the old loop allowed before it skipped (its limit was by time).
    await expect
      .poll(() => logs.text().split("retrying until it is handled").length - retriesBefore, {
        timeout: 30_000,
        interval: 100,
      })
      .toBeGreaterThan(15);
    expect(unconfirmedIds()).toContain(update.update_id);
    expect(fake.messagesTo(chat)).toHaveLength(0);

    const reply = fake.nextMessages(chat, 1, 30_000);
    await redis.restart();
    expect((await reply)[0]?.text).toBeTruthy();
    await expect.poll(unconfirmedIds, { timeout: 10_000 }).toEqual([]);
    expect(logs.text()).not.toContain("skipped");
  });
});
