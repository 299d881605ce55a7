import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";

/** A redis-server child process on a free loopback port, owned by one test file. */
export interface TestRedis {
  port: number;
  url: string;
  /**
   * A fresh client (closed by `stop`). BullMQ-safe: `maxRetriesPerRequest: null`. `db` is set as a
   * connection option (not SELECT), so BullMQ's duplicated connections use the same database.
   */
  client(db?: number): Redis;
  /** Kill the server (SIGKILL by default, to simulate a crash) without removing its data. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Start it again on the same port and data dir (AOF replays what was written). */
  restart(): Promise<void>;
  /** Stop it, close clients, remove its data. */
  stop(): Promise<void>;
}

/** Finds a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts redis-server on a free port with AOF on (so kill/restart keeps data), in a temp dir.
 * Never touches the machine's shared Redis on 6379.
 */
export async function startTestRedis(options: { appendonly?: boolean } = {}): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "sb-redis-"));
  const clients: Redis[] = [];
  let proc: ChildProcess | undefined;

  const launch = async () => {
    proc = spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
        "--save",
        "",
        "--appendonly",
        options.appendonly === false ? "no" : "yes",
        "--appendfsync",
        "always",
        "--maxmemory-policy",
        "noeviction",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    await new Promise<void>((resolve, reject) => {
      let out = "";
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("Ready to accept connections")) {
          proc?.stdout?.off("data", onData);
          resolve();
        }
      };
      proc?.stdout?.on("data", onData);
      proc?.once("exit", (code) => reject(new Error(`redis-server exited early (${code}): ${out}`)));
    });
  };
  await launch();

  const kill = async (signal: NodeJS.Signals = "SIGKILL") => {
    const p = proc;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once("exit", () => resolve());
      p.kill(signal);
    });
  };

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    client(db = 0) {
      const c = new Redis({ port, host: "127.0.0.1", db, maxRetriesPerRequest: null, lazyConnect: false });
      clients.push(c);
      return c;
    },
    kill,
    restart: launch,
    async stop() {
      for (const c of clients) c.disconnect();
      await kill("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
