import { pino } from "pino";
import { describe, expect, it, vi } from "vitest";
import { createTelegramChannel } from "../../adapters/telegram/bot.js";
import { FAKE_ME, textUpdate } from "../bench/fake-telegram.js";
import { gatedSink, watched } from "../helpers/gated-sink.js";

const SECRET = "webhook-secret";

/**
 * The webhook's 200 confirms an update to Telegram, which will not send it again: it must wait until
 * the core has marked the update's outbox done, or a crash in between would replay replies the customer
 * already has with their next message.
 */
describe("Telegram webhook and the core's owed ack", () => {
  it("answers 200 only after the conversation's outbox is marked done", async () => {
    const { sink, open } = gatedSink();
    const channel = createTelegramChannel({
      token: "42:test-token",
      mode: "webhook",
      webhook: { url: "https://bot.example.org", secret: SECRET },
      sink,
      logger: pino({ level: "silent" }),
      // Nothing may reach the network: a text update needs no Bot API call before the core.
      fetch: (() => Promise.reject(new Error("no network in this test"))) as never,
    });
    channel.bot.botInfo = FAKE_ME;
    const route = channel.routes[0];
    if (!route) throw new Error("webhook mode has a route");
    const response = watched(
      route.handler({
        method: "POST",
        path: route.path,
        query: new URLSearchParams(),
        headers: { "x-telegram-bot-api-secret-token": SECRET, "content-type": "application/json" },
        body: Buffer.from(JSON.stringify(textUpdate(7, "Здравствуйте"))),
      }),
    );
    await vi.waitFor(() => expect(sink.settle).toHaveBeenCalledWith("tg-7"));
    await new Promise((resolve) => setImmediate(resolve));
    expect(response.done).toBe(false);
    open();
    expect((await response.promise).status).toBe(200);
  });
});
