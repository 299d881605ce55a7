import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { InboundEvent, OutboundReply } from "../../flows/model.js";
import type { SendOptions, SentMessage } from "../../src/channel.js";
import { ConversationStore } from "../../src/store/conversation-store.js";
import { RecordingGateway, RecordingSender, recordingEngine, textEvent } from "../helpers/fake-flow.js";
import { startTestRedis, type TestRedis } from "../helpers/redis-server.js";

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis.stop();
});

const LEASE_MS = 1000;

/**
 * A sender stuck in a platform's rate limit: every send waits until `open()` (as a 429 with a long
 * `retry_after` does inside the Telegram transformer or the VK backoff), and says when it started.
 */
class StuckSender extends RecordingSender {
  private open_ = (): void => undefined;
  private readonly gate = new Promise<void>((resolve) => {
    this.open_ = resolve;
  });
  private markStarted = (): void => undefined;
  /** Resolves when the first send has begun. */
  readonly started = new Promise<void>((resolve) => {
    this.markStarted = resolve;
  });

  override async send(chatId: string, reply: OutboundReply, options: SendOptions): Promise<SentMessage> {
    this.markStarted();
    await this.gate;
    return super.send(chatId, reply, options);
  }

  /** The rate limit is over: every held send goes through. */
  open(): void {
    this.open_();
  }
}

function instance(prefix: string, sender = new RecordingSender("console")) {
  const store = new ConversationStore(redis.client(), { prefix, leaseMs: LEASE_MS });
  return { store, ...recordingEngine(store, new RecordingGateway(), sender) };
}

describe("conversation lease across instances (issue 11, defect 6)", () => {
  it("keeps the lock while a slow delivery outlives the lease, so another instance does not replay it", async () => {
    const prefix = `t-${randomUUID()}`;
    const stuck = new StuckSender("console");
    const a = instance(prefix, stuck);
    const b = instance(prefix);
    const first = a.engine.accept(textEvent("slow", "u-1", "hello"));
    await stuck.started;
    // The send is held for several leases (a 429 with a long retry_after); only time can show that
    // the lease is renewed, so this waits it out.
    await new Promise((r) => setTimeout(r, LEASE_MS * 2));
    // The platform redelivers the update to the other instance, and the customer writes again.
    const redelivered = await b.engine.accept(textEvent("slow", "u-1", "hello"));
    const next = b.engine.accept(textEvent("slow", "u-2", "second"));
    stuck.open();
    expect(await first).toBe("handled");
    expect(redelivered).toBe("duplicate");
    expect(await next).toBe("handled");
    const sent = [...stuck.sent, ...b.sender.sent].map((s) => s.reply.text);
    expect(sent).toEqual(["echo hello", "echo second"]);
    expect(b.sender.sent.map((s) => s.reply.text)).toEqual(["echo second"]);
  });

  it("stops sending once it learns its lock was lost, leaving the rest to the worker that took over", async () => {
    const prefix = `t-${randomUUID()}`;
    const stuck = new StuckSender("console");
    const a = instance(prefix, stuck);
    // «handoff» makes two replies: the echo and the queue status.
    const handled = a.engine.accept(textEvent("lost", "u-1", "handoff"));
    await stuck.started;
    // The lease ran out while the holder was frozen, and another worker took the conversation.
    const renew = a.store.renew.bind(a.store);
    const noticed = new Promise<void>((resolve) => {
      vi.spyOn(a.store, "renew").mockImplementation(async (lease) => {
        const held = await renew(lease);
        if (!held) resolve();
        return held;
      });
    });
    await redis.client().set(a.store.keys("cli-lost")[1], "other-worker", "PX", 60_000);
    await noticed;
    stuck.open();
    // The redelivery finds the conversation held by the other worker: nothing more to do here.
    expect(await handled).toBe("duplicate");
    expect(stuck.sent.map((s) => s.reply.text)).toEqual(["echo handoff"]);
    expect(await redis.client().hexists(a.store.keys("cli-lost")[0], "ob")).toBe(1);
  });

  it("does not clear an outbox that another worker committed after this one lost its lock", async () => {
    const store = new ConversationStore(redis.client(), { prefix: `t-${randomUUID()}`, leaseMs: LEASE_MS });
    const conv = "cli-stale";
    const stale = await store.begin(conv, "u-1");
    if (stale.status !== "ok") throw new Error(`expected ok, got ${stale.status}`);
    await store.commit(stale.lease, 0, "{}", "u-1", '{"mine":1}');
    // The lease runs out (the holder was frozen); another worker takes the conversation and commits.
    await redis.client().del(store.keys(conv)[1]);
    const fresh = await store.begin(conv, "u-2");
    if (fresh.status !== "ok") throw new Error(`expected ok, got ${fresh.status}`);
    await store.commit(fresh.lease, 1, "{}", "u-2", '{"theirs":1}');
    // The stale worker wakes up and acks: it must not touch the other worker's outbox or lock.
    const acked = await store.ack(stale.lease, { queue: "9" });
    const hash = redis.client();
    expect(await hash.hget(store.keys(conv)[0], "ob")).toBe('{"theirs":1}');
    expect(await hash.hget(store.keys(conv)[0], "t:queue")).toBeNull();
    expect(await hash.get(store.keys(conv)[1])).toBe(fresh.lease.token);
    expect(acked).toBe(false);
    expect(await store.ack(fresh.lease, {})).toBe(true);
    expect(await hash.hexists(store.keys(conv)[0], "ob")).toBe(0);
  });
});

