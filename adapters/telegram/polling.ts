import { type Api, GrammyError } from "grammy";
import type { Update } from "grammy/types";
import type { Logger } from "pino";

/** An update type Telegram can be asked to send. */
export type AllowedUpdate = Exclude<keyof Update, "update_id">;

/** Options for `startPolling`. */
export interface PollingOptions {
  api: Api;
  /** Handles one update; rejects when it could not be made durable (the update is then retried). */
  handle(update: Update): Promise<void>;
  logger: Logger;
  allowedUpdates: readonly AllowedUpdate[];
  /** Long-poll timeout of one getUpdates. @defaultValue 30 */
  timeoutSeconds?: number;
  /**
   * How long one failing update is retried before it is given up (logged and skipped), so one poisoned
   * update cannot stall every chat forever while a short Redis outage loses nothing.
   * @defaultValue 60000
   */
  handlerRetryMs?: number;
  /** First back-off after a failure, doubled up to 30 s. @defaultValue 500 */
  backoffMs?: number;
}

/** A running polling loop. */
export interface Polling {
  /** Stops fetching, lets updates in progress finish, and confirms those handled. */
  stop(): Promise<void>;
  /** Settles when the loop ends: resolves after `stop`, rejects on a fatal error (bad token). */
  done: Promise<void>;
}

/**
 * Long polling with per-chat order, cross-chat concurrency and at-least-once delivery.
 *
 * Why not `bot.start()` or @grammyjs/runner: both confirm an update (the next getUpdates `offset`)
 * whether or not its handling succeeded — `bot.start` skips a failed update, and the runner confirms a
 * batch as soon as it is fetched, so a crash or a Redis outage loses what was in flight. This loop
 * confirms a batch only after every update in it was handled; a crash means redelivery, which the
 * core's dedupe on `update_id` absorbs. Within a batch, updates are grouped by chat: each chat's
 * updates run in order (the core also serializes per conversation), different chats run at once.
 */
export function startPolling(options: PollingOptions): Polling {
  const { api, logger } = options;
  const abort = new AbortController();
  const timeout = options.timeoutSeconds ?? 30;
  const retryMs = options.handlerRetryMs ?? 60_000;
  const firstBackoff = options.backoffMs ?? 500;
  // grammY types its signal parameter with a polyfill's AbortSignal; the native one works at runtime.
  const apiSignal = abort.signal as unknown as Parameters<Api["getUpdates"]>[1];
  let offset: number | undefined;
  let unconfirmed = false;

  const handleWithRetry = async (update: Update): Promise<boolean> => {
    const started = Date.now();
    let delay = firstBackoff;
    for (;;) {
      try {
        await options.handle(update);
        return true;
      } catch (err) {
        const log = logger.child({ update_id: update.update_id });
        if (abort.signal.aborted) {
          log.warn({ err }, "update failed during shutdown; left unconfirmed for redelivery");
          return false;
        }
        if (Date.now() - started >= retryMs) {
          log.error({ err }, "update failed for too long; skipped");
          return true;
        }
        log.warn({ err, retry_in_ms: delay }, "update failed; retrying");
        await pause(delay, abort.signal);
        delay = Math.min(30_000, delay * 2);
      }
    }
  };

  const handleBatch = async (updates: Update[]): Promise<boolean> => {
    const byChat = new Map<string, Update[]>();
    for (const update of updates) {
      const key = chatKeyOf(update);
      const list = byChat.get(key);
      if (list) list.push(update);
      else byChat.set(key, [update]);
    }
    const results = await Promise.all(
      [...byChat.values()].map(async (chatUpdates) => {
        for (const update of chatUpdates) {
          if (!(await handleWithRetry(update))) return false;
        }
        return true;
      }),
    );
    return results.every(Boolean);
  };

  const loop = async (): Promise<void> => {
    let failures = 0;
    while (!abort.signal.aborted) {
      let updates: Update[];
      try {
        updates = await api.getUpdates(
          {
            ...(offset !== undefined ? { offset } : {}),
            timeout,
            limit: 100,
            allowed_updates: options.allowedUpdates,
          },
          apiSignal,
        );
        unconfirmed = false;
      } catch (err) {
        if (abort.signal.aborted) break;
        if (err instanceof GrammyError && (err.error_code === 401 || err.error_code === 404)) {
          // A revoked or wrong token never fixes itself: stop and let the process report it.
          throw err;
        }
        failures++;
        const delay = Math.min(30_000, firstBackoff * 2 ** Math.min(failures, 10));
        // 409: another instance polls with this token, or a webhook is set. Both are operator errors
        // worth a loud log, but may be transient during a deploy, so keep trying.
        logger.warn({ err, retry_in_ms: delay }, "getUpdates failed");
        await pause(delay, abort.signal);
        continue;
      }
      failures = 0;
      const last = updates.at(-1);
      if (!last) continue;
      const complete = await handleBatch(updates);
      if (!complete) break; // stopping mid-batch: leave the batch unconfirmed
      offset = last.update_id + 1;
      unconfirmed = true;
    }
  };

  const done = loop();
  // `done` is awaited by the owner; this keeps an early rejection from being reported as unhandled.
  done.catch(() => undefined);

  return {
    done,
    async stop() {
      abort.abort();
      await done.catch(() => undefined);
      if (unconfirmed && offset !== undefined) {
        // Tell Telegram the last batch is handled, as bot.stop() does; otherwise the next start would
        // fetch it again (harmless thanks to dedupe, but noisy). The returned update stays unconfirmed.
        await api.getUpdates({ offset, limit: 1, timeout: 0 }).catch((err: unknown) => {
          logger.warn({ err }, "could not confirm the last batch on stop; it will be deduplicated");
        });
      }
    },
  };
}

/** The chat an update belongs to, so one chat's updates keep their order; other updates stand alone. */
function chatKeyOf(update: Update): string {
  const chat =
    update.message?.chat ?? update.edited_message?.chat ?? update.callback_query?.message?.chat ?? undefined;
  return chat ? `chat:${chat.id}` : `update:${update.update_id}`;
}

/** Waits `ms`, or less when the signal aborts. */
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
