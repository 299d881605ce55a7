import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FakeTelegramApi } from "../fakes/telegram-api.js";
import { FakeVkApi } from "../fakes/vk-api.js";
import { freePort, startTestRedis, type TestRedis } from "../helpers/redis-server.js";
import { type LogLine, type ServiceProcess, startService } from "../helpers/service-process.js";

/**
 * A bot that cannot hear customers must not say it is ready: a revoked Telegram token (getUpdates
 * 401), a 409 conflict, and VK's error 5 on groups.getLongPollServer each turn /readyz 503 at once
 * and end the process with exit code 3 after CHANNEL_FAULT_EXIT_MS, with a log line naming the fix.
 */

let redis: TestRedis;
const services: ServiceProcess[] = [];
const closers: (() => Promise<void>)[] = [];
beforeAll(async () => {
  redis = await startTestRedis({ appendonly: false });
});
afterAll(async () => {
  await redis.stop();
});
afterEach(async () => {
  for (const s of services.splice(0)) {
    if (s.proc.exitCode === null && s.proc.signalCode === null) {
      s.kill("SIGKILL");
      await s.exited;
    }
  }
  for (const close of closers.splice(0)) await close();
});

/** The exit bound the tests use: long enough to see /readyz turn 503 first. */
const EXIT_MS = 3000;

async function start(env: Record<string, string>): Promise<{ service: ServiceProcess; port: number }> {
  const port = await freePort();
  const service = startService({
    REDIS_URL: redis.url,
    PORT: String(port),
    CHANNEL_FAULT_EXIT_MS: String(EXIT_MS),
    ...env,
  });
  services.push(service);
  await service.waitForLog((l) => l.msg === "channels started");
  expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
  return { service, port };
}

/** The service polling a fake Bot API, with its long poll already held open. */
async function startPolling() {
  const telegram = await FakeTelegramApi.start();
  closers.push(() => telegram.close());
  const started = await start({ TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.apiRoot });
  await telegram.heldPoll();
  return { telegram, ...started };
}

const isFault = (l: LogLine) =>
  typeof l.msg === "string" && l.msg.includes("cannot receive customer messages");

/** After the fault: /readyz is 503 naming the fix, then the process exits 3 with a log line saying what to fix. */
async function expectDeaf(service: ServiceProcess, port: number, fixMentions: RegExp): Promise<void> {
  const fault = await service.waitForLog(isFault);
  const faultAt = Date.now();
  const readyz = await fetch(`http://127.0.0.1:${port}/readyz`);
  expect(readyz.status).toBe(503);
  expect(await readyz.text()).toMatch(fixMentions);
  // Alive (and answering /healthz) until the bound, so an orchestrator sees the 503 and the logs.
  expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  expect(await service.exited).toBe(3);
  expect(Date.now() - faultAt).toBeLessThan(EXIT_MS + 15_000);
  expect(String(fault.msg)).toMatch(fixMentions);
  const last = service.logs.find((l) => typeof l.msg === "string" && l.msg.startsWith("exiting:"));
  expect(String(last?.msg)).toMatch(fixMentions);
  expect(last?.level).toBe(60);
}

describe("deaf but ready: the process says so and exits", { timeout: 60_000 }, () => {
  it("a Telegram token revoked while polling (getUpdates 401)", async () => {
    const { telegram, service, port } = await startPolling();
    telegram.revokeToken();
    await expectDeaf(service, port, /TELEGRAM_BOT_TOKEN/);
    // The token never appears in the logs.
    expect(JSON.stringify(service.logs)).not.toContain(telegram.token.split(":")[1]);
  });

  it("a 409 conflict: another process polls with the same token", async () => {
    const { telegram, service, port } = await startPolling();
    // The other process's getUpdates ends ours with 409, as Telegram does…
    const other = await fetch(`${telegram.apiRoot}/bot${telegram.token}/getUpdates`, { method: "POST" });
    expect(other.status).toBe(200);
    // …and it keeps polling, so every later getUpdates of ours gets 409 too (ours retries after a back-off).
    telegram.failNext(
      "getUpdates",
      {
        kind: "error",
        code: 409,
        description:
          "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
      },
      1000,
    );
    await expectDeaf(service, port, /one polling instance/);
  });

  it("VK groups.getLongPollServer error 5 (the community token was revoked)", async () => {
    const vk = await FakeVkApi.start();
    closers.push(() => vk.close());
    const { service, port } = await start({
      VK_GROUP_TOKEN: vk.token,
      VK_GROUP_ID: String(vk.groupId),
      VK_API_BASE_URL: vk.apiBaseUrl,
    });
    vk.failNext("groups.getLongPollServer", 5, { times: 1000 });
    // VK expires the key of a revoked token; the client asks for a new server and gets error 5.
    vk.failNextPoll(2);
    await expectDeaf(service, port, /VK_GROUP_TOKEN/);
  });
});
