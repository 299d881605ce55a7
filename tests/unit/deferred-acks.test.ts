import { describe, expect, it, vi } from "vitest";
import { DeferredAcks } from "../../src/engine/deferred-acks.js";
import type { EventLog } from "../../src/engine/event-log.js";
import type { CarriedAck, ConversationStore } from "../../src/store/conversation-store.js";

/** A store whose `ack` answers when the test says so. */
function fakeStore() {
  const calls: { token: string; tags: Record<string, string>; undeliverable: string }[] = [];
  let answer: (done: boolean) => void = () => undefined;
  let fail: (err: Error) => void = () => undefined;
  const store = {
    ack: vi.fn(
      (lease: { token: string }, tags: Record<string, string>, undeliverable = "") =>
        new Promise<boolean>((resolve, reject) => {
          calls.push({ token: lease.token, tags, undeliverable });
          answer = resolve;
          fail = reject;
        }),
    ),
  };
  return {
    store: store as unknown as ConversationStore,
    calls,
    answer: (done: boolean) => answer(done),
    fail: (err: Error) => fail(err),
  };
}

const log: EventLog = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const ackOf = (key: string, token: string): CarriedAck => ({
  lease: { conversationKey: key, token },
  tags: { queue: "7" },
  undeliverableJson: "",
});
const endOfTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("DeferredAcks", () => {
  it("hands an owed ack to the conversation's next step in the same turn, and sends nothing itself", async () => {
    const fake = fakeStore();
    const acks = new DeferredAcks(fake.store, () => undefined);
    acks.defer(ackOf("tg-1", "t1"), log);
    expect(await acks.take("tg-1")).toEqual(ackOf("tg-1", "t1"));
    await endOfTurn();
    expect(fake.calls).toEqual([]);
    expect(await acks.take("tg-1")).toBeUndefined();
  });

  it("sends the ack on its own at the end of the turn; a later step waits for it and carries nothing", async () => {
    const fake = fakeStore();
    const acks = new DeferredAcks(fake.store, () => undefined);
    acks.defer(ackOf("tg-2", "t2"), log);
    await endOfTurn();
    expect(fake.calls).toEqual([{ token: "t2", tags: { queue: "7" }, undeliverable: "" }]);
    let taken = false;
    const next = acks.take("tg-2").then((carried) => {
      taken = true;
      return carried;
    });
    await endOfTurn();
    expect(taken).toBe(false); // the step must not run into its own lock
    fake.answer(true);
    expect(await next).toBeUndefined();
  });

  it("reports an ack whose lock was lost, and one Redis failed, so the engine forgets the state", async () => {
    const fake = fakeStore();
    const failed = vi.fn();
    const acks = new DeferredAcks(fake.store, failed);
    acks.defer(ackOf("tg-3", "t3"), log);
    await endOfTurn();
    fake.answer(false);
    await vi.waitFor(() => expect(failed).toHaveBeenCalledTimes(1));
    expect(failed.mock.calls[0]?.slice(0, 2)).toEqual(["tg-3", ackOf("tg-3", "t3")]);
    expect(failed.mock.calls[0]?.[3]).toBeUndefined();

    acks.defer(ackOf("tg-4", "t4"), log);
    await endOfTurn();
    const err = new Error("Connection is closed.");
    fake.fail(err);
    await vi.waitFor(() => expect(failed).toHaveBeenCalledTimes(2));
    expect(failed.mock.calls[1]?.[0]).toBe("tg-4");
    expect(failed.mock.calls[1]?.[3]).toBe(err);
  });

  it("settles every owed ack on shutdown, and waits for Redis to answer", async () => {
    const fake = fakeStore();
    const acks = new DeferredAcks(fake.store, () => undefined);
    acks.defer(ackOf("tg-5", "t5"), log);
    let settled = false;
    const all = acks.settleAll().then(() => {
      settled = true;
    });
    await Promise.resolve();
    expect(fake.calls.map((c) => c.token)).toEqual(["t5"]);
    expect(settled).toBe(false);
    fake.answer(true);
    await all;
    expect(settled).toBe(true);
  });
});
