import type { Api } from "grammy";
import { GrammyError } from "grammy";
import type { Update } from "grammy/types";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type PollingFault, startPolling } from "../../adapters/telegram/polling.js";
import { gate } from "../helpers/gate.js";
import { memoryLogger } from "../helpers/memory-logger.js";

/**
 * The polling loop against an in-process getUpdates with Telegram's offset rule (an offset confirms
 * every update below it), under fake timers, so a 90-second outage takes no real time while the
 * loop's own clock, back-offs and retries run exactly as in production.
 */
class StubTelegram {
  /** Updates not yet confirmed. */
  queue: Update[] = [];
  /** Every offset the loop sent, in order. */
  readonly offsets: (number | undefined)[] = [];
  /** The next getUpdates calls fail with these codes. */
  readonly failures: number[] = [];
  private nextId = 1;
  private wake: (() => void) | undefined;

  push(chatId: number): Update {
    const update = {
      update_id: this.nextId++,
      message: { message_id: this.nextId, date: 0, chat: { id: chatId, type: "private" }, text: "hi" },
    } as unknown as Update;
    this.queue.push(update);
    this.wake?.();
    return update;
  }

  /** Ids confirmed so far: below the highest offset sent. */
  get confirmedBelow(): number {
    return Math.max(0, ...this.offsets.map((o) => o ?? 0));
  }

  readonly api = {
    getUpdates: async (params: { offset?: number; timeout?: number }, signal?: AbortSignal) => {
      this.offsets.push(params.offset);
      const failure = this.failures.shift();
      if (failure !== undefined) {
        throw new GrammyError(
          "Call to 'getUpdates' failed!",
          { ok: false, error_code: failure, description: failure === 409 ? "Conflict" : "Unauthorized" },
          "getUpdates",
          {},
        );
      }
      const offset = params.offset;
      if (offset !== undefined) this.queue = this.queue.filter((u) => u.update_id >= offset);
      if (this.queue.length > 0 || !params.timeout) return this.queue.slice(0, 100);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, (params.timeout ?? 0) * 1000);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
        signal?.addEventListener("abort", () => this.wake?.(), { once: true });
      });
      this.wake = undefined;
      if (signal?.aborted) throw new Error("aborted");
      return this.queue.slice(0, 100);
    },
  };
}

