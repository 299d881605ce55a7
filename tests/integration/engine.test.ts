import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DeliveryError } from "../../src/channel.js";
import type { Engine } from "../../src/engine/engine.js";
import type { HandoffGateway } from "../../src/handoff/gateway.js";
import { ConversationStore } from "../../src/store/conversation-store.js";
import {
  RecordingGateway,
  type RecordingSender,
  type RecordingState,
  recordingEngine,
  textEvent,
} from "../helpers/fake-flow.js";
import { startTestRedis, type TestRedis } from "../helpers/redis-server.js";

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis.stop();
});

interface Harness {
  engine: Engine;
  sender: RecordingSender;
  store: ConversationStore;
  gateway: RecordingGateway;
}

function makeEngine(
  prefix: string,
  floodCount = 0,
  client: Redis = redis.client(),
  gateway: HandoffGateway = new RecordingGateway(),
): Harness {
  const store = new ConversationStore(client, {
    prefix,
    leaseMs: 2000,
    flood: { count: floodCount, windowMs: 60_000 },
  });
  const { engine, sender } = recordingEngine(store, gateway);
  return { engine, sender, store, gateway: gateway as RecordingGateway };
}

async function readState(client: Redis, store: ConversationStore, conv: string): Promise<RecordingState> {
  const raw = await client.hget(store.keys(conv)[0], "s");
  return JSON.parse(raw ?? "null") as RecordingState;
}

describe("engine on a real Redis", () => {
  it("handles the same inbound id twice only once", async () => {
    const { engine, sender, store } = makeEngine(`t-${randomUUID()}`);
    const first = await engine.accept(textEvent("1", "u-1", "hello"));
    const second = await engine.accept(textEvent("1", "u-1", "hello"));
    expect([first, second]).toEqual(["handled", "duplicate"]);
    expect(sender.sent.map((s) => s.reply.text)).toEqual(["echo hello"]);
    expect((await readState(redis.client(), store, "cli-1")).seen).toEqual(["hello"]);
  });

  it("keeps order and loses no state when two engines race on one conversation with duplicates", async () => {
    const prefix = `t-${randomUUID()}`;
    const a = makeEngine(prefix);
    const b = makeEngine(prefix);
    const texts = Array.from({ length: 60 }, (_, i) => `m${i}`);
    // Every update reaches both instances (a webhook retry landing elsewhere), all at once.
    const results = await Promise.all(
      texts.flatMap((t, i) => [
        a.engine.accept(textEvent("race", `u${i}`, t)),
        b.engine.accept(textEvent("race", `u${i}`, t)),
      ]),
    );
    expect(results.filter((r) => r === "handled")).toHaveLength(texts.length);
    expect(results.filter((r) => r === "duplicate")).toHaveLength(texts.length);
    const state = await readState(redis.client(), a.store, "cli-race");
    expect(state.seen).toEqual(texts);
    // Each reply went out once, through one of the two instances, and in order overall.
    const replies = [...a.sender.sent, ...b.sender.sent]
      .map((s) => s.reply.text)
      .sort((x, y) => Number(x.slice(6)) - Number(y.slice(6)));
    expect(replies).toEqual(texts.map((t) => `echo ${t}`));
  });

  it("serializes one conversation while handling others concurrently", async () => {
    const { engine, store } = makeEngine(`t-${randomUUID()}`);
    const convs = ["c1", "c2", "c3"];
    await Promise.all(
      convs.flatMap((c) => [0, 1, 2, 3].map((i) => engine.accept(textEvent(c, `${c}-${i}`, `${c}:${i}`)))),
    );
    for (const c of convs) {
      expect((await readState(redis.client(), store, `cli-${c}`)).seen).toEqual(
        [0, 1, 2, 3].map((i) => `${c}:${i}`),
      );
    }
  });

  it("carries out a committed outbox again when the update is redelivered after a failure", async () => {
    const { engine, sender, store } = makeEngine(`t-${randomUUID()}`);
    sender.failNext.push(new Error("network down"));
    await expect(engine.accept(textEvent("crash", "u-1", "hello"))).rejects.toThrow("network down");
    expect(sender.sent).toHaveLength(0);
    // The platform redelivers: the flow must not run twice, but the reply must go out.
    expect(await engine.accept(textEvent("crash", "u-1", "hello"))).toBe("duplicate");
    expect(sender.sent.map((s) => s.reply.text)).toEqual(["echo hello"]);
    expect((await readState(redis.client(), store, "cli-crash")).seen).toEqual(["hello"]);
    // And a third delivery is a plain duplicate: nothing more is sent.
    expect(await engine.accept(textEvent("crash", "u-1", "hello"))).toBe("duplicate");
    expect(sender.sent).toHaveLength(1);
  });

  it("finishes an unfinished outbox before the next update of the conversation, under the same lock", async () => {
    const { engine, sender, store } = makeEngine(`t-${randomUUID()}`);
    sender.failNext.push(new Error("crash"));
    await expect(engine.accept(textEvent("next", "u-1", "first"))).rejects.toThrow();
    const begin = vi.spyOn(store, "begin");
    await engine.accept(textEvent("next", "u-2", "second"));
    expect(sender.sent.map((s) => s.reply.text)).toEqual(["echo first", "echo second"]);
    // The replay kept the lock for the step that followed: no lost-lock retry, one begin.
    expect(begin).toHaveBeenCalledTimes(1);
  });

  it("records an undeliverable reply and does not retry it", async () => {
    const { engine, sender, store } = makeEngine(`t-${randomUUID()}`);
    sender.failNext.push(new DeliveryError("console", "blk", "blocked", 403));
    expect(await engine.accept(textEvent("blk", "u-1", "hi"))).toBe("handled");
    const u = await redis.client().hget(store.keys("cli-blk")[0], "u");
    expect(JSON.parse(u ?? "{}")).toMatchObject({ reason: "blocked" });
    expect(await redis.client().hexists(store.keys("cli-blk")[0], "ob")).toBe(0);
  });

  it("drops updates over the flood limit and says so once", async () => {
    const { engine, sender } = makeEngine(`t-${randomUUID()}`, 5);
    const results = [];
    for (let i = 0; i < 8; i++) results.push(await engine.accept(textEvent("flood", `f${i}`, `m${i}`)));
    expect(results.filter((r) => r === "handled")).toHaveLength(5);
    expect(results.filter((r) => r === "dropped")).toHaveLength(3);
    expect(sender.sent.filter((s) => s.reply.text === "slow down")).toHaveLength(1);
  });

  it("runs a handoff effect and replies with the queue status tagged for later edits", async () => {
    const { engine, sender, gateway, store } = makeEngine(`t-${randomUUID()}`);
    await engine.accept(textEvent("ho", "u-1", "handoff"));
    expect(gateway.requests).toEqual(["cli-ho-1"]);
    expect(sender.sent.map((s) => s.reply.text)).toEqual(["echo handoff", "position 1"]);
    expect(await redis.client().hget(store.keys("cli-ho")[0], "t:queue")).toBe("2");
  });

  it("waits for a lock held by a crashed instance until its lease runs out", async () => {
    const prefix = `t-${randomUUID()}`;
    const { engine, store } = makeEngine(prefix);
    // The crashed instance had a store of its own (a lock of this one's would be released at once).
    const crashed = await makeEngine(prefix).store.begin("cli-lease", "u-0");
    expect(crashed.status).toBe("ok");
    const started = Date.now();
    expect(await engine.accept(textEvent("lease", "u-1", "after"))).toBe("handled");
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    expect((await readState(redis.client(), store, "cli-lease")).seen).toEqual(["after"]);
  });
});
