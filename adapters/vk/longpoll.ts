import type { Logger } from "pino";
import type { API } from "vk-io";
import { z } from "zod";
import { SETUP_CODES, vkCodeOf } from "./errors.js";

/** Options for `VkLongPoll`. */
export interface VkLongPollOptions {
  api: API;
  groupId: number;
  /** Handles one update; rejects when its outcome could not be made durable (it is then read again). */
  handle(update: unknown): Promise<unknown>;
  logger: Logger;
  /** Seconds VK holds a poll open when there is nothing new (VK allows up to 90). @defaultValue 25 */
  waitSeconds?: number;
  /** Backoff after a failed poll or batch, doubled each time. @defaultValue { baseMs: 1000, maxMs: 30000 } */
  backoff?: { baseMs?: number; maxMs?: number };
  /**
   * Called when polling cannot hear customers (VK refuses the token or the community's settings:
   * codes 5, 7, 15, 27, 28) with the reason and the fix, and with `undefined` once it can again.
   */
  onFault?(fault: VkLongPollFault | undefined): void;
}

/** Long Poll is deaf until an operator acts: what VK said and what to change. */
export interface VkLongPollFault {
  code: number;
  reason: string;
  fix: string;
}

/** The Bots Long Poll server's answer: updates and the next `ts`, or a failure code. */
const PollResult = z.union([
  z.object({ failed: z.number().int(), ts: z.union([z.string(), z.number()]).optional() }),
  z.object({ ts: z.union([z.string(), z.number()]), updates: z.array(z.unknown()) }),
]);

const PollServer = z.object({
  server: z.string().min(1),
  key: z.string().min(1),
  ts: z.union([z.string(), z.number()]),
});

/** Bots Long Poll could not be started: the community's settings or the token are the likely cause. */
export class VkLongPollSetupError extends Error {
  override readonly name = "VkLongPollSetupError";
  constructor(
    readonly groupId: number,
    readonly code: number | undefined,
    options: { cause: unknown },
  ) {
    super(
      `groups.getLongPollServer failed for community ${groupId} (VK code ${String(code)}). Check that ` +
        "VK_GROUP_ID is the community's id, that VK_GROUP_TOKEN is its token with the «messages» and " +
        "«manage» rights, and that Bots Long Poll API is on (Manage → API usage → Long Poll API, " +
        "version 5.199, events message_new, message_edit and message_event).",
      options,
    );
  }
}

/**
 * A Bots Long Poll loop. vk-io's own `updates.startPolling()` is not used, for two reasons that break
 * the design's «nothing lost» rule: it hands updates to handlers without waiting for them and moves
 * `ts` on regardless (an update whose handling failed — Redis down — is gone), and on `failed: 2` it
 * takes the new server's `ts` instead of keeping its own, skipping events.
 *
 * Here polling never waits for handling: each update joins its peer's queue (a peer's updates in
 * order, peers at once), so one slow conversation holds up only itself. An update whose handling
 * fails (Redis down) is retried with back-off until it is handled, and the peer's later updates wait
 * behind it; `stop` lets every update taken finish. VK's failure codes are followed as documented:
 * 1 → take the given `ts`; 2 → get a new key, keep `ts`; 3 → get a new key and `ts`.
 */
export class VkLongPoll {
  private server: { url: string; key: string } | undefined;
  private ts: string | undefined;
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly waitSeconds: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  /** The tail of each peer's queue of updates. */
  private readonly chains = new Map<string, Promise<void>>();
  /** Updates taken and not yet finished. */
  private inFlight = 0;
  private onFinish: (() => void) | undefined;

  constructor(private readonly options: VkLongPollOptions) {
    this.waitSeconds = options.waitSeconds ?? 25;
    this.baseMs = options.backoff?.baseMs ?? 1000;
    this.maxMs = options.backoff?.maxMs ?? 30_000;
  }

  /** Gets the first server (failing fast on a bad token or Long Poll being off), then polls in the background. */
  async start(): Promise<void> {
    if (this.loop) throw new Error("VK Long Poll already started");
    try {
      await this.refresh(true);
    } catch (err) {
      throw new VkLongPollSetupError(this.options.groupId, vkCodeOf(err), { cause: err });
    }
    this.options.logger.info({ group: this.options.groupId }, "vk long poll started");
    this.loop = this.run();
  }

