import { Queue, QueueEvents } from "bullmq";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HandoffRequest } from "../../flows/types.js";
import { workerConnection } from "../../src/app/core.js";
import { POSITIONS_QUEUE } from "../../src/desk/desk.js";
import { type FakeAgent, FakeTelegramApi } from "../fakes/telegram-api.js";
import { startDeskInProcess } from "../helpers/desk-e2e.js";
import { startTestRedis, type TestRedis } from "../helpers/redis-server.js";
import { queuePrefix } from "../../src/handoff/keys.js";

/**
 * Claiming is instant: with 40 customers waiting, [Взять] is answered before the desk makes any
 * other Bot API call; the 39 queue-position messages move afterwards, in the background. The desk is
 * assembled in-process with the real grammY client against the fake Bot API.
 */

const DESK = -1001234567111;
const ANNA: FakeAgent = { id: 9201, first_name: "Анна" };
const WAITING = 40;

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.stop();
});

describe("claiming with 40 waiting", () => {
  it("answers the button within one Bot API round trip; position edits follow in the background", async () => {
    const tg = await FakeTelegramApi.start();
    tg.addSupergroup(DESK);
    const url = `${redis.url}/2`;
    const { core, stop } = await startDeskInProcess(tg, DESK, url);
    const logger = pino({ level: "silent" });
    const prefix = queuePrefix(core.prefix);
    const positions = new Queue(POSITIONS_QUEUE, { connection: core.redis, prefix });
    const events = new QueueEvents(POSITIONS_QUEUE, { connection: workerConnection(url, logger), prefix });
    await events.waitUntilReady();
    try {
      const t0 = Date.now();
      for (let i = 0; i < WAITING; i++) {
        const chat = 7000 + i;
        const request: HandoffRequest = {
          handoffId: `tg-${chat}-1`,
          conversationKey: `tg-${chat}`,
          channel: "telegram",
          chatId: String(chat),
          login: `user${i}`,
          guest: false,
          category: "technical",
          priority: "normal",
          locale: "ru",
          transcript: [{ from: "customer", text: `не работает сайт ${i}` }],
          createdAt: t0 + i,
        };
        await core.gateway.request(request);
      }
      const isCard = (text: string) => text.startsWith("Обращение #");
      for (;;) {
        const next = tg.nextMessage(DESK, () => true, 30_000).catch(() => undefined);
        if (tg.messagesTo(DESK).filter((m) => isCard(m.text)).length >= WAITING) break;
        await next;
      }
      const posted = tg.messagesTo(DESK).filter((m) => isCard(m.text));
      const first = posted.find((m) => m.text.includes("user0 "));
      expect(first).toBeDefined();
      // Let the background settle (overview edits), so every call after the press is the press's.
      for (;;) {
        const done = new Promise((r) => events.once("completed", r));
        const c = await positions.getJobCounts("wait", "active", "delayed", "prioritized");
        if (Object.values(c).every((n) => n === 0)) break;
        await done;
      }

      const mark = tg.calls.length;
      const lastMoves = tg.nextMessage(
        7000 + WAITING - 1,
        (m) => /Вы в очереди: 39-й\./.test(m.text),
        30_000,
      );
      let id = "";
      const answered = tg.nextCall("answerCallbackQuery", (c) => c.params.callback_query_id === id);
      const data = first?.reply_markup?.inline_keyboard[0]?.[0]?.callback_data ?? "";
      id = tg.pressAsAgent(DESK, ANNA, first?.message_id ?? 0, data).callback_query?.id ?? "";
      expect((await answered).params.text).toBe("Обращение ваше. Пишите ответ в этой теме.");
      const before = tg.calls.slice(mark).filter((c) => c.method !== "getUpdates");
      // The answer is the first call the press caused: no edit, rename or position ran ahead of it.
      expect(before[0]?.method).toBe("answerCallbackQuery");
      // Then the 39 others move up, each once.
      await lastMoves;
      for (let i = 1; i < WAITING; i++) {
        const shown = tg.messagesTo(7000 + i).map((m) => m.text);
        expect(shown).toEqual([expect.stringContaining(`Вы в очереди: ${i}-й.`)]);
      }
    } finally {
      await events.close();
      await positions.close();
      await stop();
      await tg.close();
    }
  }, 60_000);
});
