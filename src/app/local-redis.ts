import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { resolve } from "node:path";

/** Redis could not be found or started; the message says how to get one. */
export class RedisUnavailableError extends Error {
  override readonly name = "RedisUnavailableError";
  constructor(
    readonly url: string,
    reason: string,
  ) {
    super(
      `No Redis at ${url} (${reason}). Start one (\`redis-server\`, or \`apt-get install redis-server\` / ` +
        "`brew install redis` first), or set REDIS_URL to a running Redis, then run `npm start` again.",
    );
  }
}

/** Whether something accepts TCP connections on host:port (within `timeoutMs`). */
export function isListening(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once("connect", () => finish(true));
    socket.once("error", () => finish(false));
  });
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => ok(typeof addr === "object" && addr ? addr.port : 0));
    });
  });
}

/** A Redis the playground uses: either one already running, or a child process it started. */
export interface LocalRedis {
  url: string;
  /** Stops the child process, if this started one. */
  stop(): void;
}

/**
 * Finds Redis for the playground: REDIS_URL if given; else 127.0.0.1:6379 if something answers;
 * else starts `redis-server` as a child process with its data in `<dataDir>` (AOF on), stopped on
 * exit. Throws `RedisUnavailableError` with instructions when none of these works.
 */
export async function ensureLocalRedis(options: { url?: string; dataDir?: string }): Promise<LocalRedis> {
  if (options.url) return { url: options.url, stop: () => undefined };
  const fallback = "redis://127.0.0.1:6379";
  if (await isListening("127.0.0.1", 6379)) return { url: fallback, stop: () => undefined };
  const which = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  if (which.error || which.status !== 0)
    throw new RedisUnavailableError(fallback, "nothing answers and redis-server is not installed");
  const dir = resolve(options.dataDir ?? ".data/redis");
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const child: ChildProcess = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes", "--save", ""],
    { stdio: "ignore" },
  );
  const stop = () => {
    if (child.exitCode === null) child.kill("SIGTERM");
  };
  process.once("exit", stop);
  for (let i = 0; i < 100; i++) {
    if (await isListening("127.0.0.1", port, 100)) return { url: `redis://127.0.0.1:${port}`, stop };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  stop();
  throw new RedisUnavailableError(`redis://127.0.0.1:${port}`, "redis-server was started but did not answer");
}