describe("flood limit and the desk's signals (issue 11, defect 7)", () => {
  it("lets a desk signal through after the customer used up the flood limit with an album", async () => {
    const store = new ConversationStore(redis.client(), {
      prefix: `t-${randomUUID()}`,
      flood: { count: 5, windowMs: 60_000 },
    });
    const { engine, sender } = recordingEngine(store, new RecordingGateway());
    // An album of ten photos arrives as ten updates at once.
    const album = await Promise.all(
      Array.from({ length: 10 }, (_, i) => engine.accept(textEvent("album", `p${i}`, `photo ${i}`))),
    );
    expect(album.filter((r) => r === "dropped")).toHaveLength(5);
    const closed: InboundEvent = {
      ...textEvent("album", "desk-close-1", ""),
      text: undefined,
      userId: "desk",
      kind: "system",
      signal: { type: "agent_closed", handoffId: "cli-album-1" },
    };
    expect(await engine.accept(closed)).toBe("handled");
    expect(sender.sent.at(-1)?.reply.text).toBe("echo system");
    // The signal is not counted either: the customer's own limit is what it was.
    expect(await engine.accept(textEvent("album", "p10", "photo 10"))).toBe("dropped");
  });
});

describe("a lock left behind (its reply lost in a failover)", () => {
  /** An engine whose lock wait is short, so waiting out a 60 s lease shows up as ConversationBusyError. */
  function impatient(store: ConversationStore) {
    return recordingEngine(store, new RecordingGateway(), new RecordingSender("console"), undefined, 300);
  }

  it("is this process's own: released at once, and the update goes through", async () => {
    const prefix = `t-${randomUUID()}`;
    const store = new ConversationStore(redis.client(), { prefix, leaseMs: 60_000 });
    const { engine, sender } = impatient(store);
    // A begin whose reply never came back: the lock is on Redis under a token of this store's.
    const orphan = await store.begin("cli-left", "u-0");
    expect(orphan.status).toBe("ok");
    expect(await engine.accept(textEvent("left", "u-1", "hello"))).toBe("handled");
    expect(sender.sent.map((s) => s.reply.text)).toEqual(["echo hello"]);
  });

  it("is another instance's: respected, the update waits (and here gives up) rather than take it", async () => {
    const prefix = `t-${randomUUID()}`;
    const other = new ConversationStore(redis.client(), { prefix, leaseMs: 60_000 });
    const mine = new ConversationStore(redis.client(), { prefix, leaseMs: 60_000 });
    expect((await other.begin("cli-busy", "u-0")).status).toBe("ok");
    const { engine, sender } = impatient(mine);
    await expect(engine.accept(textEvent("busy", "u-1", "hello"))).rejects.toThrow(/stayed locked/);
    expect(sender.sent).toEqual([]);
  });
});
