import type { Logger } from "pino";
import type { API, IAPIOptions } from "vk-io";
import type { InboundSink } from "../../src/engine/inbound-sink.js";
import type { Route } from "../../src/http/server.js";
import { createVkApi } from "./api.js";
import { vkCallbackRoute, type VkCallbackSettings } from "./callback.js";
import { type ChoiceMemory, InMemoryChoices } from "./choices.js";
import { handleVkUpdate, type VkInboundOutcome } from "./inbound.js";
import { VkLongPoll, type VkLongPollOptions } from "./longpoll.js";
import type { VkButtonType } from "./render.js";
import { type VkRetryOptions, VkSender } from "./sender.js";

/** Options for `createVkChannel`. */
export interface VkChannelOptions {
  /** The community's access token (`VK_GROUP_TOKEN`), with the «messages» and «manage» rights. */
  token: string;
  /** The community's id (`VK_GROUP_ID`), positive. */
  groupId: number;
  /** `VK_API_BASE_URL`, e.g. a local fake. @defaultValue vk-io's, `https://api.vk.ru/method` */
  apiBaseUrl?: string;
  /** Bots Long Poll (no public URL needed) or the Callback API (a route on the HTTP server). */
  mode: "longpoll" | "callback";
  /** Required for `callback` mode. */
  callback?: VkCallbackSettings;
  sink: InboundSink;
  logger: Logger;
  /** Where numbered-list answers are remembered. @defaultValue an `InMemoryChoices` */
  choices?: ChoiceMemory;
  /** @defaultValue "text" */
  buttonType?: VkButtonType;
  /** Requests per second to the API. @defaultValue 20 (a group token's limit) */
  apiLimit?: number;
  retry?: VkRetryOptions;
  /** Long Poll tuning (tests shorten the wait and the backoff). */
  longPoll?: { waitSeconds?: number; backoff?: { baseMs?: number; maxMs?: number } };
  /** Long Poll cannot hear customers (revoked token…), or can again (`undefined`). */
  onFault?: VkLongPollOptions["onFault"];
  /** Extra vk-io API options (tests shorten `apiWait`). */
  apiOptions?: Partial<IAPIOptions>;
}

/** The VK channel: its outbound side, its HTTP routes (Callback API), and its lifecycle. */
export interface VkChannel {
  sender: VkSender;
  /** The Callback API route in `callback` mode; none for Long Poll. */
  routes: Route[];
  /** The vk-io API client the channel uses. */
  api: API;
  /** Handles one update as either transport would (for tests and tools). */
  handleUpdate(update: unknown): Promise<VkInboundOutcome>;
  /** Checks the token (`groups.getById`), then starts Long Poll in `longpoll` mode. */
  start(): Promise<void>;
  /** Stops polling (waiting for the batch in hand) and closes the API's connections. */
  stop(): Promise<void>;
}

/**
 * Builds the VK channel. Each transport hands updates to the same handler (normalize → core → answer
 * a callback-button press); replies go out through the sender, which the core must be given with
 * `registerSender`.
 */
export function createVkChannel(options: VkChannelOptions): VkChannel {
  const { logger, groupId } = options;
  if (options.mode === "callback" && !options.callback) {
    throw new Error(
      "VK callback mode needs the confirmation string and the secret: set VK_CALLBACK_CONFIRMATION and " +
        "VK_CALLBACK_SECRET (community → Manage → API usage → Callback API).",
    );
  }
  const { api, agent } = createVkApi({
    token: options.token,
    apiBaseUrl: options.apiBaseUrl,
    apiLimit: options.apiLimit,
    extra: options.apiOptions,
  });
  const choices = options.choices ?? new InMemoryChoices();
  const sender = new VkSender({ api, logger, choices, buttonType: options.buttonType, retry: options.retry });
  const handleUpdate = (update: unknown) =>
    handleVkUpdate(update, { api, sink: options.sink, choices, logger });

  const routes: Route[] = [];
  if (options.mode === "callback" && options.callback) {
    routes.push(vkCallbackRoute({ ...options.callback, groupId, handle: handleUpdate, logger }));
  }
  const longPoll =
    options.mode === "longpoll"
      ? new VkLongPoll({
          api,
          groupId,
          handle: handleUpdate,
          logger,
          waitSeconds: options.longPoll?.waitSeconds,
          backoff: options.longPoll?.backoff,
          ...(options.onFault ? { onFault: options.onFault } : {}),
        })
      : undefined;

  return {
    sender,
    routes,
    api,
    handleUpdate,
    async start() {
      // Fails fast on a bad token or group id, before anyone writes in.
      await api.groups.getById({ group_id: groupId });
      await longPoll?.start();
      logger.info({ group: groupId, mode: options.mode }, "vk channel started");
    },
    async stop() {
      await longPoll?.stop();
      agent.destroy();
    },
  };
}
