/**
 * «Promise only what is true»: the queue status says whether a desk worker serves `handoffs`, so the
 * flow tells a customer «you are in the queue» only when someone will take it.
 */
import { Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HandoffRequest } from "../../flows/types.js";
import { HANDOFF_QUEUE, QueueGateway } from "../../src/handoff/queue-gateway.js";
import { queuePrefix } from "../../src/handoff/keys.js";
import { startTestRedis, type TestRedis } from "../helpers/redis-server.js";

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis.stop();
});

function request(id: string): HandoffRequest {
  return {
    handoffId: id,
    conversationKey: "tg-1",
    channel: "telegram",
    chatId: "1",
    guest: true,
    category: "operator",
    priority: "normal",
    locale: "ru",
    transcript: [],
    createdAt: Date.now(),
  };
}

describe("the queue status says whether anyone serves the queue", () => {
  it("is unserved with no desk worker, and the handoff is queued all the same", async () => {
    const gateway = new QueueGateway({ redis: redis.client(1), prefix: "sb" });
    const status = await gateway.request(request("tg-1-1-a"));
    expect(status.served).toBe(false);
    expect(status.guest).toBe(true); // so the text sends a guest to no panel
    expect(await gateway.queue.getJob("tg-1-1-a")).toBeDefined();
    await gateway.close();
  });

  it("is served once a worker listens on `handoffs`", async () => {
    // A worker that never finishes a job: only its presence matters here.
    const worker = new Worker(HANDOFF_QUEUE, () => new Promise<void>(() => {}), {
      connection: redis.client(2),
      prefix: queuePrefix("sb"),
      autorun: true,
    });
    await worker.waitUntilReady();
    const gateway = new QueueGateway({ redis: redis.client(2), prefix: "sb" });
    const status = await gateway.request(request("tg-1-2-b"));
    expect(status.served).toBe(true);
    await gateway.close();
    await worker.close(true);
  });
});
