import { Queue } from "bullmq";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { queuePrefix } from "../../src/handoff/keys.js";
import { FakeTelegramApi } from "../fakes/telegram-api.js";
import { freePort, startTestRedis, type TestRedis } from "../helpers/redis-server.js";
import { type ServiceProcess, startService } from "../helpers/service-process.js";

/**
 * Fault tests: the bot as a real process (as in production), a real redis-server with AOF on a free
 * port, and the fake Bot API. The process is killed, Redis is stopped, SIGTERM arrives mid-burst.
 */

let redis: TestRedis;
let telegram: FakeTelegramApi;
const services: ServiceProcess[] = [];
beforeAll(async () => {
  redis = await startTestRedis({ appendonly: true });
});
afterAll(async () => {
  await redis.stop();
});
// A fresh fake Telegram per test, and no process outlives its test: a leftover instance would
// poll the next test's updates.
beforeEach(async () => {
  telegram = await FakeTelegramApi.start();
});
afterEach(async () => {
  for (const s of services.splice(0)) {
    if (s.proc.exitCode === null && s.proc.signalCode === null) {
      s.kill("SIGKILL");
      await s.exited;
    }
  }
  await telegram.close();
});

async function envFor(db: number): Promise<Record<string, string>> {
  return {
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    REDIS_URL: `${redis.url}/${db}`,
    PORT: String(await freePort()),
    FLOOD_MAX: "0",
    SHUTDOWN_TIMEOUT_MS: "10000",
    // A killed instance's conversation locks run out after this; short, so the restart test is quick.
    LOCK_LEASE_MS: "2000",
  };
}

async function started(env: Record<string, string>): Promise<ServiceProcess> {
  const service = startService(env);
  services.push(service);
  await service.waitForLog((l) => l.msg === "channels started");
  return service;
}

/** Texts each customer sends, in order; the last one is urgent, so it ends in a handoff. */
const script = (chat: number) => ["Здравствуйте", `login${chat}`, "Сайт не работает, всё упало!"];

/** Queues every chat's script, interleaved across chats (per chat in order, as Telegram does). */
function queueScripts(chats: number[]): void {
  for (let step = 0; step < 3; step++)
    for (const chat of chats) telegram.sendText(chat, script(chat)[step] ?? "");
}

/** The customer lines of a conversation's stored transcript. */
async function customerLines(db: number, chat: number): Promise<string[]> {
  const raw = await redis.client(db).hget(`sb:{tg-${chat}}:c`, "s");
  const state = JSON.parse(raw ?? "{}") as { transcript?: { from: string; text: string }[] };
  return (state.transcript ?? []).filter((l) => l.from === "customer").map((l) => l.text);
}

/** Whether the chat has been told it is in the queue (the status message with «cancel the wait»). */
const toldQueued = (chat: number) =>
  telegram
    .messagesTo(chat)
    .some((m) => m.reply_markup?.inline_keyboard.flat().some((b) => b.callback_data === "cancel_wait"));

/** Resolves when `done()` holds, re-checked after every call the fake answers. */
async function until(done: () => boolean, what: string, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await telegram.nextCall("sendMessage", () => true, timeoutMs).catch(() => undefined);
  }
}

/** Handoff ids are `<conversation>-<seq>-<time>`: the conversation and sequence part, for comparing. */
function withoutTime(id: string): string {
  return id.replace(/-[0-9a-z]+$/, "");
}

async function handoffJobIds(db: number): Promise<string[]> {
  const queue = new Queue("handoffs", { connection: redis.client(db), prefix: queuePrefix("sb") });
  const jobs = await queue.getJobs(["waiting", "prioritized", "active", "completed", "delayed", "failed"]);
  await queue.close();
  return jobs.map((j) => withoutTime(String(j.id))).sort();
}

