import { createHash, timingSafeEqual } from "node:crypto";
import type { Logger } from "pino";
import { parseJson, type Route } from "../../src/http/server.js";

/** Settings of the Callback API server, as entered in the community's settings. */
export interface VkCallbackSettings {
  /** The string VK expects back when it confirms the server address. */
  confirmation: string;
  /** The «secret key» VK sends in every event; a request without it is refused. */
  secret: string;
  /** Where the route listens. @defaultValue "/vk/callback" */
  path?: string;
}

/** Options for `vkCallbackRoute`. */
export interface VkCallbackRouteOptions extends VkCallbackSettings {
  groupId: number;
  /** Handles one update; rejects when its outcome could not be made durable. */
  handle(update: unknown): Promise<unknown>;
  logger: Logger;
}

/** The default path of the Callback API route. */
export const VK_CALLBACK_PATH = "/vk/callback";

/**
 * The Callback API endpoint as a route of the one HTTP server. vk-io's webhook transport is not used:
 * it answers «ok» before the handler runs, so an event that then fails is lost — VK only redelivers
 * when it does not get «ok».
 *
 * - `confirmation` for our `group_id` → the confirmation string.
 * - a `group_id` that is not ours, or a `secret` that does not match → 403.
 * - any other event → handled (the core dedupes a redelivered `event_id`), and only then «ok»;
 *   a failure → 500, so VK sends it again.
 */
export function vkCallbackRoute(options: VkCallbackRouteOptions): Route {
  const expectedSecret = digest(options.secret);
  return {
    method: "POST",
    path: options.path ?? VK_CALLBACK_PATH,
    contentType: "application/json",
    async handler(req) {
      const body = parseJson(req.body);
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        return { status: 400, body: "expected a JSON object\n" };
      }
      const update = body as Record<string, unknown>;
      const type = typeof update.type === "string" ? update.type : undefined;
      if (type === undefined) return { status: 400, body: "missing type\n" };
      if (update.group_id !== options.groupId) {
        options.logger.warn({ type, group: update.group_id }, "vk callback for another community refused");
        return { status: 403, body: "wrong group_id\n" };
      }
      // Not behind the secret check: setting up a server must work before the secret is entered, and the
      // answer reveals only the confirmation string, which is no credential.
      if (type === "confirmation") return { status: 200, body: options.confirmation };
      const secret = typeof update.secret === "string" ? update.secret : "";
      if (!timingSafeEqual(digest(secret), expectedSecret)) {
        options.logger.warn({ type, event: update.event_id }, "vk callback with a wrong secret refused");
        return { status: 403, body: "wrong secret\n" };
      }
      try {
        await options.handle(update);
      } catch (err) {
        options.logger.error(
          { err, type, event: update.event_id },
          "vk callback event not handled; VK will retry",
        );
        return { status: 500, body: "not handled, retry\n" };
      }
      return { status: 200, body: "ok" };
    },
  };
}

/** Hashes before comparing, so the comparison takes the same time whatever the lengths. */
function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}
