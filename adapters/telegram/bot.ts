import { type ApiClientOptions, Bot } from "grammy";
import type { Update } from "grammy/types";
import type { Logger } from "pino";
import type { ChannelSender } from "../../src/channel.js";
import type { InboundSink } from "../../src/engine/inbound-sink.js";
import type { Route } from "../../src/http/server.js";
import { type BotApiCall, createBotApiCall, type FetchLike } from "./bot-api-call.js";
import { setCommandMenu } from "./commands.js";
import { normalizeUpdate } from "./normalize.js";
import { type AllowedUpdate, type Polling, type PollingOptions, startPolling } from "./polling.js";
import { installRetries, type RetryOptions } from "./retry.js";
import { createTelegramSender } from "./sender.js";
import { createWebhookRoute, WEBHOOK_PATH } from "./webhook.js";

/** The update types the support flow reads; Telegram sends nothing else, which saves traffic. */
export const ALLOWED_UPDATES: readonly AllowedUpdate[] = ["message", "edited_message", "callback_query"];

/** Options for `createTelegramChannel`. */
export interface TelegramChannelOptions {
  /** The bot token from BotFather (`TELEGRAM_BOT_TOKEN`). Never logged. */
  token: string;
  /** A Bot API server other than api.telegram.org (`TELEGRAM_API_ROOT`), without a trailing slash. */
  apiRoot?: string;
  /** `BOT_MODE`: long polling, or a webhook served by the process's HTTP server. */
  mode: "polling" | "webhook";
  sink: InboundSink;
  logger: Logger;
  /** Webhook mode only: the public base URL (`WEBHOOK_URL`) and the secret token (`WEBHOOK_SECRET`). */
  webhook?: { url: string; secret: string };
  retry?: RetryOptions;
  /** Long-poll timeout of one getUpdates. @defaultValue 30 */
  pollTimeoutSeconds?: number;
  /** Polling tuning (tests shorten the back-off). */
  polling?: Pick<PollingOptions, "backoffMs" | "maxBackoffMs" | "busyPollMs" | "maxInFlight">;
  /**
   * Called when polling cannot hear customers (revoked token, 409 conflict) with the reason and the
   * fix, and with `undefined` once it hears them again. The service turns /readyz 503 meanwhile.
   */
  onFault?: PollingOptions["onFault"];
  /**
   * A `fetch` for grammY's client and the lean reply call instead of their defaults (benchmarks plug an
   * in-process transport here).
   */
  fetch?: ApiClientOptions["fetch"];
  /** See `TelegramSenderOptions.strictButtons`. */
  strictButtons?: boolean;
  /**
   * The agents' supergroup (`AGENT_CHAT_ID`): its updates go to `handle` (the desk) instead of the
   * customer flow, and the desk answers its own callback queries (with a text such as «taken»).
   */
  agentChat?: { chatId: number; handle(update: Update): Promise<void> };
}

/** A Telegram customer channel: its sender for the core, its routes for the HTTP server, its lifecycle. */
export interface TelegramChannel {
  /** Register with the core (`core.registerSender`). */
  sender: ChannelSender;
  /** Webhook mode: `POST /telegram/webhook`; polling mode: none. */
  routes: Route[];
  /** The grammY bot, for tests and diagnostics. */
  bot: Bot;
  /**
   * Runs one update as polling and the webhook do (the desk's chat to the desk, the rest normalized to
   * the core); resolves when its outcome is durable. Benchmarks drive the channel through this.
   */
  handleUpdate(update: Update): Promise<void>;
  /**
   * Initializes the bot (getMe), sets the command menu, then registers the webhook or starts polling.
   * Rejects when the token is wrong or the webhook cannot be set.
   */
  start(): Promise<void>;
  /** Stops polling (finishing updates in progress); webhook mode leaves the webhook set for other instances. */
  stop(): Promise<void>;
}

/**
 * Builds the Telegram channel. Wiring order matters: retries are installed on `bot.api` before anything
 * calls it, because grammY copies the transformers into every update's context API.
 */
