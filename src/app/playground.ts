import { createInterface } from "node:readline";
import { ConsoleChannel } from "../../adapters/console/console-channel.js";
import type { Config } from "../config.js";
import { createLogger } from "../logger.js";
import { describeTarget, singleTarget } from "../redis/connection.js";
import { createCore } from "./core.js";
import { ensureLocalRedis } from "./local-redis.js";

/**
 * The terminal playground: the real engine and flow on Redis, with a console channel, so a newcomer
 * sees the bot work without any platform token.
 */
export async function runPlayground(config: Config): Promise<void> {
  const local = await ensureLocalRedis({ url: config.redisUrlDefaulted ? undefined : config.redisUrl });
  const logger = createLogger({
    level: config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL,
    pretty: true,
  });
  // Any configured topology; the default single Redis may be one the playground started.
  const target = config.redisUrlDefaulted ? singleTarget(local.url) : config.redis;
  const core = await createCore({
    redisUrl: target,
    logger,
    idleMs: config.IDLE_MINUTES * 60_000,
    defaultLocale: config.DEFAULT_LOCALE,
    // A person typing cannot flood; the limit would only get in the way of pasting.
    floodLimit: { count: 0, windowMs: 1000 },
    profile: config.profile,
  });
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const channel = new ConsoleChannel({ sink: core.sink, write: out });
  core.registerSender(channel);
  out(`Playground: the support bot on ${describeTarget(target)}. Type a message; a number presses a button;`);
  out(
    "/start restarts, /operator asks for a human, /cancel leaves a step, :sticker sends a sticker, " +
      ":new is a new customer, Ctrl+D quits.",
  );
  const rl = createInterface({ input: process.stdin, terminal: false });
  // Attach the iterator now: lines typed (or piped) while the greeting is sent must not be lost.
  const lines = rl[Symbol.asyncIterator]();
  await core.sink.accept(channel.toEvent("/start"));
  try {
    await channel.run({ [Symbol.asyncIterator]: () => lines });
  } finally {
    await core.close();
    local.stop();
  }
}
