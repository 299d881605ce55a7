import { Cluster, Redis } from "ioredis";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import { createRedisClient, describeTarget, parseHostList } from "../../src/redis/connection.js";

const silent = pino({ level: "silent" });

/** The problems a bad environment is refused with, as one string. */
function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("the configuration was accepted");
}

describe("Redis configuration: one of three topologies", () => {
  it("defaults to a single local Redis", () => {
    expect(loadConfig({}).redis).toEqual({ kind: "single", url: "redis://127.0.0.1:6379" });
  });

  it("reads a Cluster's nodes and a Sentinel set with its primary's name", () => {
    const cluster = loadConfig({ REDIS_CLUSTER_NODES: "10.0.0.1:7000, 10.0.0.2:7001,[::1]:7002" });
    expect(cluster.redis).toEqual({
      kind: "cluster",
      nodes: [
        { host: "10.0.0.1", port: 7000 },
        { host: "10.0.0.2", port: 7001 },
        { host: "::1", port: 7002 },
      ],
    });
    expect(cluster.redisUrlDefaulted).toBe(false);
    const sentinel = loadConfig({ REDIS_SENTINELS: "s1:26379,s2:26379", REDIS_SENTINEL_NAME: "main" });
    expect(sentinel.redis).toEqual({
      kind: "sentinel",
      name: "main",
      sentinels: [
        { host: "s1", port: 26379 },
        { host: "s2", port: 26379 },
      ],
    });
    expect(describeTarget(sentinel.redis)).toBe("sentinel main@s1:26379,s2:26379");
  });

  it("refuses two topologies at once, naming both", () => {
    const message = refusal({ REDIS_URL: "redis://a:6379", REDIS_CLUSTER_NODES: "b:7000" });
    expect(message).toMatch(/REDIS_URL .*REDIS_CLUSTER_NODES/);
    expect(message).toContain("set exactly one of REDIS_URL, REDIS_CLUSTER_NODES, REDIS_SENTINELS");
    expect(
      refusal({ REDIS_CLUSTER_NODES: "b:7000", REDIS_SENTINELS: "c:26379", REDIS_SENTINEL_NAME: "m" }),
    ).toMatch(/REDIS_CLUSTER_NODES .*REDIS_SENTINELS/);
  });

  it("refuses a bad host list, a Sentinel set without a name, and a password given twice", () => {
    expect(refusal({ REDIS_CLUSTER_NODES: "a:7000,b" })).toMatch(/REDIS_CLUSTER_NODES.*"b" is not host:port/);
    expect(refusal({ REDIS_SENTINELS: "a:99999", REDIS_SENTINEL_NAME: "m" })).toMatch(/REDIS_SENTINELS/);
    expect(refusal({ REDIS_SENTINELS: "a:26379" })).toMatch(/REDIS_SENTINEL_NAME is missing or empty/);
    expect(refusal({ REDIS_URL: "redis://:pw@a:6379", REDIS_PASSWORD: "pw" })).toMatch(
      /REDIS_PASSWORD .*in one place/,
    );
    expect(refusal({ REDIS_TLS_CA_FILE: "/ca.pem" })).toMatch(/REDIS_TLS_CA_FILE .*TLS is off/);
  });

  it("carries a password and TLS in every topology", () => {
    const secret = { REDIS_PASSWORD: "s3cret", REDIS_TLS: "true", REDIS_TLS_CA_FILE: "/etc/ca.pem" };
    const auth = { password: "s3cret", tls: { caFile: "/etc/ca.pem" } };
    expect(loadConfig({ REDIS_URL: "redis://a:6379", ...secret }).redis).toEqual({
      kind: "single",
      url: "redis://a:6379",
      ...auth,
    });
    expect(loadConfig({ REDIS_CLUSTER_NODES: "a:7000", ...secret }).redis).toMatchObject(auth);
    expect(
      loadConfig({
        REDIS_SENTINELS: "a:26379",
        REDIS_SENTINEL_NAME: "m",
        REDIS_SENTINEL_PASSWORD: "x",
        ...secret,
      }).redis,
    ).toMatchObject({ ...auth, sentinelPassword: "x" });
    // rediss:// alone turns TLS on.
    expect(loadConfig({ REDIS_URL: "rediss://a:6380" }).redis).toMatchObject({ tls: {} });
    // The password never reaches a log line.
    expect(describeTarget({ kind: "single", url: "redis://:pw@a:6379/2" })).toBe("redis redis://a:6379/2");
  });

  it("parses host lists and names the bad entry", () => {
    expect(parseHostList("a:1,b:2")).toEqual([
      { host: "a", port: 1 },
      { host: "b", port: 2 },
    ]);
    expect(() => parseHostList("a:0")).toThrow(/"a:0" is not host:port/);
  });
});

describe("the connection factory's two flavours", () => {
  it("a producer fails fast and a worker waits, on a single Redis and through Sentinels", () => {
    for (const target of [
      { kind: "single" as const, url: "redis://127.0.0.1:1" },
      { kind: "sentinel" as const, sentinels: [{ host: "127.0.0.1", port: 1 }], name: "m" },
    ]) {
      const producer = createRedisClient(target, "producer", silent) as Redis;
      expect(producer).toBeInstanceOf(Redis);
      expect(producer.options.enableOfflineQueue).toBe(false);
      expect(producer.options.maxRetriesPerRequest).toBe(1);
      producer.disconnect();
    }
    const sentinel = createRedisClient(
      { kind: "sentinel", sentinels: [{ host: "h", port: 1 }], name: "m", password: "p", tls: {} },
      "producer",
      silent,
    ) as Redis;
    expect(sentinel.options).toMatchObject({
      name: "m",
      password: "p",
      tls: {},
      sentinelTLS: {},
      enableTLSForSentinelMode: true,
      failoverDetector: true,
    });
    sentinel.disconnect();
  });

  it("a Cluster client gets the password and TLS on every node, and the flavour's offline-queue rule", () => {
    const nodes = [{ host: "127.0.0.1", port: 1 }];
    const producer = createRedisClient(
      { kind: "cluster", nodes, password: "p", tls: {} },
      "producer",
      silent,
    );
    expect(producer).toBeInstanceOf(Cluster);
    const options = (producer as Cluster).options;
    expect(options.enableOfflineQueue).toBe(false);
    expect(options.redisOptions).toMatchObject({ password: "p", tls: {}, maxRetriesPerRequest: 1 });
    producer.disconnect();
    const worker = createRedisClient({ kind: "cluster", nodes }, "worker", silent) as Cluster;
    expect(worker.options.enableOfflineQueue).toBe(true);
    expect(worker.options.redisOptions?.maxRetriesPerRequest).toBeNull();
    worker.disconnect();
  });
});
