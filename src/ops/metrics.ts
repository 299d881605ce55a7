// Any topology: a single Redis, a Sentinel-managed primary or a Cluster.
import type { RedisClient as Redis } from "../redis/connection.js";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { EngineObserver } from "../engine/engine.js";

/** Every metric the bot exposes on /metrics, in one registry (one per process). */
export interface Metrics {
  registry: Registry;
  updates: Counter<"channel" | "outcome">;
  categories: Counter<"category">;
  refusals: Counter<"channel">;
  handoffsRequested: Counter<"category" | "priority">;
  handoffsWaiting: Gauge;
  handoffsTaken: Counter;
  timeToClaim: Histogram;
  timeToFirstReply: Histogram;
  ratings: Counter<"category" | "score">;
  deliveryFailures: Counter<"channel" | "reason">;
  redisLatency: Histogram;
}

const WAIT_BUCKETS = [5, 15, 30, 60, 120, 300, 600, 1200, 3600, 4 * 3600];

/**
 * Creates the metrics. `redis` (optional) lets /metrics report queue depth and a Redis round-trip
 * latency sample at scrape time; `waitingKey` is the sorted set of unclaimed handoffs.
 */
export function createMetrics(
  options: { redis?: Redis; waitingKey?: string; defaultMetrics?: boolean } = {},
): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const redisLatency = new Histogram({
    name: "support_redis_latency_seconds",
    help: "Redis PING round trip, sampled at each scrape",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
    registers: [registry],
  });
  const { redis, waitingKey } = options;
  return {
    registry,
    updates: new Counter({
      name: "support_updates_total",
      help: "Inbound updates by channel and outcome (handled, duplicate, dropped, error)",
      labelNames: ["channel", "outcome"],
      registers: [registry],
    }),
    categories: new Counter({
      name: "support_questions_total",
      help: "Customer questions by the category they were classified into",
      labelNames: ["category"],
      registers: [registry],
    }),
    refusals: new Counter({
      name: "support_refusals_total",
      help: "Account-action requests refused (unauthorized channel)",
      labelNames: ["channel"],
      registers: [registry],
    }),
    handoffsRequested: new Counter({
      name: "support_handoffs_requested_total",
      help: "Handoffs put in the queue",
      labelNames: ["category", "priority"],
      registers: [registry],
    }),
    handoffsWaiting: new Gauge({
      name: "support_handoffs_waiting",
      help: "Handoffs no agent has taken yet",
      registers: [registry],
      async collect() {
        if (!redis || !waitingKey) return;
        try {
          const started = process.hrtime.bigint();
          const n = await redis.zcard(waitingKey);
          redisLatency.observe(Number(process.hrtime.bigint() - started) / 1e9);
          this.set(n);
        } catch {
          // Redis is down: /readyz says so; the gauge keeps its last value rather than failing the scrape.
        }
      },
    }),
    handoffsTaken: new Counter({
      name: "support_handoffs_taken_total",
      help: "Handoffs an agent took",
      registers: [registry],
    }),
    timeToClaim: new Histogram({
      name: "support_time_to_claim_seconds",
      help: "From handoff to an agent taking it",
      buckets: WAIT_BUCKETS,
      registers: [registry],
    }),
    timeToFirstReply: new Histogram({
      name: "support_time_to_first_agent_reply_seconds",
      help: "From handoff to the agent's first reply to the customer",
      buckets: WAIT_BUCKETS,
      registers: [registry],
    }),
    ratings: new Counter({
      name: "support_csat_ratings_total",
      help: "Customer ratings (1-5) after a handoff, by category",
      labelNames: ["category", "score"],
      registers: [registry],
    }),
    deliveryFailures: new Counter({
      name: "support_delivery_failures_total",
      help: "Replies that could not be delivered (blocked bot, chat gone)",
      labelNames: ["channel", "reason"],
      registers: [registry],
    }),
    redisLatency,
  };
}

/** An engine observer that feeds the metrics. */
export function metricsObserver(metrics: Metrics): EngineObserver {
  return {
    handled(event, outcome, after, before) {
      metrics.updates.inc({ channel: event.channel, outcome });
      // A question was classified when the step leaves «question»/«clarify» with a category set.
      if (
        after?.category &&
        before &&
        (before.step === "question" || before.step === "clarify") &&
        after.step !== before.step
      ) {
        metrics.categories.inc({ category: after.category });
        if (after.category === "account_action") metrics.refusals.inc({ channel: event.channel });
      }
    },
    effect(effect) {
      if (effect.type === "handoff") {
        metrics.handoffsRequested.inc({
          category: effect.request.category,
          priority: effect.request.priority,
        });
      }
      if (effect.type === "rating")
        metrics.ratings.inc({ category: effect.category, score: String(effect.score) });
    },
    deliveryFailed(channel, reason) {
      metrics.deliveryFailures.inc({ channel, reason });
    },
  };
}
