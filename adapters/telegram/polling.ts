import { type Api, GrammyError } from "grammy";
import type { Update } from "grammy/types";
import type { Logger } from "pino";

/** An update type Telegram can be asked to send. */
export type AllowedUpdate = Exclude<keyof Update, "update_id">;

/**
 * The bot cannot hear customers, and what to do about it. `permanent` faults (a revoked or wrong
 * token) end the loop; a conflict (409) is retried and cleared when it goes away.
 */
export interface PollingFault {
  code: number;
  permanent: boolean;
  /** What is wrong, for logs and /readyz. */
  reason: string;
  /** What the operator must change. */
  fix: string;
}

/** Options for `startPolling`. */
export interface PollingOptions {
  api: Api;
  /** Handles one update; rejects when it could not be made durable (it is then retried until it is). */
  handle(update: Update): Promise<void>;
  logger: Logger;
  allowedUpdates: readonly AllowedUpdate[];
  /** Long-poll timeout of one getUpdates. @defaultValue 30 */
  timeoutSeconds?: number;
  /** First back-off after a failure, doubled up to `maxBackoffMs`. @defaultValue 500 */
  backoffMs?: number;
  /** Longest back-off between two tries of a failing update or getUpdates. @defaultValue 30000 */
  maxBackoffMs?: number;
  /**
   * While an update is unfinished, Telegram answers every getUpdates at once (the unfinished one is
   * still unconfirmed), so the loop asks again only this often, or as soon as an update finishes.
   * @defaultValue 500
   */
  busyPollMs?: number;
  /** Updates taken but unfinished at most; past it, fetching waits for one to finish. @defaultValue 100 */
  maxInFlight?: number;
  /** Called with a fault when polling cannot hear customers, and with `undefined` once it can again. */
  onFault?(fault: PollingFault | undefined): void;
  /**
   * Called before a new offset confirms handled updates to Telegram; resolves once their outboxes are
   * marked done (`InboundSink.settle`), so a crash after the confirmation replays nothing.
   */
  settle?(): Promise<void>;
}

/** A running polling loop. */
export interface Polling {
  /** Stops fetching, lets updates in progress finish, and confirms what was handled. */
  stop(): Promise<void>;
  /** Settles when the loop ends: resolves after `stop`, rejects on a permanent fault (bad token). */
  done: Promise<void>;
}

/**
 * Long polling with per-chat order, cross-chat concurrency and at-least-once delivery.
 *
 * Why not `bot.start()` or @grammyjs/runner: both confirm an update (the next getUpdates `offset`)
 * whether or not its handling succeeded, so a crash or a Redis outage loses what was in flight.
 *
 * Here fetching never waits for handling: each update joins its chat's queue (a chat's updates run in
 * order, chats run at once), so one slow chat holds up only itself. The `offset` sent to Telegram,
 * which confirms everything below it, is the oldest unfinished update, so a crash loses nothing: what
 * was handled past it comes again and the core's dedupe on `update_id` drops it. A failing update is
 * retried, with back-off, until it is handled or the loop stops — never skipped, however long Redis
 * is down.
 */
