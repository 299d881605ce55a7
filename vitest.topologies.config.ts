import { defineConfig } from "vitest/config";

/**
 * `npm run test:topologies`: the service on real Redis topologies (a Cluster of three primaries, a
 * primary with a replica and three Sentinels), each started by its test file with `redis-server`.
 * Kept out of `npm test` (they start many processes); CI (.ci/run) runs both.
 */
export default defineConfig({
  test: {
    include: ["tests/topology/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: "forks",
    // One topology at a time: each starts several servers, and a Sentinel election starved of CPU by
    // the other file's processes would measure the machine rather than the failover.
    fileParallelism: false,
  },
});
