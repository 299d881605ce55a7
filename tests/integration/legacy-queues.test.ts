import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LEGACY_PREFIX, moveLegacyJobs } from "../../src/handoff/legacy-queues.js";
import { startTestRedis, type TestRedis } from "../helpers/redis-server.js";

/**
 * An upgrade from a version that queued under BullMQ's default prefix: the jobs it left waiting are
 * moved to the queues this version serves, with their ids, data, options and remaining delay, once.
 */
let redis: TestRedis;
let client: Redis;
beforeAll(async () => {
  redis = await startTestRedis({ appendonly: false });
  client = redis.client(3);
  await client.flushdb(); // db 3 belongs to this file alone
});
afterAll(async () => {
  await redis.stop();
});

describe("jobs an earlier version left queued", () => {
  it("are moved to the current queues with their ids, data, priority and remaining delay, once", async () => {
    const name = `handoffs-${randomUUID()}`;
    const prefix = "{sb}";
    const old = new Queue(name, { connection: client, prefix: LEGACY_PREFIX });
    await old.add("handoff", { handoffId: "tg-1-1" }, { jobId: "tg-1-1", attempts: 5 });
    await old.add("handoff", { handoffId: "tg-2-1" }, { jobId: "tg-2-1", priority: 1 });
    await old.add("neglect", { handoffId: "tg-3-1" }, { jobId: "neglect-tg-3-1", delay: 60_000 });
    // Another application's job in a queue of the same name under the default prefix: not ours to move.
    await old.add("invoice-email", { to: "accounts@example.org" }, { jobId: "foreign-1" });
    const now = Date.now() + 20_000; // 20 s later: 40 s of the delay are left
    const logger = pino({ level: "silent" });

    expect(await moveLegacyJobs(client, [name], prefix, logger, () => now)).toEqual({ [name]: 3 });

    const current = new Queue(name, { connection: client, prefix });
    try {
      const moved = await current.getJobs(["wait", "prioritized", "delayed"], 0, -1);
      const byId = new Map(moved.map((j) => [j.id, j]));
      expect([...byId.keys()].sort()).toEqual(["neglect-tg-3-1", "tg-1-1", "tg-2-1"]);
      expect(byId.get("tg-1-1")?.data).toEqual({ handoffId: "tg-1-1" });
      expect(byId.get("tg-1-1")?.opts.attempts).toBe(5);
      expect(byId.get("tg-2-1")?.opts.priority).toBe(1);
      expect(await byId.get("neglect-tg-3-1")?.getState()).toBe("delayed");
      const delay = byId.get("neglect-tg-3-1")?.delay ?? 0;
      expect(delay).toBeGreaterThan(35_000);
      expect(delay).toBeLessThanOrEqual(40_000);
      // Only the foreign job is left under the old prefix, and a second instance moves nothing more.
      const left = await old.getJobs(["wait", "prioritized", "delayed"], 0, -1);
      expect(left.map((j) => j.id)).toEqual(["foreign-1"]);
      expect(await moveLegacyJobs(client, [name], prefix, logger, () => now)).toEqual({});
      expect(await current.getJobCountByTypes("wait", "prioritized", "delayed")).toBe(3);
    } finally {
      await Promise.all([old.close(), current.close()]);
    }
  });
});
