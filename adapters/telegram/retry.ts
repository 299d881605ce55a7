import { autoRetry } from "@grammyjs/auto-retry";
import { type Api, HttpError, type Transformer } from "grammy";

/** How outgoing Bot API calls are retried. */
export interface RetryOptions {
  /**
   * Retries of one call after a 429 (`retry_after`) or a 5xx answer.
   * @defaultValue 3
   */
  maxRetryAttempts?: number;
  /**
   * The longest `retry_after` worth waiting for; a longer one fails the call at once, because a webhook
   * request (and the customer) should not hang for minutes.
   * @defaultValue 30
   */
  maxDelaySeconds?: number;
  /**
   * Retries of one call after a network error (no answer from the Bot API at all).
   * @defaultValue 3
   */
  networkRetries?: number;
  /**
   * The first wait after a network error, doubled on each retry and capped at `maxDelaySeconds`.
   * @defaultValue 1000
   */
  networkDelayMs?: number;
}

/**
 * Installs the retry transformers on an `Api`: @grammyjs/auto-retry for 429 `retry_after` and 5xx,
 * plus a bounded retry for network errors. auto-retry's own network retry is switched off because it
 * has no bound (it backs off up to an hour, forever); a reply the customer waits for should fail after
 * seconds and be reported, not hang.
 *
 * A network error after the request reached Telegram can make a retried sendMessage arrive twice;
 * that is the accepted price of not losing replies on a flaky link.
 */
export function installRetries(api: Api, options: RetryOptions = {}): void {
  const maxDelaySeconds = options.maxDelaySeconds ?? 30;
  api.config.use(
    autoRetry({
      maxRetryAttempts: options.maxRetryAttempts ?? 3,
      maxDelaySeconds,
      rethrowHttpErrors: true,
      rethrowInternalServerErrors: false,
    }),
  );
  api.config.use(
    networkRetry(options.networkRetries ?? 3, options.networkDelayMs ?? 1000, maxDelaySeconds * 1000),
  );
}

/**
 * Calls not retried on a network error: long polls (the polling loop backs off itself), and
 * createForumTopic, whose lost answer would make a second topic; the desk adopts the first by its
 * `forum_topic_created` instead. The lean call (`bot-api-call.ts`) honours it too.
 */
export const NO_NETWORK_RETRY: ReadonlySet<string> = new Set(["getUpdates", "createForumTopic"]);

/** Retries calls that failed with an `HttpError`, except those in `NO_NETWORK_RETRY`. */
function networkRetry(retries: number, firstDelayMs: number, maxDelayMs: number): Transformer {
  return async (prev, method, payload, signal) => {
    let delay = firstDelayMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await prev(method, payload, signal);
      } catch (err) {
        const retryable = err instanceof HttpError && !NO_NETWORK_RETRY.has(method) && !signal?.aborted;
        if (!retryable || attempt >= retries) throw err;
        await pause(delay, signal);
        delay = Math.min(maxDelayMs, delay * 2);
      }
    }
  };
}

/** The part of an abort signal used here; grammY types its signals with a polyfill's `AbortSignal`. */
interface SignalLike {
  readonly aborted: boolean;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

/** Waits `ms`, or less when the signal aborts (the retried call then fails on the aborted signal). */
function pause(ms: number, signal: SignalLike | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}
