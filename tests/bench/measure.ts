/**
 * How the benchmark drives a contender and what it reads off the process and Redis while it does.
 */
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Update } from "grammy/types";
import { Redis } from "ioredis";

/** How to drive conversations through a bot. */
export interface DriveOptions {
  /** Conversations to run in all. */
  conversations: number;
  /** How many are in flight at once (each one's updates go in order, one after the other). */
  concurrency: number;
  /** Chat ids are `firstChatId + index`, so every conversation is new. */
  firstChatId: number;
  /** The texts one customer sends, in order. */
  script: readonly string[];
  /**
   * Pacing: a customer waits a random time in this range (ms) before each message, as a person
   * typing would; without it updates follow each other as fast as the bot answers (saturation).
   */
  thinkMs?: [number, number];
}

/** What one drive measured. */
export interface DriveResult {
  updates: number;
  seconds: number;
  /** Per-update latency in ms: from handing the update to the bot until it resolved. */
  latencies: Float64Array;
  /** User + system CPU of this process, in seconds. */
  cpuSeconds: number;
  /** Highest resident set size seen while driving, in bytes (sampled every 20 ms). */
  peakRss: number;
}

/** Runs conversations through `handle` and measures throughput, latency, CPU and RSS. */
export async function drive(
  handle: (update: Update) => Promise<void>,
  makeUpdate: (chatId: number, text: string) => Update,
  options: DriveOptions,
): Promise<DriveResult> {
  const { conversations, concurrency, firstChatId, script, thinkMs } = options;
  const latencies = new Float64Array(conversations * script.length);
  let recorded = 0;
  let nextConversation = 0;
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 20);
  const think = () =>
    thinkMs ? sleep(thinkMs[0] + Math.random() * (thinkMs[1] - thinkMs[0])) : Promise.resolve();

  const worker = async () => {
    for (;;) {
      const index = nextConversation++;
      if (index >= conversations) return;
      const chatId = firstChatId + index;
      for (const text of script) {
        await think();
        const update = makeUpdate(chatId, text);
        const started = performance.now();
        await handle(update);
        latencies[recorded++] = performance.now() - started;
      }
    }
  };

  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, conversations) }, worker));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  return {
    updates: recorded,
    seconds,
    latencies: latencies.subarray(0, recorded),
    cpuSeconds: (used.user + used.system) / 1e6,
    peakRss,
  };
}

/** The `p`-th percentile (0..100) of the values, by nearest rank. */
export function percentile(values: Float64Array, p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Commands sent by every ioredis client of this process, once `countClientCommands` ran. */
export const clientCommands = { sent: 0 };

/**
 * Counts each command any ioredis client of this process sends (a script call counts once; a
 * MULTI/EXEC block counts each command in it), by wrapping `Redis.prototype.sendCommand`.
 */
export function countClientCommands(): void {
  const proto = Redis.prototype as unknown as {
    sendCommand(this: Redis, ...args: unknown[]): unknown;
    benchCounted?: boolean;
  };
  if (proto.benchCounted) return;
  const original = proto.sendCommand;
  proto.sendCommand = function (this: Redis, ...args: unknown[]) {
    clientCommands.sent++;
    return original.apply(this, args);
  };
  proto.benchCounted = true;
}

/** Counters read from Redis's INFO, to take deltas of. */
export interface RedisCounters {
  /** Every command executed, those run inside scripts included (INFO total_commands_processed). */
  executed: number;
  /** Redis's own CPU, user + system, in seconds. */
  cpuSeconds: number;
  usedMemory: number;
}

/** Reads the counters. */
export async function redisCounters(redis: Redis): Promise<RedisCounters> {
  const info = await redis.info("all");
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(info)?.[1] ?? Number.NaN);
  return {
    executed: field("total_commands_processed"),
    cpuSeconds: field("used_cpu_user") + field("used_cpu_sys"),
    usedMemory: field("used_memory"),
  };
}

/** Deletes keys that expire within a minute anyway (locks, flood windows); returns how many. */
export async function dropTransientKeys(redis: Redis): Promise<number> {
  let cursor = "0";
  let dropped = 0;
  do {
    const [next, keys] = await redis.scan(cursor, "COUNT", 1000);
    cursor = next;
    if (keys.length === 0) continue;
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.pttl(key);
    const ttls = (await pipeline.exec()) ?? [];
    const transient = keys.filter((_, i) => {
      const ttl = Number(ttls[i]?.[1]);
      return ttl >= 0 && ttl < 60_000;
    });
    if (transient.length > 0) dropped += await redis.del(...transient);
  } while (cursor !== "0");
  return dropped;
}

/** Sum of `MEMORY USAGE` over every key, and the key count. */
export async function keyBytes(redis: Redis): Promise<{ keys: number; bytes: number }> {
  let cursor = "0";
  let keys = 0;
  let bytes = 0;
  do {
    const [next, batch] = await redis.scan(cursor, "COUNT", 1000);
    cursor = next;
    if (batch.length === 0) continue;
    const pipeline = redis.pipeline();
    for (const key of batch) pipeline.memory("USAGE", key, "SAMPLES", "0");
    for (const [, value] of (await pipeline.exec()) ?? []) bytes += Number(value ?? 0);
    keys += batch.length;
  } while (cursor !== "0");
  return { keys, bytes };
}

/**
 * A full garbage collection. Works without `--expose-gc` by turning the flag on at run time and
 * taking `gc` from a fresh context.
 */
export function collectGarbage(): void {
  const g = globalThis as { gc?: () => void };
  if (!g.gc) {
    setFlagsFromString("--expose-gc");
    g.gc = runInNewContext("gc") as () => void;
  }
  g.gc?.();
  g.gc?.();
}
