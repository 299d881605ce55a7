import { Queue } from "bullmq";
import { type Logger, pino } from "pino";
import { logQueueErrors } from "../ops/queue-errors.js";
// Any topology: a single Redis, a Sentinel-managed primary or a Cluster.
import type { RedisClient as Redis } from "../redis/connection.js";
import type { HandoffRequest, QueueStatus } from "../../flows/types.js";
import type { HandoffGateway, RatingEffect, RelayEffect } from "./gateway.js";
import { HandoffRecords, type Standing } from "./handoff-record.js";
import { queuePrefix } from "./keys.js";
import type { WorkingHours } from "./working-hours.js";

/** The BullMQ queue of handoffs: a contract (DESIGN.md). */
export const HANDOFF_QUEUE = "handoffs";

/** BullMQ priorities: lower runs first. Urgent handoffs jump the queue. */
export const PRIORITY = { high: 1, normal: 10 } as const;

/** The queue of customer-side events for the desk (messages, cancels, ratings). */
export const DESK_INBOX_QUEUE = "desk-inbox";

/** One customer-side event for the desk. */
export type DeskInboxJob =
  | { type: "customer_message"; handoffId: string; relay: RelayEffect }
  | { type: "cancelled"; handoffId: string }
  | { type: "rating"; handoffId: string; score: number; category: string };

const INBOX_JOB = {
  attempts: 20,
  backoff: { type: "exponential", delay: 1000 },
  removeOnComplete: { count: 10_000 },
  removeOnFail: false,
} as const;

/** How long «a worker serves the queue» is trusted before it is looked up again. */
const SERVED_CACHE_MS = 5_000;

/** Options of the queue gateway. */
export interface QueueGatewayOptions {
  /** A producer connection: `enableOfflineQueue: false`, so a request fails fast while Redis is down. */
  redis: Redis;
  /** Key prefix shared with the store. @defaultValue "sb" */
  prefix?: string;
  /** Working hours; outside them the status says when agents are back. */
  hours?: WorkingHours;
  /** The handoff records; made from `redis` and `prefix` when not given. */
  records?: HandoffRecords;
  now?: () => number;
  /** Where the queues' connection errors are logged. @defaultValue silent */
  logger?: Logger;
}

/**
 * Handoffs through BullMQ: one job per handoff in queue `handoffs` (job id = handoff id, so a
 * repeated request cannot create two), plus a sorted set of unclaimed handoffs ordered by priority
 * and time, from which the customer's position is read.
 */
export class QueueGateway implements HandoffGateway {
  /** The BullMQ queue `handoffs`. */
  readonly queue: Queue<HandoffRequest>;
  /** Customer-side events for the desk, in order (queue `desk-inbox`). */
  readonly inbox: Queue<DeskInboxJob>;
  /** The handoff records (shared with the desk). */
  readonly records: HandoffRecords;
  private readonly now: () => number;
  private servedCache: { at: number; served: boolean } | undefined;

  constructor(private readonly options: QueueGatewayOptions) {
    const queueOptions = { connection: options.redis, prefix: queuePrefix(options.prefix ?? "sb") };
    this.queue = new Queue<HandoffRequest>(HANDOFF_QUEUE, queueOptions);
    this.inbox = new Queue<DeskInboxJob>(DESK_INBOX_QUEUE, queueOptions);
    const logger = options.logger ?? pino({ level: "silent" });
    logQueueErrors(this.queue, logger);
    logQueueErrors(this.inbox, logger);
    this.now = options.now ?? Date.now;
    this.records =
      options.records ?? new HandoffRecords(options.redis, { prefix: options.prefix, now: this.now });
  }

