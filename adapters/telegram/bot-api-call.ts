import { type Api, GrammyError, HttpError } from "grammy";
import type { ApiError, ResponseParameters } from "grammy/types";
import { NO_NETWORK_RETRY } from "./retry.js";

/**
 * The part of `fetch` the lean call uses. `globalThis.fetch` fits, and so does an in-process fake;
 * it must reject once `signal` aborts (the watchdog's timeout relies on it).
 */
export type FetchLike = (
  url: string,
  init: { method: "POST"; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<{ json(): Promise<unknown> }>;

/** One Bot API call: resolves with the method's `result`, rejects as grammY's `Api` would. */
export type BotApiCall = <R>(method: string, payload: Record<string, unknown>) => Promise<R>;

/** Options for `createBotApiCall`. */
export interface BotApiCallOptions {
  /** The bot token. Never logged, and neither is the URL that holds it. */
  token: string;
  /** A Bot API server other than api.telegram.org, without a trailing slash. */
  apiRoot?: string;
  /** @defaultValue `globalThis.fetch` */
  fetch?: FetchLike;
  /** A call still unanswered after this long is aborted and handed to the fallback. */
  timeoutMs: number;
  /** grammY's `Api` with the retry transformers installed (`installRetries`): every retry runs there. */
  fallback: Api;
  /**
   * The longest `retry_after` worth waiting for, as given to auto-retry (`RetryOptions.maxDelaySeconds`).
   * @defaultValue 30
   */
  maxDelaySeconds?: number;
}

/**
 * Builds a lean caller for the hot Bot API calls (replies, edits, callback answers). grammY's client
 * costs a Proxy lookup and `bind`, a polyfilled AbortController, a timer and a three-way `Promise.race`,
 * a walk of the payload for file uploads and a `JSON.stringify` with a replacer on every call; this does
 * one `fetch` of a JSON body with a native AbortController instead, and times calls out with one shared
 * watchdog rather than a timer per call.
 *
 * Only the first attempt is lean. What grammY's retry transformers would retry — a `retry_after` within
 * `maxDelaySeconds` (waited out here first, so the fallback's first call is not a certain second 429),
 * a 5xx, a network error or a timeout — is handed to `fallback`, whose transformers retry it as before;
 * such a call therefore gets one attempt more than through grammY alone, the fallback's first at once.
 * Any other failure throws the `GrammyError` grammY would throw, which `errors.ts` classifies.
 *
 * Payloads must hold no `null` or `undefined` values: grammY's serializer drops them, this one does not.
 */
export function createBotApiCall(options: BotApiCallOptions): BotApiCall {
  const apiRoot = options.apiRoot ?? "https://api.telegram.org";
  const fetchFn: FetchLike = options.fetch ?? (globalThis.fetch as FetchLike);
  const maxDelaySeconds = options.maxDelaySeconds ?? 30;
  const fallback = options.fallback.raw as unknown as Record<
    string,
    (payload: Record<string, unknown>) => Promise<unknown>
  >;
  const urls = new Map<string, string>();
  const watchdog = createWatchdog(options.timeoutMs);

  return async <R>(method: string, payload: Record<string, unknown>): Promise<R> => {
    let url = urls.get(method);
    if (url === undefined) {
      url = `${apiRoot}/bot${options.token}/${method}`;
      urls.set(method, url);
    }
    const controller = watchdog.watch();
    let data: ApiAnswer;
    try {
      const res = await fetchFn(url, {
        method: "POST",
        headers: JSON_HEADERS,
        body: JSON.stringify(payload),
        signal: controller.signal,
      });
      data = (await res.json()) as ApiAnswer;
    } catch (err) {
      // Unwatched before the fallback, whose own timeout and retries take it from here.
      watchdog.done(controller);
      // A network error, a timeout or a body that is not JSON: grammY would throw an HttpError, which
      // its network retry repeats — except for calls whose repetition would do harm.
      if (NO_NETWORK_RETRY.has(method)) throw new HttpError(`Network request for '${method}' failed!`, err);
      return (await callFallback(method, payload)) as R;
    }
    watchdog.done(controller);
    if (data.ok === true) return data.result as R;

    // The same decision as auto-retry's: a retry_after within bounds is waited out, a longer one fails.
    const retryAfter = data.parameters?.retry_after;
    if (typeof retryAfter === "number") {
      if (retryAfter > maxDelaySeconds) throw toGrammyError(data, method, payload);
      await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
      return (await callFallback(method, payload)) as R;
    }
    if (typeof data.error_code === "number" && data.error_code >= 500) {
      return (await callFallback(method, payload)) as R;
    }
    throw toGrammyError(data, method, payload);
  };

  function callFallback(method: string, payload: Record<string, unknown>): Promise<unknown> {
    const fn = fallback[method];
    if (!fn) throw new Error(`No Bot API method '${method}' on the fallback Api.`);
    return fn(payload);
  }
}

/** A Bot API answer as read off the wire: `{ ok: true, result }` or an `ApiError`. */
interface ApiAnswer {
  ok?: boolean;
  result?: unknown;
  error_code?: number;
  description?: string;
  parameters?: ResponseParameters;
}

/** Shared, never mutated: one headers object for every call. */
const JSON_HEADERS: Record<string, string> = Object.freeze({ "content-type": "application/json" });

/** Exactly the error grammY's `callApi` throws for `{ ok: false }`, so `instanceof` checks keep working. */
function toGrammyError(data: ApiAnswer, method: string, payload: Record<string, unknown>): GrammyError {
  return new GrammyError(`Call to '${method}' failed!`, data as unknown as ApiError, method, payload);
}

/** Tracks calls in flight and aborts those older than the timeout. */
interface Watchdog {
  /** Registers a call; its controller's signal aborts once the call is older than the timeout. */
  watch(): AbortController;
  /** Unregisters a call that has settled. */
  done(controller: AbortController): void;
}

/**
 * One `setInterval` for all calls instead of a timer per call. Time is counted in ticks, so no clock is
 * read per call: a call is aborted between `timeoutMs` and two ticks (a tick is ≤ 1 s) later, never
 * earlier. The interval starts
 * with the first call in flight and stops at the first tick that finds none — not the moment the last
 * one settles, which for calls made one at a time would cost a start and a stop per call. It is
 * `unref`ed, so it never keeps the process alive.
 */
function createWatchdog(timeoutMs: number): Watchdog {
  const tickMs = Math.min(1000, Math.max(1, Math.ceil(timeoutMs / 10)));
  const timeoutTicks = Math.ceil(timeoutMs / tickMs);
  // Insertion order is start order, so the oldest calls come first.
  const inFlight = new Map<AbortController, number>();
  let ticks = 0;
  let timer: ReturnType<typeof setInterval> | undefined;

  function tick(): void {
    ticks++;
    if (inFlight.size === 0) {
      clearInterval(timer);
      timer = undefined;
      return;
    }
    for (const [controller, started] of inFlight) {
      // `started` is the tick count when the call began, i.e. up to one tick before it; hence the `>`.
      if (ticks - started <= timeoutTicks) break;
      inFlight.delete(controller);
      controller.abort();
    }
  }

  return {
    watch() {
      const controller = new AbortController();
      inFlight.set(controller, ticks);
      if (timer === undefined) {
        timer = setInterval(tick, tickMs);
        timer.unref();
      }
      return controller;
    },
    done(controller) {
      inFlight.delete(controller);
    },
  };
}