export function createTelegramChannel(options: TelegramChannelOptions): TelegramChannel {
  const { logger, sink } = options;
  if (options.mode === "webhook" && !options.webhook) {
    throw new Error("BOT_MODE=webhook needs WEBHOOK_URL and WEBHOOK_SECRET.");
  }
  const pollTimeout = options.pollTimeoutSeconds ?? 30;
  const apiRoot = options.apiRoot?.replace(/\/+$/, "");
  // The default (500 s) would let a hung request hold a reply for minutes; a long poll needs its own
  // timeout plus a margin.
  const timeoutSeconds = Math.max(60, pollTimeout + 15);
  const bot = new Bot(options.token, {
    client: {
      ...(apiRoot ? { apiRoot } : {}),
      timeoutSeconds,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    },
  });
  installRetries(bot.api, options.retry);
  const agentChat = options.agentChat;

  // Replies and callback answers, the calls made for every update, skip most of grammY's per-call
  // cost; bot.api (with its retries, installed above) takes over whatever needs a retry.
  const call = createBotApiCall({
    token: options.token,
    ...(apiRoot ? { apiRoot } : {}),
    // grammY types its option with node-fetch's signature; both are a fetch of a JSON POST.
    ...(options.fetch ? { fetch: options.fetch as unknown as FetchLike } : {}),
    timeoutMs: timeoutSeconds * 1000,
    fallback: bot.api,
    ...(options.retry?.maxDelaySeconds !== undefined
      ? { maxDelaySeconds: options.retry.maxDelaySeconds }
      : {}),
  });

  const sender = createTelegramSender(bot.api, {
    logger,
    call,
    ...(options.strictButtons !== undefined ? { strictButtons: options.strictButtons } : {}),
  });

  /**
   * Runs one update straight from its Bot API JSON: no grammY Context or middleware is built for it
   * (normalizing needs only the update itself and the bot's username); rejects with the sink's error.
   */
  const run = (update: Update, settle: boolean): Promise<void> =>
    agentChat && chatIdOf(update) === agentChat.chatId
      ? agentChat.handle(update)
      : handleCustomerUpdate(update, { call, username: bot.botInfo.username, sink, logger, settle });
  // Polling settles the core's owed acks once per new offset instead (`settle` below).
  const handle = (update: Update): Promise<void> => run(update, false);
  // The same path for anything that drives the grammY bot itself (`bot.handleUpdate`).
  bot.use((ctx) => handle(ctx.update));

  const routes: Route[] =
    options.mode === "webhook" && options.webhook
      ? [
          createWebhookRoute({
            secret: options.webhook.secret,
            // The 200 confirms the update: its outbox is marked done first.
            handle: (update) => run(update, true),
            ready: () => bot.isInited(),
            logger,
          }),
        ]
      : [];

  const abort = new AbortController();
  let polling: Polling | undefined;

  return {
    sender,
    routes,
    bot,
    handleUpdate: handle,
    async start() {
      await bot.init(abort.signal as unknown as Parameters<Bot["init"]>[0]);
      const log = logger.child({ bot_id: bot.botInfo.id, mode: options.mode });
      await setCommandMenu(bot.api, log);
      if (options.mode === "webhook" && options.webhook) {
        const url = options.webhook.url.replace(/\/+$/, "") + WEBHOOK_PATH;
        // Several instances may call this at once; the call is idempotent.
        await bot.api.setWebhook(url, {
          secret_token: options.webhook.secret,
          allowed_updates: ALLOWED_UPDATES,
          drop_pending_updates: false,
        });
        log.info({ path: WEBHOOK_PATH }, "telegram webhook set");
        return;
      }
      // A webhook left from an earlier deployment makes getUpdates fail with 409; pending updates are kept.
      await bot.api.deleteWebhook({ drop_pending_updates: false });
      polling = startPolling({
        api: bot.api,
        handle,
        logger: log,
        allowedUpdates: ALLOWED_UPDATES,
        timeoutSeconds: pollTimeout,
        ...options.polling,
        ...(options.onFault ? { onFault: options.onFault } : {}),
        settle: async () => {
          await sink.settle?.();
        },
      });
      // The loop logs a permanent fault itself, with the fix, and reports it through onFault.
      polling.done.catch(() => undefined);
      log.info("telegram long polling started");
    },
    async stop() {
      abort.abort();
      await polling?.stop();
      polling = undefined;
    },
  };
}

/** The chat an update belongs to (message, edit or the message under a pressed button). */
function chatIdOf(update: Update): number | undefined {
  return (update.message ?? update.edited_message ?? update.callback_query?.message)?.chat.id;
}

/**
 * A customer's update: normalize, hand to the core, and answer a callback query. The answer runs
 * alongside the core's work so the button's spinner stops at once, and it is sent for every query —
 * duplicates, stale buttons and ignored chats included — because an unanswered query spins for seconds.
 */
async function handleCustomerUpdate(
  update: Update,
  bot: {
    call: BotApiCall;
    username: string;
    sink: InboundSink;
    logger: Logger;
    /** Wait until the outbox is marked done (a webhook confirms the update when this resolves). */
    settle: boolean;
  },
): Promise<void> {
  const { sink, logger } = bot;
  const query = update.callback_query;
  const answered = query
    ? bot.call("answerCallbackQuery", { callback_query_id: query.id }).then(
        () => undefined,
        (err: unknown) => {
          // A redelivered update's query is already answered or too old; nothing more can be done.
          logger.debug({ err, update_id: update.update_id }, "answerCallbackQuery failed");
        },
      )
    : undefined;
  try {
    const event = normalizeUpdate(update, { botUsername: bot.username });
    if (!event) {
      logger.debug({ update_id: update.update_id }, "telegram update ignored");
      return;
    }
    const status = await sink.accept(event);
    if (bot.settle) await sink.settle?.(event.conversationKey);
    logger.debug(
      { update_id: update.update_id, conv: event.conversationKey, status },
      "telegram update accepted",
    );
  } finally {
    await answered;
  }
}
