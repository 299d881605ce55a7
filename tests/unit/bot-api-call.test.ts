import { Api, GrammyError, HttpError } from "grammy";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  type BotApiCallOptions,
  createBotApiCall,
  type FetchLike,
} from "../../adapters/telegram/bot-api-call.js";
import { createTelegramSender } from "../../adapters/telegram/sender.js";

const TOKEN = "123:secret-token";
const PAYLOAD = { chat_id: "501", text: "привет", link_preview_options: { is_disabled: true } };
const SENT = { message_id: 7, date: 1, chat: { id: 501, type: "private" }, text: "привет" };

/** What one fake request saw. */
interface Request {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
}

/**
 * A fake `fetch` answering each request with the next handler's outcome (the last one repeats): an
 * object is the JSON answer, `"network"` rejects, `"hang"` waits for the abort signal.
 */
function fakeFetch(...answers: (object | "network" | "hang" | "not-json")[]) {
  const requests: Request[] = [];
  const fetch: FetchLike = async (url, init) => {
    requests.push({ url, ...init });
    const answer = answers[Math.min(requests.length - 1, answers.length - 1)];
    if (answer === "network") throw new TypeError("fetch failed");
    if (answer === "hang") {
      return new Promise((_, reject) => {
        init.signal.addEventListener("abort", () => reject(init.signal.reason), { once: true });
      });
    }
    if (answer === "not-json") return { json: () => Promise.reject(new SyntaxError("Unexpected token <")) };
    return { json: async () => JSON.parse(JSON.stringify(answer)) as unknown };
  };
  return { fetch, requests };
}

/** A stand-in for grammY's retrying `Api`: records what is handed to it and answers `SENT`. */
function fakeFallback() {
  const calls: { method: string; payload: Record<string, unknown> }[] = [];
  const raw = new Proxy(
    {},
    {
      get: (_, method: string) => async (payload: Record<string, unknown>) => {
        calls.push({ method, payload });
        return SENT;
      },
    },
  );
  return { api: { raw } as unknown as Api, calls };
}

