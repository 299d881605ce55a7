/**
 * The scaling row: ours as 1, 2 and 3 processes behind webhooks on one Redis, in updates/s. The
 * driver plays a load balancer that spreads each conversation's updates over the instances (update k
 * of chat c goes to instance (c + k) mod n), so instances really share conversations and the lock,
 * dedupe and compare-and-set do their cross-instance work.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { Agent, request } from "node:http";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { Update } from "grammy/types";
import { SCRIPT } from "./contenders.js";
import { BENCH_WEBHOOK_SECRET, textUpdate } from "./fake-telegram.js";
import { drive } from "./measure.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** One measured instance count. */
export interface ScalingPoint {
  instances: number;
  updatesPerSecond: number;
  p99Ms: number;
}

/** Starts one webhook instance; resolves with its port once it listens. */
async function startInstance(url: string, prefix: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", "tests/bench/webhook-instance.ts", url, prefix], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve, reject) => {
    if (!child.stdout) return reject(new Error("no stdout"));
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`webhook instance exited (${code}) before listening`)));
  });
  return { child, port: (JSON.parse(line) as { port: number }).port };
}

/** POSTs one update to an instance's webhook; resolves on 200, rejects otherwise. */
function post(agent: Agent, port: number, update: Update): Promise<void> {
  const body = JSON.stringify(update);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/telegram/webhook",
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "x-telegram-bot-api-secret-token": BENCH_WEBHOOK_SECRET,
        },
      },
      (res) => {
        res.resume();
        res.once("end", () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`webhook answered ${res.statusCode}`)),
        );
      },
    );
    req.once("error", reject);
    req.end(body);
  });
}

/**
 * Measures 1..`max` instances: for each count, fresh processes (warmed up, not measured), then
 * `conversations` conversations with `concurrency` in flight.
 */
export async function benchScaling(
  redisUrl: string,
  options: { max: number; conversations: number; concurrency: number; chatIds: (count: number) => number },
): Promise<ScalingPoint[]> {
  const points: ScalingPoint[] = [];
  for (let n = 1; n <= options.max; n++) {
    const prefix = `scale-${randomUUID()}`;
    const instances = await Promise.all(Array.from({ length: n }, () => startInstance(redisUrl, prefix)));
    const agent = new Agent({ keepAlive: true, maxSockets: Math.ceil(options.concurrency / n) + 8 });
    const step = new Map<number, number>();
    const handle = (update: Update) => {
      const chat = update.message?.chat.id ?? 0;
      const k = step.get(chat) ?? 0;
      step.set(chat, k + 1);
      const instance = instances[(chat + k) % n];
      return post(agent, instance?.port ?? 0, update);
    };
    try {
      const warm = Math.min(1000, options.conversations);
      await drive(handle, textUpdate, {
        conversations: warm,
        concurrency: Math.min(200, options.concurrency),
        firstChatId: options.chatIds(warm),
        script: SCRIPT,
      });
      const result = await drive(handle, textUpdate, {
        conversations: options.conversations,
        concurrency: options.concurrency,
        firstChatId: options.chatIds(options.conversations),
        script: SCRIPT,
      });
      const sorted = [...result.latencies].sort((a, b) => a - b);
      points.push({
        instances: n,
        updatesPerSecond: result.updates / result.seconds,
        p99Ms: sorted[Math.floor(sorted.length * 0.99)] ?? Number.NaN,
      });
    } finally {
      agent.destroy();
      await Promise.all(
        instances.map(
          ({ child }) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null) return resolve();
              child.once("exit", () => resolve());
              child.kill("SIGTERM");
            }),
        ),
      );
    }
  }
  return points;
}
