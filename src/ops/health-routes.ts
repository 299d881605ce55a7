// Any topology: a single Redis, a Sentinel-managed primary or a Cluster.
import type { RedisClient as Redis } from "../redis/connection.js";
import type { Route } from "../http/server.js";
import type { Metrics } from "./metrics.js";

/** What readiness depends on. */
export interface ReadinessProbe {
  redis: Redis;
  /** A key of the handoff queue (BullMQ's meta key) that must be readable: in a Cluster it may live on another node. */
  queueKey: string;
  /** Names of channels that started; readiness waits for every expected one. */
  started: Set<string>;
  expected: string[];
  /** Set during shutdown: the instance stops being ready at once so a balancer drains it. */
  draining: () => boolean;
  /** Channels that cannot hear customers now (revoked token, 409 conflict), each with its fix. */
  faults?: () => string[];
}

/** Runs `p`, failing after `ms`. */
async function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `/healthz` (the process lives) and `/readyz` (Redis answers, the queue's keys are reachable, every
 * configured channel started and hears customers, not draining).
 */
export function healthRoutes(probe: ReadinessProbe): Route[] {
  return [
    { method: "GET", path: "/healthz", handler: async () => ({ status: 200, body: "ok\n" }) },
    {
      method: "GET",
      path: "/readyz",
      async handler() {
        const problems: string[] = [];
        if (probe.draining()) problems.push("shutting down");
        try {
          const pong = await within(probe.redis.ping(), 1000);
          if (pong !== "PONG") problems.push(`redis answered ${pong}`);
          // The queue lives in the same Redis; check its meta key is readable (BullMQ's own key).
          await within(probe.redis.exists(probe.queueKey), 1000);
        } catch (err) {
          problems.push(`redis: ${(err as Error).message}`);
        }
        for (const name of probe.expected) if (!probe.started.has(name)) problems.push(`${name} not started`);
        problems.push(...(probe.faults?.() ?? []));
        return problems.length === 0
          ? { status: 200, body: "ready\n" }
          : { status: 503, body: `not ready: ${problems.join("; ")}\n` };
      },
    },
  ];
}

/** `/metrics` in Prometheus text format: on the public server, or alone on METRICS_PORT. */
export function metricsRoute(metrics: Metrics): Route {
  return {
    method: "GET",
    path: "/metrics",
    async handler() {
      return {
        status: 200,
        body: await metrics.registry.metrics(),
        contentType: metrics.registry.contentType,
      };
    },
  };
}