function lean(fetch: FetchLike, overrides: Partial<BotApiCallOptions> = {}) {
  const fallback = fakeFallback();
  const call = createBotApiCall({
    token: TOKEN,
    fetch,
    timeoutMs: 100,
    fallback: fallback.api,
    ...overrides,
  });
  return { call, fallbackCalls: fallback.calls };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("createBotApiCall", () => {
  it("should POST the payload as JSON to the method's URL and return the result", async () => {
    const { fetch, requests } = fakeFetch({ ok: true, result: SENT });
    const { call, fallbackCalls } = lean(fetch);
    await expect(call("sendMessage", PAYLOAD)).resolves.toEqual(SENT);
    await expect(call("sendMessage", PAYLOAD)).resolves.toEqual(SENT);
    expect(requests).toHaveLength(2);
    const [request] = requests;
    expect(request?.url).toBe(`https://api.telegram.org/bot${TOKEN}/sendMessage`);
    expect(request?.method).toBe("POST");
    expect(request?.headers).toEqual({ "content-type": "application/json" });
    expect(JSON.parse(request?.body ?? "")).toEqual(PAYLOAD);
    expect(fallbackCalls).toHaveLength(0);
  });

  it("should call a local Bot API server when given its root", async () => {
    const { fetch, requests } = fakeFetch({ ok: true, result: true });
    const { call } = lean(fetch, { apiRoot: "http://127.0.0.1:8081" });
    await call("answerCallbackQuery", { callback_query_id: "q1" });
    expect(requests[0]?.url).toBe(`http://127.0.0.1:8081/bot${TOKEN}/answerCallbackQuery`);
  });

  it("should throw for a 400 exactly the GrammyError grammY throws, without a retry", async () => {
    const answer = { ok: false, error_code: 400, description: "Bad Request: chat not found" };
    const ours = lean(fakeFetch(answer).fetch);
    const oursError = await ours.call("sendMessage", PAYLOAD).catch((e: unknown) => e);
    const grammy = new Api(TOKEN, { fetch: fakeFetch(answer).fetch as never });
    const grammyError = await grammy.raw.sendMessage(PAYLOAD).catch((e: unknown) => e);

    expect(oursError).toBeInstanceOf(GrammyError);
    expect(grammyError).toBeInstanceOf(GrammyError);
    const fields = (e: unknown) => {
      const g = e as GrammyError;
      return [g.message, g.name, g.ok, g.error_code, g.description, g.parameters, g.method, g.payload];
    };
    expect(fields(oursError)).toEqual(fields(grammyError));
    expect((oursError as GrammyError).payload).toBe(PAYLOAD);
    expect(ours.fallbackCalls).toHaveLength(0);
  });

  it("should wait out a 429's retry_after, then hand the call to the fallback", async () => {
    vi.useFakeTimers();
    const { fetch, requests } = fakeFetch({
      ok: false,
      error_code: 429,
      description: "Too Many Requests: retry after 1",
      parameters: { retry_after: 1 },
    });
    const { call, fallbackCalls } = lean(fetch);
    const result = call("sendMessage", PAYLOAD);
    await vi.advanceTimersByTimeAsync(999);
    expect(requests).toHaveLength(1);
    expect(fallbackCalls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toEqual(SENT);
    expect(fallbackCalls).toEqual([{ method: "sendMessage", payload: PAYLOAD }]);
    expect(fallbackCalls[0]?.payload).toBe(PAYLOAD);
  });

  it("should fail a 429 whose retry_after is over maxDelaySeconds at once, as auto-retry would", async () => {
    vi.useFakeTimers();
    const { fetch } = fakeFetch({
      ok: false,
      error_code: 429,
      description: "Too Many Requests: retry after 60",
      parameters: { retry_after: 60 },
    });
    const { call, fallbackCalls } = lean(fetch, { maxDelaySeconds: 30 });
    const error = await call("sendMessage", PAYLOAD).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrammyError);
    expect(error).toMatchObject({ error_code: 429, parameters: { retry_after: 60 }, method: "sendMessage" });
    expect(fallbackCalls).toHaveLength(0);
  });

  it("should hand a 5xx, a network error and a body that is not JSON to the fallback", async () => {
    for (const answer of [
      { ok: false, error_code: 502, description: "Bad Gateway" },
      "network" as const,
      "not-json" as const,
    ]) {
      const { fetch, requests } = fakeFetch(answer);
      const { call, fallbackCalls } = lean(fetch);
      await expect(call("editMessageText", PAYLOAD)).resolves.toEqual(SENT);
      expect(requests).toHaveLength(1);
      expect(fallbackCalls).toEqual([{ method: "editMessageText", payload: PAYLOAD }]);
    }
  });

  it("should not repeat a createForumTopic after a network error, as the retry transformers would not", async () => {
    const { call, fallbackCalls } = lean(fakeFetch("network").fetch);
    const error = await call("createForumTopic", { chat_id: -100, name: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).message).toBe("Network request for 'createForumTopic' failed!");
    expect((error as HttpError).message).not.toContain(TOKEN);
    expect(fallbackCalls).toHaveLength(0);
  });

  it("should abort a hung call after timeoutMs, never earlier, and hand it to the fallback", async () => {
    vi.useFakeTimers();
    const { fetch, requests } = fakeFetch("hang");
    const { call, fallbackCalls } = lean(fetch, { timeoutMs: 100 });
    const result = call("sendMessage", PAYLOAD);
    await vi.advanceTimersByTimeAsync(100);
    expect(requests[0]?.signal.aborted).toBe(false);
    expect(fallbackCalls).toHaveLength(0);
    // The watchdog ticks every tenth of the timeout and may be up to two ticks late.
    await vi.advanceTimersByTimeAsync(20);
    expect(requests[0]?.signal.aborted).toBe(true);
    await expect(result).resolves.toEqual(SENT);
    expect(fallbackCalls).toEqual([{ method: "sendMessage", payload: PAYLOAD }]);
  });

  it("should run one watchdog while calls are in flight and stop it once none are", async () => {
    vi.useFakeTimers();
    expect(vi.getTimerCount()).toBe(0);
    const { fetch } = fakeFetch({ ok: true, result: true });
    const { call } = lean(fetch, { timeoutMs: 100 });
    await Promise.all([
      call("answerCallbackQuery", { callback_query_id: "1" }),
      call("sendMessage", PAYLOAD),
    ]);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(10);
    expect(vi.getTimerCount()).toBe(0);

    // A later call starts it again, and its timeout still holds.
    const hung = lean(fakeFetch("hang").fetch, { timeoutMs: 100 });
    const result = hung.call("sendMessage", PAYLOAD);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(120);
    await expect(result).resolves.toEqual(SENT);
    await vi.advanceTimersByTimeAsync(10);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("createTelegramSender with the lean call", () => {
  /** A fetch answering every call with a message, recording method and JSON body. */
  function recordingFetch() {
    const bodies: string[] = [];
    let nextId = 1;
    const fetch = async (url: string, init: { body: string }) => {
      bodies.push(`${url.slice(url.lastIndexOf("/") + 1)} ${init.body}`);
      const result = { ...SENT, message_id: nextId++ };
      return { json: async () => ({ ok: true, result }) };
    };
    return { fetch, bodies };
  }

  it("should send byte for byte the requests grammY's Api sends", async () => {
    const viaGrammy = recordingFetch();
    const viaLean = recordingFetch();
    const grammySender = createTelegramSender(new Api(TOKEN, { fetch: viaGrammy.fetch as never }));
    // With `call` given, the sender's Api is not called at all (the lean call has its own fallback).
    const leanSender = createTelegramSender(new Api(TOKEN, { fetch: viaGrammy.fetch as never }), {
      call: createBotApiCall({
        token: TOKEN,
        fetch: viaLean.fetch,
        timeoutMs: 1000,
        fallback: new Api(TOKEN),
      }),
    });
    const long = Array.from({ length: 90 }, (_, i) => `${i}. строка ответа`)
      .join("\n")
      .repeat(4);
    for (const sender of [grammySender, leanSender]) {
      const buttons = [[{ label: "Помогло", payload: "fb:yes" }]];
      await sender.send("501", { text: "один", buttons }, { idempotencyKey: "a" });
      await sender.send("501", { text: long, buttons }, { idempotencyKey: "b" });
      await sender.send("501", { text: "правка" }, { idempotencyKey: "c", editMessageId: "1" });
      await sender.send("501", { text: "правка", buttons }, { idempotencyKey: "d", editMessageId: "1" });
    }
    // Two single sends, a two-part reply and two edits, from each sender; grammY's fetch saw only its own.
    expect(viaGrammy.bodies).toHaveLength(5);
    expect(viaLean.bodies).toEqual(viaGrammy.bodies);
  });
});