let telegram: StubTelegram;
beforeEach(() => {
  vi.useFakeTimers();
  telegram = new StubTelegram();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("Telegram polling: nothing confirmed before it is handled", () => {
  it("keeps retrying through a 90-second Redis outage and confirms the update only once it is handled", async () => {
    let redisUp = false;
    const handled: number[] = [];
    let attempts = 0;
    const logs = memoryLogger();
    const polling = startPolling({
      api: telegram.api as unknown as Api,
      logger: logs.logger,
      allowedUpdates: ["message"],
      async handle(update) {
        attempts++;
        if (!redisUp) throw new Error("Connection is closed.");
        handled.push(update.update_id);
      },
    });
    const update = telegram.push(501);
    await vi.advanceTimersByTimeAsync(90_000);
    // The old loop gave up after 60 s and confirmed the update it never handled.
    expect(handled).toEqual([]);
    expect(attempts).toBeGreaterThan(3);
    expect(telegram.confirmedBelow).toBeLessThanOrEqual(update.update_id);
    expect(telegram.queue.map((u) => u.update_id)).toContain(update.update_id);

    redisUp = true;
    await vi.advanceTimersByTimeAsync(31_000); // at most one back-off step (30 s cap) later
    expect(handled).toEqual([update.update_id]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(telegram.confirmedBelow).toBe(update.update_id + 1);
    const stopped = polling.stop();
    await vi.advanceTimersByTimeAsync(1_000);
    await stopped;
  });

  it("confirms a handled update only once the core has marked its outbox done (settle)", async () => {
    const acksDone = gate();
    const polling = startPolling({
      api: telegram.api as unknown as Api,
      logger: memoryLogger().logger,
      allowedUpdates: ["message"],
      async handle() {},
      settle: () => acksDone.promise,
    });
    const update = telegram.push(7);
    await vi.advanceTimersByTimeAsync(1_000);
    // Handled, but its ack is still on its way: no offset past it has been sent.
    expect(telegram.confirmedBelow).toBeLessThanOrEqual(update.update_id);
    acksDone.open();
    await vi.advanceTimersByTimeAsync(1_000); // the loop's next poll (busyPollMs) sends the offset
    expect(telegram.confirmedBelow).toBe(update.update_id + 1);
    const stopped = polling.stop();
    await vi.advanceTimersByTimeAsync(1_000);
    await stopped;
  });

  it("does not stall every chat when an ack never answers: the offset goes on after a back-off", async () => {
    const handled: number[] = [];
    const polling = startPolling({
      api: telegram.api as unknown as Api,
      logger: memoryLogger().logger,
      allowedUpdates: ["message"],
      maxBackoffMs: 5_000,
      async handle(update) {
        handled.push(update.update_id);
      },
      settle: () => new Promise<void>(() => undefined), // Redis never answers the ack
    });
    const first = telegram.push(8);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(telegram.confirmedBelow).toBeLessThanOrEqual(first.update_id);
    // Each new offset waits at most one back-off (5 s) for the acks: two here (the first one still
    // had the update unfinished).
    await vi.advanceTimersByTimeAsync(12_000);
    expect(telegram.confirmedBelow).toBe(first.update_id + 1);
    const second = telegram.push(9); // another chat is still heard
    await vi.advanceTimersByTimeAsync(100);
    expect(handled).toContain(second.update_id);
    // Stopping waits for the acks too (at most a back-off) before its last confirmation.
    let stopped = false;
    void polling.stop().then(() => {
      stopped = true;
    });
    for (let i = 0; i < 20 && !stopped; i++) await vi.advanceTimersByTimeAsync(1_000);
    expect(stopped).toBe(true);
  });

  it("lets other chats through while one chat is slow, and confirms only up to the oldest unfinished update", async () => {
    const gates = new Map<number, () => void>();
    const handled: number[] = [];
    const polling = startPolling({
      api: telegram.api as unknown as Api,
      logger: memoryLogger().logger,
      allowedUpdates: ["message"],
      async handle(update) {
        const chat = update.message?.chat.id ?? 0;
        if (chat === 1) await new Promise<void>((resolve) => gates.set(update.update_id, resolve));
        handled.push(update.update_id);
      },
    });
    const slow = telegram.push(1);
    await vi.advanceTimersByTimeAsync(10);
    const slowSecond = telegram.push(1); // same chat: must wait behind the first
    const others = [telegram.push(2), telegram.push(3), telegram.push(4)];
    await vi.advanceTimersByTimeAsync(1_000); // far less than the 20 s the slow send takes
    expect(handled).toEqual(others.map((u) => u.update_id));
    // Nothing from the slow update on is confirmed: a crash now loses nothing.
    expect(telegram.confirmedBelow).toBeLessThanOrEqual(slow.update_id);
    const later = telegram.push(5);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(handled).toContain(later.update_id);
    expect(handled).not.toContain(slowSecond.update_id);

    await vi.advanceTimersByTimeAsync(20_000);
    gates.get(slow.update_id)?.();
    await vi.advanceTimersByTimeAsync(10);
    gates.get(slowSecond.update_id)?.();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(handled.slice(-2)).toEqual([slow.update_id, slowSecond.update_id]);
    expect(telegram.confirmedBelow).toBe(later.update_id + 1);
    const stopped = polling.stop();
    await vi.advanceTimersByTimeAsync(1_000);
    await stopped;
  });

  it("reports a 409 conflict at once and clears it when polling works again", async () => {
    const faults: (PollingFault | undefined)[] = [];
    telegram.failures.push(409, 409);
    const polling = startPolling({
      api: telegram.api as unknown as Api,
      logger: memoryLogger().logger,
      allowedUpdates: ["message"],
      handle: async () => undefined,
      onFault: (f) => faults.push(f),
    });
    await vi.advanceTimersByTimeAsync(10);
    expect(faults[0]).toMatchObject({ code: 409, permanent: false });
    expect(faults[0]?.fix).toMatch(/one polling instance/);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(faults.at(-1)).toBeUndefined();
    const stopped = polling.stop();
    await vi.advanceTimersByTimeAsync(1_000);
    await stopped;
  });

  it("stops on a revoked token (401), reporting a permanent fault that names the variable to fix", async () => {
    const faults: (PollingFault | undefined)[] = [];
    telegram.failures.push(401);
    const logs = memoryLogger();
    const polling = startPolling({
      api: telegram.api as unknown as Api,
      logger: logs.logger,
      allowedUpdates: ["message"],
      handle: async () => undefined,
      onFault: (f) => faults.push(f),
    });
    await expect(polling.done).rejects.toBeInstanceOf(GrammyError);
    expect(faults).toEqual([expect.objectContaining({ code: 401, permanent: true })]);
    expect(logs.text()).toContain("TELEGRAM_BOT_TOKEN");
  });
});
