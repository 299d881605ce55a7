import { createHash, timingSafeEqual } from "node:crypto";
import type { Update } from "grammy/types";
import type { Logger } from "pino";
import { z } from "zod";
import { type HttpResponse, parseJson, type Route } from "../../src/http/server.js";

/** The path Telegram posts updates to, under `WEBHOOK_URL`. */
export const WEBHOOK_PATH = "/telegram/webhook";

/** The header Telegram sends with the `secret_token` given to setWebhook. */
const SECRET_HEADER = "x-telegram-bot-api-secret-token";

/** Telegram's rule for `secret_token`. */
export const WEBHOOK_SECRET_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;

const chat = z.looseObject({ id: z.number().int(), type: z.string() });
const user = z.looseObject({ id: z.number().int(), is_bot: z.boolean() });
const message = z.looseObject({
  message_id: z.number().int(),
  date: z.number().int(),
  chat,
  from: user.optional(),
  text: z.string().optional(),
});

/**
 * The parts of an update the adapter reads, checked so a forged or broken body is a 400 rather than a
 * crash deep inside the handler. Other fields pass through untouched.
 */
const UpdateSchema = z.looseObject({
  update_id: z.number().int().nonnegative(),
  message: message.optional(),
  edited_message: message.optional(),
  callback_query: z
    .looseObject({ id: z.string(), from: user, message: message.optional(), data: z.string().optional() })
    .optional(),
});

/** Options for `createWebhookRoute`. */
export interface WebhookRouteOptions {
  secret: string;
  /** Handles one update; resolves once it is durable, rejects when Telegram should redeliver it. */
  handle(update: Update): Promise<void>;
  /** False until the bot is initialized; updates then get 503 and are redelivered. */
  ready(): boolean;
  logger: Logger;
}

/**
 * The webhook as a route of the one HTTP server. Hand-written rather than grammY's webhookCallback so
 * every status code is ours: 401 on a wrong secret, 400 on a body that is not an update, 200 only once
 * the update is durable, 500 when it is not (Telegram then redelivers; dedupe absorbs the repeat).
 */
export function createWebhookRoute(options: WebhookRouteOptions): Route {
  if (!WEBHOOK_SECRET_PATTERN.test(options.secret)) {
    throw new Error("WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule).");
  }
  const expected = digest(options.secret);
  return {
    method: "POST",
    path: WEBHOOK_PATH,
    contentType: "application/json",
    async handler(req): Promise<HttpResponse> {
      const given = req.headers[SECRET_HEADER];
      // Comparing digests keeps the comparison constant-time even when the lengths differ.
      if (typeof given !== "string" || !timingSafeEqual(digest(given), expected)) {
        options.logger.warn({ path: req.path }, "webhook call with a wrong secret token");
        return { status: 401, body: "wrong secret token\n" };
      }
      const parsed = UpdateSchema.safeParse(parseJson(req.body));
      if (!parsed.success) return { status: 400, body: "body is not a Telegram update\n" };
      if (!options.ready()) return { status: 503, body: "starting\n" };
      const update = parsed.data as unknown as Update;
      try {
        await options.handle(update);
      } catch (err) {
        options.logger.error(
          { err, update_id: update.update_id },
          "webhook update failed; Telegram will redeliver",
        );
        return { status: 500, body: "update not handled\n" };
      }
      return { status: 200, body: "ok\n" };
    },
  };
}

function digest(s: string): Buffer {
  return createHash("sha256").update(s, "utf8").digest();
}