  async request(request: HandoffRequest): Promise<QueueStatus> {
    // The record and the waiting set first: if the process dies before the job is added, the replayed
    // outbox adds it (both writes are idempotent on the handoff id).
    const standing = await this.records.register(request);
    const [, served] = await Promise.all([
      this.queue.add("handoff", request, handoffJobOptions(request)),
      this.isServed(),
    ]);
    return { ...this.statusFrom(standing), served, ...(request.guest ? { guest: true } : {}) };
  }

  /**
   * Whether a desk worker serves `handoffs` now (BullMQ lists a queue's workers by their connection
   * names). Remembered for a few seconds: a burst of handoffs asks Redis once. A failed look-up
   * counts as served, so a Redis hiccup never turns into «nobody is there».
   */
  private async isServed(): Promise<boolean> {
    const now = this.now();
    if (this.servedCache && now - this.servedCache.at < SERVED_CACHE_MS) return this.servedCache.served;
    let served = true;
    try {
      served = (await this.queue.getWorkersCount()) > 0;
    } catch (err) {
      // Unknown is treated as served (see above); the handoff itself is queued either way.
      void err;
    }
    this.servedCache = { at: now, served };
    return served;
  }

  /** Where a handoff stands now: its position among unclaimed handoffs and the expected wait. */
  async status(handoffId: string): Promise<QueueStatus> {
    return this.statusFrom(await this.records.standing(handoffId));
  }

  private statusFrom({ rank, waits }: Standing): QueueStatus {
    if (rank === null) return { position: 0, taken: true };
    const position = rank + 1;
    const samples = waits.filter((n) => Number.isFinite(n) && n >= 0);
    const avgMs = samples.length > 0 ? samples.reduce((a, b) => a + b, 0) / samples.length : undefined;
    const status: QueueStatus = { position };
    if (avgMs !== undefined) status.waitMinutes = Math.max(1, Math.round((avgMs * position) / 60_000));
    const hours = this.options.hours;
    if (hours && !hours.isOpen(this.now()))
      status.afterHours = { backAt: hours.nextOpening(this.now()), timeZone: hours.timeZone };
    return status;
  }

  async cancel(handoffId: string): Promise<void> {
    await this.records.cancel(handoffId);
    // Closed by an agent before the customer left: nothing to tell the desk. Cancelled (now, or by a
    // call whose process died before the job was added): the job, once, by its id.
    if ((await this.records.read(handoffId))?.cancelledAt === undefined) return;
    await this.inbox.add(
      "cancelled",
      { type: "cancelled", handoffId },
      { jobId: `cancel-${handoffId}`, ...INBOX_JOB },
    );
  }

  async relay(effect: RelayEffect, updateId: string): Promise<void> {
    // The job id makes a replayed outbox harmless: BullMQ ignores a second add with the same id.
    const jobId = `msg-${effect.handoffId}-${updateId}`.replace(/:/g, "_");
    await this.inbox.add(
      "customer_message",
      { type: "customer_message", handoffId: effect.handoffId, relay: effect },
      { jobId, ...INBOX_JOB },
    );
  }

  async rate(effect: RatingEffect): Promise<void> {
    await this.records.rate(effect.handoffId, effect.score);
    await this.inbox.add(
      "rating",
      { type: "rating", handoffId: effect.handoffId, score: effect.score, category: effect.category },
      { jobId: `rate-${effect.handoffId}`, ...INBOX_JOB },
    );
  }

  /** Closes the queue's connections (not the shared Redis client). */
  async close(): Promise<void> {
    await Promise.all([this.queue.close(), this.inbox.close()]);
  }
}

/**
 * BullMQ options of a handoff job: the handoff id as job id (a repeated request adds nothing),
 * urgent first, retried with backoff, kept a week once done and for good when it failed.
 */
export function handoffJobOptions(request: HandoffRequest) {
  return {
    jobId: request.handoffId,
    priority: PRIORITY[request.priority],
    attempts: 10,
    backoff: { type: "exponential", delay: 1000 },
    removeOnComplete: { age: 7 * 24 * 3600 },
    removeOnFail: false,
  };
}
