import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeTelegramApi } from "../fakes/telegram-api.js";
import { freePort, startTestRedis, type TestRedis } from "../helpers/redis-server.js";

/**
 * No Docker engine runs here, so the Dockerfile's steps are checked as plain commands: its shape,
 * the TypeScript build of stage one, and the compiled entry that stage two runs (`node
 * dist/src/main.js`), which must start, serve /healthz and stop cleanly on SIGTERM.
 */
const ROOT = resolve(import.meta.dirname, "../..");
const OUT = resolve(ROOT, ".data/build-test");

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis({ appendonly: false });
  const build = spawnSync(
    process.execPath,
    [resolve(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json", "--outDir", OUT],
    {
      cwd: ROOT,
      encoding: "utf8",
    },
  );
  if (build.status !== 0) throw new Error(`tsc build failed:\n${build.stdout}${build.stderr}`);
}, 120_000);
afterAll(async () => {
  await redis.stop();
  rmSync(OUT, { recursive: true, force: true });
});

/** The compiled service as the image runs it, on the fake Bot API and the test's Redis. */
function spawnCompiled(telegram: FakeTelegramApi, env: Record<string, string>) {
  const proc = spawn(process.execPath, ["--enable-source-maps", resolve(OUT, "src/main.js")], {
    env: {
      PATH: process.env.PATH ?? "",
      NODE_ENV: "production",
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      REDIS_URL: redis.url,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return { proc, exited: once(proc, "exit") };
}

describe("the container image, without Docker", () => {
  it("is multi-stage on Node 24 LTS, installs production dependencies only, runs as non-root, and checks health", () => {
    const dockerfile = readFileSync(resolve(ROOT, "Dockerfile"), "utf8");
    const stages = dockerfile.split(/^FROM /m).slice(1);
    expect(stages).toHaveLength(2);
    for (const stage of stages) expect(stage).toMatch(/^node:24-/);
    expect(stages[0]).toMatch(/npm run build/);
    expect(stages[1]).toMatch(/npm ci --omit=dev/);
    expect(stages[1]).toMatch(/^USER node$/m);
    expect(stages[1]).toMatch(/HEALTHCHECK[\s\S]*\/healthz/);
    // Source maps for stack traces; a young generation big enough for the objects of updates in flight.
    expect(stages[1]).toMatch(
      /CMD \["node", "--enable-source-maps", "--max-semi-space-size=32", "dist\/src\/main\.js"\]/,
    );
    const build = JSON.parse(readFileSync(resolve(ROOT, "tsconfig.build.json"), "utf8")) as {
      compilerOptions: { sourceMap?: boolean };
    };
    expect(build.compilerOptions.sourceMap).toBe(true);
  });

  it("keeps secrets, local state and dependencies out of the build context (.dockerignore)", () => {
    const ignored = readFileSync(resolve(ROOT, ".dockerignore"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
    for (const entry of [".git", "node_modules", "dist", ".data", ".env", ".env.*"]) {
      expect(ignored).toContain(entry);
    }
  });

  it("runs under an init in compose, with the published port on localhost only", () => {
    const compose = readFileSync(resolve(ROOT, "docker-compose.yml"), "utf8");
    const bot = compose.slice(compose.indexOf("\n  bot:"));
    expect(bot).toMatch(/^\s+init: true$/m);
    const ports = [...bot.matchAll(/^\s+- "([^"]+)"$/gm)].map((m) => m[1] ?? "");
    expect(ports.length).toBeGreaterThan(0);
    for (const port of ports) expect(port).toMatch(/^127\.0\.0\.1:/);
  });

  it("declares Node 24 and every install script, keeps tsx a dev tool and drops unused packages", () => {
    const pkg = JSON.parse(readFileSync(resolve(ROOT, "package.json"), "utf8")) as {
      engines: { node: string };
      scripts: Record<string, string>;
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
      allowScripts?: Record<string, boolean>;
    };
    expect(pkg.engines.node).toMatch(/^>=24\./);
    expect(pkg.devDependencies["@types/node"]).toMatch(/^\^24\./);
    // `npm ci` installs devDependencies, so `npm ci && npm start` (tsx) still works; the image runs dist/.
    expect(pkg.devDependencies.tsx).toBeDefined();
    expect(pkg.dependencies.tsx).toBeUndefined();
    expect(pkg.scripts.start).toMatch(/^tsx /);
    expect(pkg.dependencies["@grammyjs/runner"]).toBeUndefined();
    const lock = JSON.parse(readFileSync(resolve(ROOT, "package-lock.json"), "utf8")) as {
      packages: Record<string, { hasInstallScript?: boolean }>;
    };
    const withScripts = Object.entries(lock.packages)
      .filter(([, p]) => p.hasInstallScript)
      .map(([path]) => path.split("node_modules/").at(-1) ?? path);
    expect(withScripts.length).toBeGreaterThan(0);
    // Each one is decided in package.json (npm's allowScripts), so `npm ci` warns about none.
    for (const name of withScripts) expect(pkg.allowScripts?.[name]).toBeTypeOf("boolean");
  });

  it("imports only production dependencies from the compiled code (stage two omits dev ones)", () => {
    const pkg = JSON.parse(readFileSync(resolve(ROOT, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const files = readdirSync(OUT, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".js"));
    const imported = new Set<string>();
    for (const file of files) {
      const code = readFileSync(resolve(OUT, file), "utf8");
      for (const m of code.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)"([^"\n./][^"\n]*)"/g)) {
        const spec = m[1] ?? "";
        if (spec.startsWith("node:")) continue;
        imported.add(
          spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : (spec.split("/")[0] ?? spec),
        );
      }
    }
    expect(imported.size).toBeGreaterThan(3);
    const missing = [...imported].filter((name) => !(name in pkg.dependencies));
    expect(missing).toEqual([]);
  });

  it("stops with the variable's name and an example when the configuration is bad", () => {
    const run = spawnSync(process.execPath, [resolve(OUT, "src/main.js")], {
      env: { PATH: process.env.PATH ?? "", TELEGRAM_BOT_TOKEN: "oops" },
      encoding: "utf8",
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("TELEGRAM_BOT_TOKEN");
    expect(run.stderr).toContain("example: TELEGRAM_BOT_TOKEN=");
  });

  it("runs the compiled service: /healthz and /readyz answer, SIGTERM exits 0", async () => {
    const telegram = await FakeTelegramApi.start();
    const port = await freePort();
    const { proc, exited } = spawnCompiled(telegram, { PORT: String(port) });
    try {
      const lines = createInterface({ input: proc.stdout! });
      for await (const line of lines) if (line.includes('"channels started"')) break;
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toContain("support_updates_total");
      proc.kill("SIGTERM");
      expect((await exited)[0]).toBe(0);
    } finally {
      if (proc.exitCode === null) proc.kill("SIGKILL");
      await telegram.close();
    }
  });

  it("serves /metrics only on METRICS_PORT (loopback) when it is set, not on the public port", async () => {
    const telegram = await FakeTelegramApi.start();
    const port = await freePort();
    const metricsPort = await freePort();
    const { proc, exited } = spawnCompiled(telegram, {
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
    });
    try {
      const lines = createInterface({ input: proc.stdout! });
      let metricsHost = "";
      for await (const line of lines) {
        if (line.includes('"metrics server listening"'))
          metricsHost = (JSON.parse(line) as { host: string }).host;
        if (line.includes('"channels started"')) break;
      }
      expect(metricsHost).toBe("127.0.0.1");
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain("support_updates_total");
      proc.kill("SIGTERM");
      expect((await exited)[0]).toBe(0);
    } finally {
      if (proc.exitCode === null) proc.kill("SIGKILL");
      await telegram.close();
    }
  });
});
