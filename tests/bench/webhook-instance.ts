/**
 * One instance of ours for the scaling row, as its own process:
 * `node --import tsx tests/bench/webhook-instance.ts <redisUrl> <prefix>`.
 *
 * The service's webhook path exactly: the HTTP server, the Telegram webhook route (secret check,
 * body check, 200 once durable), the adapter and the core, on the shared Redis; the Bot API is the
 * in-process fake transport. Prints `{"port": n}` once listening; exits on SIGTERM.
 */
import { createTelegramChannel } from "../../adapters/telegram/bot.js";
import { createCore } from "../../src/app/core.js";
import { createHttpServer } from "../../src/http/server.js";
import { benchLogger } from "./contenders.js";
import { BENCH_WEBHOOK_SECRET, createFakeTransport, FAKE_ME, FAKE_TOKEN } from "./fake-telegram.js";

async function main(): Promise<void> {
  const [url, prefix] = process.argv.slice(2);
  if (!url || !prefix) throw new Error("usage: webhook-instance.ts <redisUrl> <prefix>");
  const logger = benchLogger();
  const core = await createCore({ redisUrl: url, logger, prefix });
  const channel = createTelegramChannel({
    token: FAKE_TOKEN,
    mode: "webhook",
    webhook: { url: "https://bench.invalid", secret: BENCH_WEBHOOK_SECRET },
    sink: core.sink,
    logger,
    fetch: createFakeTransport().fetch as never,
  });
  channel.bot.botInfo = FAKE_ME;
  core.registerSender(channel.sender);
  const server = createHttpServer({ routes: channel.routes, logger });
  const port = await server.listen(0, "127.0.0.1");
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  process.once("SIGTERM", () => {
    void server
      .close()
      .then(() => core.close())
      .then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
