import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InboundEvent } from "../../flows/model.js";
import { createCore } from "../../src/app/core.js";
import { loadConfig } from "../../src/config.js";
import { RecordingSender } from "../helpers/fake-flow.js";
import { startSingle, type TestSingle } from "./servers.js";

/**
 * A single Redis that serves TLS only and wants a password, reached the way the configuration says:
 * `REDIS_URL=rediss://:<password>@host:port` with `REDIS_TLS_CA_FILE` for the private CA.
 */

const PASSWORD = "single-secret";
let single: TestSingle;
beforeAll(async () => {
  single = await startSingle({ password: PASSWORD, tls: true });
});
afterAll(async () => {
  await single?.stop();
});

const event = (text: string, n: number): InboundEvent => ({
  channel: "console",
  conversationKey: "cli-tls",
  chatId: "tls",
  userId: "tls",
  kind: "text",
  text,
  updateId: `u${n}`,
  at: Date.now(),
});

describe("one Redis over TLS with a password (rediss://)", () => {
  it("runs a conversation, and is refused without the CA", async () => {
    const url = `rediss://:${PASSWORD}@127.0.0.1:${single.server.port}`;
    const config = loadConfig({ REDIS_URL: url, REDIS_TLS_CA_FILE: single.certs?.caFile ?? "" });
    expect(config.redis).toMatchObject({ kind: "single", tls: { caFile: single.certs?.caFile } });
    const core = await createCore({ redisUrl: config.redis });
    const sender = new RecordingSender("console");
    core.registerSender(sender);
    try {
      expect(await core.sink.accept(event("Здравствуйте", 1))).toBe("handled");
      expect(await core.sink.accept(event("ivanov", 2))).toBe("handled");
      expect(sender.sent.map((s) => s.reply.text).join("\n")).toMatch(/Опишите ситуацию/);
    } finally {
      await core.close();
    }
    // The server's certificate is checked: without the private CA the connection is refused.
    await expect(createCore({ redisUrl: loadConfig({ REDIS_URL: url }).redis })).rejects.toThrow(
      new RegExp(`Could not connect to redis rediss://127.0.0.1:${single.server.port}`),
    );
  });
});
