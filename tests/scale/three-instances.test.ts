import { afterAll, beforeAll, describe, it } from "vitest";
import { singleTarget } from "../../src/redis/connection.js";
import { startTestRedis, type TestRedis } from "../helpers/redis-server.js";
import { runThreeInstances } from "./three-instances.js";

let redis: TestRedis;

beforeAll(async () => {
  redis = await startTestRedis({ appendonly: false });
});

afterAll(async () => {
  await redis.stop();
});

describe("three engine instances on one Redis", () => {
  it("should handle every update once, keep each conversation's order and lose no state", async () => {
    await runThreeInstances({ target: singleTarget(redis.url), client: () => redis.client() });
  });
});
