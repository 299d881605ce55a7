/**
 * `npx tsx tests/bench/profile-ours.ts [conversations]`: ours alone at 1,000 in flight, for a CPU or
 * allocation profile (`node --cpu-prof --import tsx …`). Not part of `npm run bench`; it prints upd/s.
 */
import { performance } from "node:perf_hooks";
import { createCore } from "../../src/app/core.js";
import { startTestRedis } from "../helpers/redis-server.js";
import { benchLogger, createOurs, SCRIPT } from "./contenders.js";
import { createFakeTransport, textUpdate } from "./fake-telegram.js";
import { drive } from "./measure.js";

const conversations = Number(process.argv[2] ?? 10_000);
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
  const started = performance.now();
  await drive(ours.handle, textUpdate, {
    conversations,
    concurrency: 1_000,
    firstChatId: 100_000,
    script: SCRIPT,
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(`ours: ${Math.round((conversations * SCRIPT.length) / seconds)} upd/s`);
  await ours.close();
} finally {
  await redis.stop();
}
