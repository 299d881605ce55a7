import { readFileSync } from "node:fs";
import type { ConnectionOptions } from "node:tls";
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from "ioredis";
import type { Logger } from "pino";

/** A connection to any of the three topologies: a single Redis or a Sentinel-managed primary (`Redis`), or a `Cluster`. */
export type RedisClient = Redis | Cluster;

/** One `host:port` of a Cluster node or a Sentinel. */
export interface HostPort {
  host: string;
  port: number;
}

/** What every topology may carry: a password (with an ACL user) and TLS. */
export interface RedisAuth {
  username?: string;
  password?: string;
  /** TLS on: `true` with the system's CAs, or a PEM CA file for a private CA. */
  tls?: { caFile?: string };
}

/** Where Redis is: exactly one of the three topologies (config.ts builds it from the environment). */
export type RedisTarget =
  | ({ kind: "single"; url: string } & RedisAuth)
  | ({ kind: "cluster"; nodes: HostPort[] } & RedisAuth)
  | ({ kind: "sentinel"; sentinels: HostPort[]; name: string; sentinelPassword?: string } & RedisAuth);

/**
 * How a connection behaves while Redis is unreachable:
 * - `producer` fails fast (`enableOfflineQueue: false`, one retry per request): a request while Redis
 *   is down fails at once, the platform redelivers the update, and nothing piles up in memory;
 * - `worker` waits it out (`maxRetriesPerRequest: null`), which BullMQ requires of its workers.
 */
export type ConnectionFlavour = "producer" | "worker";

/** Parses `host:port,host:port` (spaces allowed); throws with the bad entry named. */
export function parseHostList(list: string): HostPort[] {
  return list
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((entry) => {
      const m = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(entry);
      const port = Number(m?.[2]);
      if (!m?.[1] || !(port > 0 && port < 65536))
        throw new Error(`"${entry}" is not host:port (for example 10.0.0.5:6379)`);
      return { host: m[1].replace(/^\[|\]$/g, ""), port };
    });
}

/** A single Redis at a URL (`redis://` or `rediss://`), for the common case and for tests. */
export function singleTarget(url: string): RedisTarget {
  return { kind: "single", url };
}

/** The target as a log-safe string: topology and addresses, never a password. */
export function describeTarget(target: RedisTarget): string {
  const list = (hs: HostPort[]) => hs.map((h) => `${h.host}:${h.port}`).join(",");
  switch (target.kind) {
    case "single": {
      const u = new URL(target.url);
      return `redis ${u.protocol}//${u.host}${u.pathname === "/" ? "" : u.pathname}`;
    }
    case "cluster":
      return `cluster ${list(target.nodes)}`;
    case "sentinel":
      return `sentinel ${target.name}@${list(target.sentinels)}`;
  }
}

/** Capped backoff, forever: Redis coming back (or a failover finishing) must not need a restart. */
const backoff = (times: number) => Math.min(times * 100, 2000);

function tlsOptions(target: RedisTarget): ConnectionOptions | undefined {
  if (!target.tls) return undefined;
  return target.tls.caFile ? { ca: readFileSync(target.tls.caFile) } : {};
}

/** Per-connection options of one flavour (for a Cluster, these apply to each node's connection). */
function flavourOptions(flavour: ConnectionFlavour): RedisOptions {
  return flavour === "producer"
    ? {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        retryStrategy: backoff,
        // No auto-pipelining: it holds every command until the turn's setImmediate, so Redis got the
        // turn's commands in one burst while this process waited idle, then the other way round. Written
        // at once, Redis works on them while this process handles other replies: at 1,000 conversations
        // in flight, ~35 % more updates/s for the same CPU per update (tests/bench/profile-ours.ts).
      }
    : { maxRetriesPerRequest: null, retryStrategy: backoff };
}

/**
 * Makes a client for the target in one flavour (a producer not yet connected): a `Redis` for a
 * URL, a `Cluster` for cluster nodes, or a `Redis` that asks the Sentinels for the current primary
 * (and asks again after every disconnect, so a failover is followed without a restart).
 */
export function createRedisClient(
  target: RedisTarget,
  flavour: ConnectionFlavour,
  logger: Logger,
): RedisClient {
  const auth: RedisOptions = {
    ...(target.username ? { username: target.username } : {}),
    ...(target.password ? { password: target.password } : {}),
  };
  const tls = tlsOptions(target);
  // A producer is connected (and awaited) by `connectProducer`; a worker connects at once and keeps trying.
  const lazyConnect = flavour === "producer";
  const options: RedisOptions = { ...flavourOptions(flavour), ...auth, ...(tls ? { tls } : {}), lazyConnect };
  let client: RedisClient;
  switch (target.kind) {
    case "single":
      client = new Redis(target.url, options);
      break;
    case "cluster": {
      const clusterOptions: ClusterOptions = {
        // The node connections get the credentials, TLS and retry limit; the cluster-level offline
        // queue decides whether a command waits for the cluster to be reachable.
        redisOptions: {
          ...auth,
          ...(tls ? { tls } : {}),
          maxRetriesPerRequest: options.maxRetriesPerRequest,
        },
        enableOfflineQueue: flavour === "worker",
        clusterRetryStrategy: backoff,
        lazyConnect,
        // With TLS the certificate names the host; resolving node names to IPs would break that.
        ...(tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
      };
      client = new Cluster(target.nodes, clusterOptions);
      break;
    }
    case "sentinel":
      client = new Redis({
        ...options,
        sentinels: target.sentinels,
        name: target.name,
        ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
        ...(tls ? { sentinelTLS: tls, enableTLSForSentinelMode: true } : {}),
        sentinelRetryStrategy: backoff,
        // Subscribe to the Sentinels' +switch-master, so a failover is noticed at once rather than at
        // the next error on the old primary's connection.
        failoverDetector: true,
      });
      break;
  }
  const what = flavour === "producer" ? "redis connection error" : "redis worker connection error";
  client.on("error", (err: Error) => logger.warn({ err: { message: err.message } }, what));
  return client;
}

/** Redis could not be reached at start-up; the message names the target (never its password). */
export class RedisConnectError extends Error {
  override readonly name = "RedisConnectError";
  constructor(target: RedisTarget, cause: unknown) {
    super(
      `Could not connect to ${describeTarget(target)} (${(cause as Error)?.message ?? String(cause)}). ` +
        "Check that it runs and is reachable, the password (REDIS_PASSWORD or in the URL), and for TLS the " +
        "CA (REDIS_TLS_CA_FILE); the log line before this one has the connection's own error.",
      { cause },
    );
  }
}

/**
 * Opens a producer connection (fails fast; see `ConnectionFlavour`) and waits until it is ready.
 * Rejects with `RedisConnectError`, and stops retrying, when the first connection fails.
 */
export async function connectProducer(target: RedisTarget, logger: Logger): Promise<RedisClient> {
  const client = createRedisClient(target, "producer", logger);
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    throw new RedisConnectError(target, err);
  }
  return client;
}

/** Opens a connection for a BullMQ worker: it must wait out outages, not fail (BullMQ's rule). */
export function workerConnection(target: RedisTarget, logger: Logger): RedisClient {
  return createRedisClient(target, "worker", logger);
}
