/**
 * The fake Bot API transport every contender of the benchmark shares: a `fetch` that answers
 * in-process with canned `{ ok: true, result }` responses, so no network is involved and the three
 * bots pay exactly the same for each call. Each request is still built (JSON body, abort signal,
 * timeout) and each answer parsed, as against Telegram: by grammY, or for ours' replies and button
 * answers by the adapter's lean call (`adapters/telegram/bot-api-call.ts`).
 *
 * Also builds the updates the benchmark feeds.
 */
import type { Update, UserFromGetMe } from "grammy/types";

/** The bot identity the fake reports, set as `botInfo` so no `getMe` is needed. */
export const FAKE_ME = {
  id: 42,
  is_bot: true,
  first_name: "Bench",
  username: "bench_bot",
  can_join_groups: false,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
} as UserFromGetMe;

/** A token of the right shape; the fake never checks it. */
export const FAKE_TOKEN = "42:bench-token";

/** The webhook secret of the scaling row's instances (X-Telegram-Bot-Api-Secret-Token). */
export const BENCH_WEBHOOK_SECRET = "bench-secret";

/** Counts of the calls the fake answered. */
export interface TransportStats {
  calls: number;
  /** Characters of JSON request bodies received. */
  bytes: number;
  byMethod: Map<string, number>;
}

/** The part of a fetch answer grammY's client reads. */
interface FakeResponse {
  json(): Promise<unknown>;
}

/** A `fetch` for grammY's `client.fetch` option. */
export type FakeFetch = (url: string, init?: { body?: unknown }) => Promise<FakeResponse>;

/** The fake transport: the `fetch` to plug in and what it has seen. */
export interface FakeTransport {
  fetch: FakeFetch;
  stats: TransportStats;
  reset(): void;
}

/** Builds the fake transport. */
export function createFakeTransport(): FakeTransport {
  const stats: TransportStats = { calls: 0, bytes: 0, byMethod: new Map() };
  let nextMessageId = 1;
  const fetch: FakeFetch = async (url, init) => {
    const method = url.slice(url.lastIndexOf("/") + 1);
    const body = typeof init?.body === "string" ? init.body : "{}";
    stats.calls++;
    stats.bytes += body.length;
    stats.byMethod.set(method, (stats.byMethod.get(method) ?? 0) + 1);
    // Parsing the body is what the server would do; it also makes a bigger request cost more.
    const params = JSON.parse(body) as Record<string, unknown>;
    let result: unknown = true;
    if (method === "sendMessage" || method === "editMessageText") {
      result = {
        message_id: method === "sendMessage" ? nextMessageId++ : Number(params.message_id ?? 0),
        date: 1_700_000_000,
        chat: { id: Number(params.chat_id ?? 0), type: "private", first_name: "Customer" },
        text: String(params.text ?? ""),
      };
    } else if (method === "getMe") {
      result = FAKE_ME;
    }
    const text = JSON.stringify({ ok: true, result });
    return { json: async () => JSON.parse(text) as unknown };
  };
  return {
    fetch,
    stats,
    reset() {
      stats.calls = 0;
      stats.bytes = 0;
      stats.byMethod.clear();
    },
  };
}

let nextUpdateId = 1;

/** A private-chat text message update from customer `chatId`, with a bot_command entity for `/cmd`. */
export function textUpdate(chatId: number, text: string): Update {
  const updateId = nextUpdateId++;
  const command = /^\/[a-z_]+/i.exec(text);
  return {
    update_id: updateId,
    message: {
      message_id: updateId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: "private", first_name: "Customer" },
      from: { id: chatId, is_bot: false, first_name: "Customer", language_code: "ru" },
      text,
      ...(command ? { entities: [{ type: "bot_command", offset: 0, length: command[0].length }] } : {}),
    },
  } as Update;
}
