import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";

describe("configuration", () => {
  it("runs the playground when no channel is configured, with defaults", () => {
    const c = loadConfig({});
    expect(c.channels).toEqual({ telegram: false, vk: false, desk: false });
    expect(c.redisUrl).toBe("redis://127.0.0.1:6379");
    expect(c.redisUrlDefaulted).toBe(true);
    expect(c.PORT).toBe(8080);
    expect(c.BOT_MODE).toBe("polling");
  });

  it("starts each channel when its variables are set", () => {
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: "123:ABCDEFGHIJKLMNOP" }).channels).toEqual({
      telegram: true,
      vk: false,
      desk: false,
    });
    expect(loadConfig({ VK_GROUP_TOKEN: "vk1.a.abcdefghijk", VK_GROUP_ID: "42" }).channels).toEqual({
      telegram: false,
      vk: true,
      desk: false,
    });
    expect(
      loadConfig({
        TELEGRAM_BOT_TOKEN: "123:ABCDEFGHIJKLMNOP",
        AGENT_CHAT_ID: "-100123",
        VK_GROUP_TOKEN: "vk1.a.abcdefghijk",
        VK_GROUP_ID: "42",
      }).channels,
    ).toEqual({ telegram: true, vk: true, desk: true });
  });

  it("names a bad variable and shows a valid example", () => {
    try {
      loadConfig({ TELEGRAM_BOT_TOKEN: "not-a-token", PORT: "seventy" });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      expect(message).toContain("TELEGRAM_BOT_TOKEN");
      expect(message).toContain("example: TELEGRAM_BOT_TOKEN=123456789:");
      expect(message).toContain("PORT");
      expect(message).toContain("example: PORT=8080");
    }
  });

  it("requires the webhook URL and secret in webhook mode", () => {
    expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: "123:ABCDEFGHIJKLMNOP", BOT_MODE: "webhook" })).toThrow(
      /WEBHOOK_URL.*\n.*WEBHOOK_SECRET/s,
    );
  });

  it("requires VK_GROUP_ID with a VK token, and rejects a non-negative AGENT_CHAT_ID", () => {
    expect(() => loadConfig({ VK_GROUP_TOKEN: "vk1.a.abcdefghijk" })).toThrow(/VK_GROUP_ID/);
    expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: "123:ABCDEFGHIJKLMNOP", AGENT_CHAT_ID: "12345" })).toThrow(
      /AGENT_CHAT_ID.*negative/,
    );
  });

  it("rejects a REDIS_URL that is not a redis:// URL", () => {
    expect(() => loadConfig({ REDIS_URL: "http://localhost:6379" })).toThrow(
      /REDIS_URL.*example: REDIS_URL=redis:\/\//s,
    );
  });

  it("keeps /metrics on the public port unless METRICS_PORT is set, and then binds it to loopback", () => {
    const plain = loadConfig({});
    expect(plain.METRICS_PORT).toBeUndefined();
    expect(plain.HOST).toBe("0.0.0.0");
    expect(plain.CHANNEL_FAULT_EXIT_MS).toBe(30_000);
    const split = loadConfig({ METRICS_PORT: "9464" });
    expect(split.METRICS_PORT).toBe(9464);
    expect(split.METRICS_HOST).toBe("127.0.0.1");
    expect(loadConfig({ METRICS_PORT: "" }).METRICS_PORT).toBeUndefined();
    expect(() => loadConfig({ METRICS_PORT: "8080", PORT: "8080" })).toThrow(
      /METRICS_PORT.*differ from PORT/,
    );
    expect(() => loadConfig({ METRICS_PORT: "99999" })).toThrow(/METRICS_PORT.*example: METRICS_PORT=9464/s);
  });
});
