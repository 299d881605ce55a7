/**
 * `npx tsx tests/bench/profile-ours.ts [conversations] [--alloc]`: ours alone at 1,000 in flight
 * (`CONC` overrides), for a CPU profile (`node --cpu-prof --import tsx …`) or to compare two builds.
 * Not part of `npm run bench`. Prints upd/s, this process's CPU per update (steadier than upd/s on
 * a shared machine) and, with `--alloc`, the bytes allocated per update (V8's sampling heap
 * profiler, counting objects already collected too; `ALLOC_OUT=file` also writes the profile, which
 * Chrome DevTools opens, to see who allocates).
 */
import { Session } from "node:inspector/promises";
import { performance } from "node:perf_hooks";
import { createCore } from "../../src/app/core.js";
import { startTestRedis } from "../helpers/redis-server.js";
import { benchLogger, createOurs, SCRIPT } from "./contenders.js";
import { createFakeTransport, textUpdate } from "./fake-telegram.js";
import { drive } from "./measure.js";

/** The sampling profile's node shape, as far as summing it needs. */
interface SampleNode {
  selfSize: number;
  children: SampleNode[];
}
const sum = (node: SampleNode): number => node.children.reduce((n, c) => n + sum(c), node.selfSize);

const conversations = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 10_000);
const alloc = process.argv.includes("--alloc");
const redis = await startTestRedis();
try {
  const core = await createCore({ redisUrl: redis.url, logger: benchLogger(), prefix: "bench" });
  const ours = createOurs(core, benchLogger(), createFakeTransport());
  await drive(ours.handle, textUpdate, {
    conversations: 1_000,
    concurrency: 200,
    firstChatId: 1,
    script: SCRIPT,
  });
  const session = new Session();
  if (alloc) {
    session.connect();
    await session.post("HeapProfiler.startSampling", {
      samplingInterval: 1024,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    } as never);
  }
  const cpu = process.cpuUsage();
  const started = performance.now();
  await drive(ours.handle, textUpdate, {
    conversations,
    concurrency: Number(process.env.CONC ?? 1_000),
    firstChatId: 100_000,
    script: SCRIPT,
  });
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const updates = conversations * SCRIPT.length;
  const line = [
    `ours: ${Math.round(updates / seconds)} upd/s`,
    `${((used.user + used.system) / updates).toFixed(1)} µs CPU/update`,
  ];
  if (alloc) {
    const { profile } = await session.post("HeapProfiler.stopSampling");
    line.push(`${Math.round(sum(profile.head as SampleNode) / updates)} B allocated/update`);
    if (process.env.ALLOC_OUT)
      (await import("node:fs")).writeFileSync(process.env.ALLOC_OUT, JSON.stringify(profile));
    session.disconnect();
  }
  console.log(line.join(", "));
  await ours.close();
} finally {
  await redis.stop();
}