  /** Stops polling: aborts the open poll and waits for the updates taken to finish. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
    await Promise.allSettled([...this.chains.values()]);
    this.loop = undefined;
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private async run(): Promise<void> {
    let failures = 0;
    let faulted = false;
    while (!this.stopped) {
      try {
        if (!this.server) await this.refresh(this.ts === undefined);
        const result = await this.poll();
        if (faulted) {
          faulted = false;
          this.options.onFault?.(undefined);
        }
        if ("failed" in result) {
          this.onFailed(result.failed, result.ts);
        } else {
          for (const update of result.updates) this.take(update);
          this.ts = String(result.ts);
        }
        failures = 0;
        // Past this many unfinished updates, wait for room rather than take more into memory.
        while (this.inFlight >= MAX_IN_FLIGHT && !this.stopped) await this.nextFinish();
      } catch (err) {
        if (this.stopped) break;
        const code = vkCodeOf(err);
        if (code !== undefined && SETUP_CODES.has(code)) {
          // Retrying goes on (a fixed token in VK's settings needs no restart), but nobody is heard
          // meanwhile: say so at once.
          faulted = true;
          this.options.onFault?.({
            code,
            reason: `groups.getLongPollServer failed with VK error ${code}: the community token was revoked or lacks rights`,
            fix:
              "set VK_GROUP_TOKEN to a current token of community VK_GROUP_ID with the «messages» and " +
              "«manage» rights, and check that Bots Long Poll API is on (Manage → API usage → Long Poll API)",
          });
        }
        failures += 1;
        const waitMs = Math.min(this.baseMs * 2 ** (failures - 1), this.maxMs);
        this.options.logger.warn({ err, waitMs }, "vk long poll round failed; polling the same ts again");
        await this.pause(waitMs);
      }
    }
  }

  /** Follows VK's documented failure codes. */
  private onFailed(code: number, ts: string | number | undefined): void {
    this.options.logger.info({ failed: code }, "vk long poll asks to resync");
    if (code === 1 && ts !== undefined) {
      // History partly lost on VK's side: nothing to re-read, go on from the ts it gives.
      this.ts = String(ts);
      return;
    }
    // 2: the key expired — a new key, same ts. 3: information lost — a new key and ts.
    this.server = undefined;
    if (code === 3) this.ts = undefined;
  }

  /** `groups.getLongPollServer`: a new server URL and key, and a new `ts` when asked. */
  private async refresh(withTs: boolean): Promise<void> {
    const raw: unknown = await this.options.api.groups.getLongPollServer({ group_id: this.options.groupId });
    const server = PollServer.parse(raw);
    this.server = { url: server.server, key: server.key };
    if (withTs) this.ts = String(server.ts);
  }

  private async poll(): Promise<z.infer<typeof PollResult>> {
    const server = this.server;
    if (!server || this.ts === undefined) throw new Error("no long poll server");
    const url = new URL(server.url);
    url.searchParams.set("act", "a_check");
    url.searchParams.set("key", server.key);
    url.searchParams.set("ts", this.ts);
    url.searchParams.set("wait", String(this.waitSeconds));
    // A poll may hang on a dead connection: give up a little after VK's own wait.
    const signal = AbortSignal.any([
      this.stopping.signal,
      AbortSignal.timeout((this.waitSeconds + 10) * 1000),
    ]);
    const response = await fetch(url, { signal });
    if (!response.ok) throw new Error(`long poll server answered HTTP ${response.status}`);
    return PollResult.parse(await response.json());
  }

  /** Queues an update behind its peer's earlier ones. */
  private take(update: unknown): void {
    const peer = peerOf(update);
    this.inFlight++;
    const next = (this.chains.get(peer) ?? Promise.resolve()).then(async () => {
      await this.handleUntilDone(update, peer);
      this.inFlight--;
      const wake = this.onFinish;
      this.onFinish = undefined;
      wake?.();
    });
    this.chains.set(peer, next);
    void next.finally(() => {
      if (this.chains.get(peer) === next) this.chains.delete(peer);
    });
  }

  /** Handles one update, retrying with back-off until it is durable or the loop stops. */
  private async handleUntilDone(update: unknown, peer: string): Promise<void> {
    let waitMs = this.baseMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.handle(update);
        return;
      } catch (err) {
        if (this.stopped) {
          // The core keeps what it recorded; this event is not handled and VK will not send it again.
          this.options.logger.error({ err, peer }, "vk update failed during shutdown; not handled");
          return;
        }
        this.options.logger.warn({ err, peer, attempt, waitMs }, "vk update failed; retrying until handled");
        await this.pause(waitMs);
        waitMs = Math.min(waitMs * 2, this.maxMs);
      }
    }
  }

  /** Resolves when some update finishes, or the loop stops. */
  private nextFinish(): Promise<void> {
    return new Promise((resolve) => {
      const previous = this.onFinish;
      this.onFinish = () => {
        previous?.();
        resolve();
      };
      this.stopping.signal.addEventListener("abort", () => resolve(), { once: true });
    });
  }

  /** Waits, unless stopped meanwhile. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.stopping.signal;
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
    });
  }
}

/** Updates taken and unfinished at most (the same window as Telegram's batch limit). */
const MAX_IN_FLIGHT = 100;

/** The peer an update belongs to, for per-peer ordering; updates without one share a group. */
function peerOf(update: unknown): string {
  const object = (update as { object?: { message?: { peer_id?: unknown }; peer_id?: unknown } } | null)
    ?.object;
  const peer = object?.message?.peer_id ?? object?.peer_id;
  return typeof peer === "number" ? String(peer) : "other";
}
