import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConversationStore, type Lease } from "../../src/store/conversation-store.js";
import { startTestRedis, type TestRedis } from "../helpers/redis-server.js";

/**
 * The store's one-round-trip `step` (begin and commit together, for a worker that knows the state):
 * it writes only when every check of the long way would pass, and nothing otherwise.
 */

let redis: TestRedis;
let client: Redis;
beforeAll(async () => {
  redis = await startTestRedis({ appendonly: false });
  client = redis.client();
});
afterAll(async () => {
  await redis.stop();
});

/** A store on a fresh prefix, and one conversation saved once the long way (version 1). */
async function savedOnce(flood = { count: 0, windowMs: 1000 }) {
  const store = new ConversationStore(client, { prefix: `t-${randomUUID()}`, flood });
  const begun = await store.begin("c", "u1");
  if (begun.status !== "ok") throw new Error(begun.status);
  await store.commit(begun.lease, 0, '{"n":1}', "u1", '{"o":1}');
  expect(await store.ack(begun.lease, {})).toBe(true);
  const [hash, lock] = store.keys("c");
  const read = async (): Promise<Record<string, string | null>> => ({
    ...(await client.hgetall(hash)),
    lock: await client.get(lock),
  });
  return { store, read };
}

/** Steps the conversation saved once (version 1) with an outbox: the lock it holds for the ack. */
async function steppedHolding(store: ConversationStore): Promise<Lease> {
  const saved = await store.step("c", "u2", 1, '{"n":2}', '{"o":2}');
  if (saved.status !== "ok" || !saved.lease)
    throw new Error(`the step should hold the lock: ${saved.status}`);
  return saved.lease;
}

describe("store.step", () => {
  it("saves state, id and outbox at the known version and holds the lock for the ack", async () => {
    const { store, read } = await savedOnce();
    const saved = await store.step("c", "u2", 1, '{"n":2}', '{"o":2}');
    expect(saved.status).toBe("ok");
    const lease = saved.status === "ok" ? saved.lease : undefined;
    expect(lease).toBeDefined();
    expect(await read()).toMatchObject({
      s: '{"n":2}',
      v: "2",
      seen: "u2 u1",
      ob: '{"o":2}',
      lock: lease?.token,
    });
    if (lease) expect(await store.ack(lease, { queue: "7" })).toBe(true);
    expect(await read()).toMatchObject({ "t:queue": "7", lock: null });
    expect((await read()).ob).toBeUndefined();
  });

  it("carries the previous update's ack: outbox done and tags recorded, then its own step", async () => {
    const { store, read } = await savedOnce();
    const lease = await steppedHolding(store);
    const saved = await store.step("c", "u3", 2, '{"n":3}', "", {
      ack: { lease, tags: { queue: "8" }, undeliverableJson: "" },
    });
    expect(saved).toEqual({ status: "ok" });
    expect(await read()).toMatchObject({
      s: '{"n":3}',
      v: "3",
      seen: "u3 u2 u1",
      "t:queue": "8",
      lock: null,
    });
    expect((await read()).ob).toBeUndefined();
  });

  it("records a carried delivery failure, which sends the step itself the long way", async () => {
    const { store, read } = await savedOnce();
    const lease = await steppedHolding(store);
    const ack = { lease, tags: { queue: "7" }, undeliverableJson: '{"reason":"blocked","at":1}' };
    expect(await store.step("c", "u3", 2, '{"n":3}', '{"o":3}', { ack })).toEqual({ status: "stale" });
    // The ack is written; the step is not (only the long way reads the failure into the state).
    expect(await read()).toMatchObject({ v: "2", "t:queue": "7", u: ack.undeliverableJson, lock: null });
    expect((await read()).ob).toBeUndefined();
  });

  it("writes nothing when the carried ack's lock is no longer held under its token", async () => {
    const { store, read } = await savedOnce();
    const lease = await steppedHolding(store);
    // The lease ran out and another worker took the conversation.
    await client.set(store.keys("c")[1], "someone-else");
    const before = await read();
    const stale = { lease, tags: { queue: "7" }, undeliverableJson: "" };
    expect(await store.step("c", "u3", 2, '{"n":3}', "", { ack: stale })).toEqual({ status: "stale" });
    expect(await read()).toEqual(before);
  });

  it("with nothing to carry out, releases the lock in the same write", async () => {
    const { store, read } = await savedOnce();
    expect(await store.step("c", "u2", 1, '{"n":2}', "")).toEqual({ status: "ok" });
    const after = await read();
    expect(after).toMatchObject({ v: "2", lock: null });
    expect(after.ob).toBeUndefined();
  });

  it("writes nothing when the version moved, an outbox is unfinished, a failure is recorded or the lock is held", async () => {
    const { store, read } = await savedOnce();
    const before = await read();
    expect(await store.step("c", "u2", 0, "{}", "")).toEqual({ status: "stale" });
    const [hash, lock] = store.keys("c");
    await client.hset(hash, "ob", "{}");
    expect(await store.step("c", "u2", 1, "{}", "")).toEqual({ status: "stale" });
    await client.hdel(hash, "ob");
    await client.hset(hash, "u", "{}");
    expect(await store.step("c", "u2", 1, "{}", "")).toEqual({ status: "stale" });
    await client.hdel(hash, "u");
    await client.set(lock, "someone-else", "PX", 5000);
    expect(await store.step("c", "u2", 1, "{}", "")).toEqual({ status: "stale" });
    await client.del(lock);
    expect(await read()).toEqual(before);
  });

  it("knows a handled update, and leaves a redelivery with an unfinished outbox to begin's replay", async () => {
    const { store } = await savedOnce();
    expect(await store.step("c", "u1", 1, "{}", "")).toEqual({ status: "duplicate" });
    await client.hset(store.keys("c")[0], "ob", "{}");
    expect(await store.step("c", "u1", 1, "{}", "")).toEqual({ status: "stale" });
    expect((await store.begin("c", "u1")).status).toBe("replay");
  });

  it("counts the flood limit like begin, and drops the lock again when over it", async () => {
    const { store, read } = await savedOnce({ count: 2, windowMs: 10_000 });
    expect((await store.step("c", "u2", 1, "{}", "")).status).toBe("ok");
    expect(await store.step("c", "u3", 2, "{}", "")).toEqual({ status: "flood", count: 3 });
    expect(await read()).toMatchObject({ v: "2", lock: null });
    // Exempt (the desk's signals): neither limited nor counted.
    expect((await store.step("c", "u4", 2, "{}", "", { floodExempt: true })).status).toBe("ok");
  });
});
