import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { API, type IAPIOptions } from "vk-io";

/** VK's documented limit for community (group) tokens: 20 API requests per second. */
export const GROUP_TOKEN_RPS = 20;

/** The API version the adapter speaks; Long Poll and the Callback API must be set to the same. */
export const VK_API_VERSION = "5.199";

/** Options for `createVkApi`. */
export interface VkApiOptions {
  token: string;
  /** @defaultValue "https://api.vk.ru/method" (vk-io's default) */
  apiBaseUrl?: string;
  /** Requests per second. @defaultValue 20 (`GROUP_TOKEN_RPS`) */
  apiLimit?: number;
  /** Anything else for vk-io (tests shorten `apiWait`). */
  extra?: Partial<IAPIOptions>;
}

/** A vk-io API client and the agent it owns (destroy it on shutdown to close kept-alive sockets). */
export interface VkApi {
  api: API;
  agent: HttpAgent;
}

/**
 * Builds vk-io's API client for a community token.
 *
 * - The agent follows the base URL's protocol: vk-io defaults to an https agent, and node-fetch
 *   refuses an https agent for a plain-http URL (a local fake or emulator).
 * - `apiMode: "sequential"` with `apiLimit: 20` keeps within the group token's 20 requests per second.
 *   The `parallel` modes would batch sends through `execute`, where one failing send is reported
 *   inside the batch rather than as its own error — and each send's error matters here.
 */
export function createVkApi(options: VkApiOptions): VkApi {
  const baseUrl = options.apiBaseUrl?.replace(/\/+$/, "");
  const plainHttp = baseUrl !== undefined && new URL(baseUrl).protocol === "http:";
  const agent = plainHttp ? new HttpAgent({ keepAlive: true }) : new HttpsAgent({ keepAlive: true });
  const api = new API({
    token: options.token,
    apiVersion: VK_API_VERSION,
    ...(baseUrl ? { apiBaseUrl: baseUrl } : {}),
    // vk-io types the option as an https agent; an http one is what node-fetch needs for http URLs.
    agent: agent as HttpsAgent,
    apiMode: "sequential",
    apiRequestMode: "sequential",
    apiLimit: options.apiLimit ?? GROUP_TOKEN_RPS,
    ...options.extra,
  });
  return { api, agent };
}