export function startPolling(options: PollingOptions): Polling {
  const { api, logger } = options;
  const abort = new AbortController();
  const timeout = options.timeoutSeconds ?? 30;
  const firstBackoff = options.backoffMs ?? 500;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  const busyPollMs = options.busyPollMs ?? 500;
  const maxInFlight = options.maxInFlight ?? 100;
  // Never rejects: a failed ack is the core's to log and recover (the outbox stays to be replayed). Nor
  // does it wait past a back-off: a Redis that answers no ack for that long is failing, and a stalled
  // loop would stop every chat; the outbox of an unanswered ack stays in Redis and is replayed.
  const settle = () =>
    options.settle
      ? Promise.race([options.settle().catch(() => undefined), pause(maxBackoff, NEVER_ABORTED)])
      : undefined;
  // grammY types its signal parameter with a polyfill's AbortSignal; the native one works at runtime.
  const apiSignal = abort.signal as unknown as Parameters<Api["getUpdates"]>[1];

  /** Updates taken and not yet handled, by id. */
  const unfinished = new Set<number>();
  /** The tail of each chat's queue. */
  const chains = new Map<string, Promise<void>>();
  /** The highest update id taken so far. */
  let highest: number | undefined;
  /** The offset Telegram was last sent: everything below it is confirmed. */
  let sentOffset: number | undefined;
  let faulted = false;
  let onFinish: (() => void) | undefined;

  /** Everything below this may be confirmed: the oldest unfinished update, or the next one to come. */
  const confirmable = (): number | undefined => {
    if (unfinished.size > 0) return Math.min(...unfinished);
    return highest === undefined ? undefined : highest + 1;
  };

  /** Resolves when some update finishes (or the loop stops). */
  const nextFinish = () =>
    new Promise<void>((resolve) => {
      const previous = onFinish;
      onFinish = () => {
        previous?.();
        resolve();
      };
    });

  const fault = (next: PollingFault | undefined) => {
    if (!next && !faulted) return;
    faulted = next !== undefined;
    options.onFault?.(next);
  };

  /** Handles one update, retrying until it is durable; false when stopping left it unhandled. */
  const handleUntilDone = async (update: Update): Promise<boolean> => {
    let delay = firstBackoff;
    for (let attempt = 1; ; attempt++) {
      if (abort.signal.aborted) return false; // not started: left unconfirmed for redelivery
      try {
        await options.handle(update);
        return true;
      } catch (err) {
        const log = logger.child({ update_id: update.update_id });
        if (abort.signal.aborted) {
          log.warn({ err }, "update failed during shutdown; left unconfirmed for redelivery");
          return false;
        }
        log.warn({ err, attempt, retry_in_ms: delay }, "update failed; retrying until it is handled");
        await pause(delay, abort.signal);
        delay = Math.min(maxBackoff, delay * 2);
      }
    }
  };

  const take = (update: Update) => {
    const id = update.update_id;
    unfinished.add(id);
    const key = chatKeyOf(update);
    const next = (chains.get(key) ?? Promise.resolve()).then(async () => {
      if (await handleUntilDone(update)) unfinished.delete(id);
      const wake = onFinish;
      onFinish = undefined;
      wake?.();
    });
    chains.set(key, next);
    void next.finally(() => {
      if (chains.get(key) === next) chains.delete(key);
    });
  };

  const loop = async (): Promise<void> => {
    let failures = 0;
    while (!abort.signal.aborted) {
      if (unfinished.size >= maxInFlight) {
        // Telegram returns at most 100 updates from the offset; wait for room rather than re-ask.
        await Promise.race([nextFinish(), pause(maxBackoff, abort.signal)]);
        continue;
      }
      const busy = unfinished.size > 0;
      const offset = confirmable();
      if (offset !== undefined && offset !== sentOffset) {
        await settle();
        // Stopped while waiting: `stop` confirms what was handled itself.
        if (abort.signal.aborted) break;
      }
      let updates: Update[];
      try {
        updates = await api.getUpdates(
          {
            ...(offset !== undefined ? { offset } : {}),
            // After a fault, a short poll tells at once whether it has cleared.
            timeout: busy || faulted ? 0 : timeout,
            limit: 100,
            allowed_updates: options.allowedUpdates,
          },
          apiSignal,
        );
        sentOffset = offset;
        fault(undefined);
      } catch (err) {
        if (abort.signal.aborted) break;
        const known = err instanceof GrammyError ? describeFault(err.error_code) : undefined;
        if (known) fault(known);
        if (known?.permanent) {
          logger.fatal({ code: known.code, fix: known.fix }, `telegram polling stopped: ${known.reason}`);
          throw err;
        }
        failures++;
        const delay = Math.min(maxBackoff, firstBackoff * 2 ** Math.min(failures, 10));
        logger.warn({ err, retry_in_ms: delay, ...(known ? { fix: known.fix } : {}) }, "getUpdates failed");
        await pause(delay, abort.signal);
        continue;
      }
      failures = 0;
      let fresh = 0;
      for (const update of updates) {
        if (highest !== undefined && update.update_id <= highest) continue; // taken already, unfinished
        highest = update.update_id;
        take(update);
        fresh++;
      }
      if (fresh === 0 && busy) await Promise.race([nextFinish(), pause(busyPollMs, abort.signal)]);
    }
  };

  const done = loop();
  // `done` is awaited by the owner; this keeps an early rejection from being reported as unhandled.
  done.catch(() => undefined);

  return {
    done,
    async stop() {
      abort.abort();
      onFinish?.();
      await done.catch(() => undefined);
      // Updates in progress finish; queued ones were not started and stay unconfirmed.
      await Promise.allSettled([...chains.values()]);
      const offset = confirmable();
      if (offset !== undefined && offset !== sentOffset) {
        await settle();
        // Tell Telegram what was handled, as bot.stop() does; otherwise the next start would fetch
        // it again (harmless thanks to dedupe, but noisy).
        await api.getUpdates({ offset, limit: 1, timeout: 0 }).catch((err: unknown) => {
          logger.warn({ err }, "could not confirm handled updates on stop; they will be deduplicated");
        });
      }
    },
  };
}

/** The faults of getUpdates that mean the bot hears nobody, with what to fix. */
function describeFault(code: number): PollingFault | undefined {
  if (code === 401 || code === 404) {
    return {
      code,
      permanent: true,
      reason: `getUpdates answered ${code}: the bot token was revoked or is wrong`,
      fix: "set TELEGRAM_BOT_TOKEN to the bot's current token from @BotFather (/token), then restart",
    };
  }
  if (code === 409) {
    return {
      code,
      permanent: false,
      reason: "getUpdates answered 409: another process polls with this token, or a webhook is set",
      fix:
        "run one polling instance per bot token (stop the other one), or use BOT_MODE=webhook with " +
        "WEBHOOK_URL for several instances",
    };
  }
  return undefined;
}

/** The chat an update belongs to, so one chat's updates keep their order; other updates stand alone. */
function chatKeyOf(update: Update): string {
  const chat =
    update.message?.chat ?? update.edited_message?.chat ?? update.callback_query?.message?.chat ?? undefined;
  return chat ? `chat:${chat.id}` : `update:${update.update_id}`;
}

/** Waits `ms`, or less when the signal aborts. */
/** For a wait that stopping must not cut short (the acks before the last confirmation). */
const NEVER_ABORTED = new AbortController().signal;

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
