import { defineConfig } from "vitest/config";

/** Test runner settings: every suite under tests/, real Redis started per suite by tests/helpers/redis. */
export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Real Cluster and Sentinel topologies: `npm run test:topologies` (vitest.topologies.config.ts).
    exclude: ["tests/topology/**", "**/node_modules/**"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores on CI: forks keep Redis-heavy suites from starving each other.
    pool: "forks",
    maxWorkers: 2,
  },
});
