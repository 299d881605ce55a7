import type { Queue } from "bullmq";
import { Redis } from "ioredis";
import { type Logger, pino } from "pino";
import { createDefaultClassifier, createSupportFlowModule, type OperatorProfile } from "../../flows/index.js";
import type { FlowModule } from "../../flows/types.js";
import type { HandoffRequest } from "../../flows/types.js";
import type { ChannelSender } from "../channel.js";
import { ChannelRegistry } from "../channel-registry.js";
import { Engine, type EngineObserver } from "../engine/engine.js";
import type { InboundSink } from "../engine/inbound-sink.js";
import { HandoffRecords } from "../handoff/handoff-record.js";
import { QueueGateway } from "../handoff/queue-gateway.js";
import type { WorkingHours } from "../handoff/working-hours.js";
import type { Locale } from "../../flows/model.js";
import { ConversationStore } from "../store/conversation-store.js";

/** Options of the core. */
export interface CoreOptions {
  redisUrl: string;
  /** An existing producer connection to use instead of opening one (it is not closed by `close`). */
  redis?: Redis;
  logger?: Logger;
  /** A conversation idle this long starts over. @defaultValue 30 minutes */
  idleMs?: number;
  defaultLocale?: Locale;
  /** Per-conversation flood limit. @defaultValue 20 updates per 10 s */
  floodLimit?: { count: number; windowMs: number };
  /** @defaultValue 30000 */
  lockLeaseMs?: number;
  /** Key prefix in Redis. @defaultValue "sb" */
  prefix?: string;
  hours?: WorkingHours;
  /** The operator's contacts and text overrides for every customer-facing text. @defaultValue none */
  profile?: OperatorProfile;
  /** How long a closed handoff's record is kept. @defaultValue 30 days */
  handoffRetentionMs?: number;
  observer?: EngineObserver;
  now?: () => number;
}

/** The engine with its Redis connections, store and handoff queue: what every channel plugs into. */
export interface Core {
  /** Where adapters hand inbound events. */
  sink: InboundSink;
  engine: Engine;
  /** Registers a channel's outbound side. */
  registerSender(sender: ChannelSender): void;
  /** The channel registry, shared by the engine and the desk. */
  senders: ChannelRegistry;
  /** The handoff records, shared by the gateway and the desk. */
  records: HandoffRecords;
  /** A general-purpose client (state, desk data). Commands fail fast while Redis is down. */
  redis: Redis;
  /** The BullMQ queue `handoffs`. */
  handoffQueue: Queue<HandoffRequest>;
  /** The support flow the engine runs, speaking with the operator's profile. */
  flow: FlowModule;
  gateway: QueueGateway;
  store: ConversationStore;
  prefix: string;
  /** Waits for in-flight updates, then closes the queue and the connections. */
  close(): Promise<void>;
}

/**
 * Builds the core: one Redis connection for the store and the queue producer (offline queue off,
 * so a request while Redis is down fails at once and the platform redelivers it), the conversation
 * store, the handoff gateway and the engine running the support flow.
 */
export async function createCore(options: CoreOptions): Promise<Core> {
  const logger = options.logger ?? pino({ level: "silent" });
  const owned = !options.redis;
  const redis = options.redis ?? (await connectProducer(options.redisUrl, logger));
  const prefix = options.prefix ?? "sb";
  const store = new ConversationStore(redis, {
    prefix,
    leaseMs: options.lockLeaseMs,
    flood: options.floodLimit ?? { count: 20, windowMs: 10_000 },
  });
  const flow = createSupportFlowModule(options.profile);
  const records = new HandoffRecords(redis, {
    prefix,
    retentionMs: options.handoffRetentionMs,
    now: options.now,
  });
  const gateway = new QueueGateway({ redis, prefix, hours: options.hours, records, now: options.now });
  const senders = new ChannelRegistry();
  const engine = new Engine({
    store,
    flow,
    context: {
      idleMs: options.idleMs ?? 30 * 60_000,
      defaultLocale: options.defaultLocale ?? "ru",
      classifier: createDefaultClassifier(),
    },
    handoffs: gateway,
    logger,
    now: options.now,
    observer: options.observer,
    senders,
  });
  return {
    sink: engine,
    engine,
    registerSender: (sender) => senders.register(sender),
    senders,
    records,
    redis,
    handoffQueue: gateway.queue,
    flow,
    gateway,
    store,
    prefix,
    async close() {
      await engine.idle();
      await gateway.close();
      if (owned) redis.disconnect();
    },
  };
}

/**
 * Opens a producer connection: offline queue off and one retry per request, so a command while
 * Redis is down fails at once (the platform redelivers the update) instead of piling up in memory.
 */
export async function connectProducer(url: string, logger: Logger): Promise<Redis> {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    // Reconnect forever with a capped backoff: Redis coming back must not need a restart.
    retryStrategy: (times) => Math.min(times * 100, 2000),
  });
  redis.on("error", (err) => logger.warn({ err: { message: err.message } }, "redis connection error"));
  await redis.connect();
  return redis;
}

/** Opens a connection for a BullMQ worker: it must wait out outages, not fail (BullMQ's rule). */
export function workerConnection(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(times * 100, 2000),
  });
  redis.on("error", (err) => logger.warn({ err: { message: err.message } }, "redis worker connection error"));
  return redis;
}
