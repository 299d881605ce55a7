import type { Queue } from "bullmq";
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
import {
  connectProducer as connectTarget,
  type RedisClient,
  type RedisTarget,
  singleTarget,
  workerConnection as workerFor,
} from "../redis/connection.js";
import { ConversationStore } from "../store/conversation-store.js";

/** Options of the core. */
export interface CoreOptions {
  /** Where Redis is: a URL of a single Redis, or any topology (`RedisTarget`). */
  redisUrl: string | RedisTarget;
  /** An existing producer connection to use instead of opening one (it is not closed by `close`). */
  redis?: RedisClient;
  logger?: Logger;
  /** A conversation idle this long starts over. @defaultValue 30 minutes */
  idleMs?: number;
  defaultLocale?: Locale;
  /** Per-conversation flood limit. @defaultValue 20 updates per 10 s */
  floodLimit?: { count: number; windowMs: number };
  /** @defaultValue 30000 */
  lockLeaseMs?: number;
  /** See `EngineOptions.stateCacheSize`. @defaultValue 1000 */
  stateCacheSize?: number;
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
  redis: RedisClient;
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
  const gateway = new QueueGateway({
    redis,
    prefix,
    hours: options.hours,
    records,
    now: options.now,
    logger,
  });
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
    ...(options.stateCacheSize !== undefined ? { stateCacheSize: options.stateCacheSize } : {}),
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

const targetOf = (where: string | RedisTarget): RedisTarget =>
  typeof where === "string" ? singleTarget(where) : where;

/**
 * Opens a producer connection to a URL or any topology: offline queue off and one retry per
 * request, so a command while Redis is down fails at once (the platform redelivers the update)
 * instead of piling up in memory.
 */
export function connectProducer(where: string | RedisTarget, logger: Logger): Promise<RedisClient> {
  return connectTarget(targetOf(where), logger);
}

/** Opens a connection for a BullMQ worker: it must wait out outages, not fail (BullMQ's rule). */
export function workerConnection(where: string | RedisTarget, logger: Logger): RedisClient {
  return workerFor(targetOf(where), logger);
}
