import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { APIError } from "vk-io";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVkChannel, type VkChannel } from "../../adapters/vk/channel.js";
import type { InboundEvent } from "../../flows/model.js";
import { DeliveryError } from "../../src/channel.js";
import type { Engine } from "../../src/engine/engine.js";
import { createLogger } from "../../src/logger.js";
import { ConversationStore } from "../../src/store/conversation-store.js";
import { FakeVkApi } from "../fakes/vk-api.js";
import { RecordingGateway, recordingEngine } from "../helpers/fake-flow.js";
import { memoryLogger } from "../helpers/memory-logger.js";
import { startTestRedis, type TestRedis } from "../helpers/redis-server.js";

/** What a customer might write; it must reach VK but never a log line. */
const SECRET = "пароль hunter2";

let redis: TestRedis;
let fake: FakeVkApi;
let channel: VkChannel;
const logs = memoryLogger();

beforeAll(async () => {
  redis = await startTestRedis();
  fake = await FakeVkApi.start();
  channel = createVkChannel({
    token: fake.token,
    groupId: fake.groupId,
    apiBaseUrl: fake.apiBaseUrl,
    mode: "longpoll",
    sink: { accept: async () => "handled" },
    logger: logs.logger,
    retry: { baseMs: 5, maxMs: 20 },
  });
});
afterAll(async () => {
  await channel.stop();
  await fake.close();
  await redis.stop();
});

/** The recording flow on a real store and engine, replying through the VK sender. */
function vkEngine(): Engine {
  const store = new ConversationStore(redis.client(), { prefix: `t-${randomUUID()}` });
  return recordingEngine(store, new RecordingGateway(), channel.sender, logs.logger).engine;
}

function vkText(peer: number, updateId: string, text: string): InboundEvent {
  return {
    channel: "vk",
    conversationKey: `vk-${peer}`,
    chatId: String(peer),
    userId: String(peer),
    kind: "text",
    text,
    updateId,
    at: Date.now(),
  };
}

describe("VK transient errors keep the reply for a later retry (issue 11, defect 8)", () => {
  for (const code of [9, 10, 29]) {
    it(`keeps the outbox when code ${code} outlasts the sender's retries, and delivers it on redelivery`, async () => {
      const peer = 620 + code;
      const engine = vkEngine();
      fake.failNext("messages.send", code, { peerId: peer, times: 4 });
      const failed = await engine.accept(vkText(peer, "e-1", SECRET)).catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(Error);
      expect(failed).not.toBeInstanceOf(DeliveryError);
      expect(fake.takeMessages(peer)).toEqual([]);
      // Long Poll reads the same ts again (Callback: VK posts the event again): the reply goes out once.
      expect(await engine.accept(vkText(peer, "e-1", SECRET))).toBe("duplicate");
      expect(fake.takeMessages(peer).map((m) => m.text)).toEqual([`echo ${SECRET}`]);
    });
  }

  it("still gives up at once on a final verdict (901: the customer blocked the community)", async () => {
    fake.failNext("messages.send", 901, { peerId: 640 });
    const error = await channel.sender
      .send("640", { text: "x" }, { idempotencyKey: "k-640" })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "DeliveryError", reason: "blocked" });
  });

  it("never logs the request parameters VK echoes back (they hold the message text)", async () => {
    const engine = vkEngine();
    // A setup error (15: access denied) is thrown as it is, and the engine logs it with `err`.
    fake.failNext("messages.send", 15, { peerId: 641 });
    await expect(engine.accept(vkText(641, "e-1", SECRET))).rejects.toThrow();
    fake.failNext("messages.send", 10, { peerId: 642, times: 4 });
    await expect(engine.accept(vkText(642, "e-1", SECRET))).rejects.toThrow();
    expect(logs.text()).toContain('"code":15');
    expect(logs.text()).not.toContain("hunter2");
  });

  it("redacts an APIError's request parameters in the service logger", () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ destination });
    const err = new APIError({
      error_code: 10,
      error_msg: "Internal server error",
      request_params: [{ key: "message", value: SECRET }],
    });
    logger.warn({ err }, "vk call failed");
    logger.warn({ peer: "1", err: { params: err.params } }, "nested");
    expect(lines.join("")).toContain("Internal server error");
    expect(lines.join("")).not.toContain("hunter2");
  });
});