describe("faults, with the bot as a real process", { timeout: 90_000 }, () => {
  it("SIGKILL mid-stream: every update handled exactly once after the restart; every announced handoff is queued", async () => {
    const db = 1;
    const env = await envFor(db);
    const chats = Array.from({ length: 25 }, (_, i) => 5000 + i);
    queueScripts(chats);
    const first = await started(env);
    // Kill it hard once it is well into the stream.
    await until(() => telegram.callsOf("sendMessage").length >= 40, "40 replies");
    first.kill("SIGKILL");
    expect(await first.exited).toBe("SIGKILL");
    // It really died mid-stream: some customers had not been answered yet.
    expect(chats.every(toldQueued)).toBe(false);

    const second = await started(env);
    await until(() => chats.every(toldQueued), "every customer told they are queued");
    // Telegram confirmed (acknowledged) every update: nothing left for redelivery.
    await telegram.heldPoll();
    expect(telegram.unconfirmed).toHaveLength(0);
    for (const chat of chats) {
      // Handled exactly once: each text is in the conversation once, in order.
      expect(await customerLines(db, chat)).toEqual(script(chat));
    }
    expect(await handoffJobIds(db)).toEqual(chats.map((c) => `tg-${c}-1`).sort());
    second.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  });

  it("Redis down under load: not ready, no crash, carries on when it is back; queued handoffs survive", async () => {
    const db = 2;
    const env = await envFor(db);
    const service = await started(env);
    const base = `http://127.0.0.1:${env.PORT}`;
    const early = 6100;
    for (const text of script(early)) telegram.sendText(early, text);
    await until(() => toldQueued(early), "the early customer queued");
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    await redis.kill("SIGKILL");
    const late = [6200, 6201, 6202];
    queueScripts(late);
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.text()).toContain("redis");
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    await redis.restart();
    await until(() => late.every(toldQueued), "customers who wrote during the outage queued");
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    for (const chat of late) expect(await customerLines(db, chat)).toEqual(script(chat));
    // The handoff queued before the outage is still there (AOF), beside the new ones.
    expect(await handoffJobIds(db)).toEqual([early, ...late].map((c) => `tg-${c}-1`).sort());
    service.kill("SIGTERM");
    expect(await service.exited).toBe(0);
  });

  it("SIGTERM during a burst: in-flight updates finish, the process exits 0, nothing is lost", async () => {
    const db = 3;
    const env = await envFor(db);
    const chats = Array.from({ length: 20 }, (_, i) => 7000 + i);
    const service = await started(env);
    queueScripts(chats);
    await until(
      () => telegram.callsOf("sendMessage").some((c) => Number(c.params.chat_id) >= 7000),
      "the burst started",
    );
    service.kill("SIGTERM");
    expect(await service.exited).toBe(0);
    expect(service.logs.some((l) => l.msg === "shutting down")).toBe(true);

    // Whatever was not taken before the stop is redelivered to the next instance and handled once.
    const next = await started(env);
    await until(() => chats.every(toldQueued), "every customer of the burst queued");
    for (const chat of chats) expect(await customerLines(db, chat)).toEqual(script(chat));
    next.kill("SIGTERM");
    expect(await next.exited).toBe(0);
  });

  it("a second signal exits at once while the graceful stop still waits for in-flight work", async () => {
    const env = await envFor(4);
    const service = await started(env);
    // Telegram asks the bot to wait 20 s before its reply: the update stays in flight.
    telegram.failNext("sendMessage", { kind: "retry_after", seconds: 20 });
    telegram.sendText(8000, "Здравствуйте");
    await telegram.nextCall("sendMessage", (c) => c.outcome === 429);
    service.kill("SIGTERM");
    await service.waitForLog((l) => l.msg === "shutting down");
    const second = Date.now();
    service.kill("SIGTERM");
    expect(await service.exited).toBe(1);
    expect(Date.now() - second).toBeLessThan(5000);
    expect(service.logs.some((l) => l.msg === "second signal, exiting at once")).toBe(true);
  });
});
