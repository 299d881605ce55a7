import { type Job, Worker } from "bullmq";
// Any topology: a single Redis, a Sentinel-managed primary or a Cluster.
import type { RedisClient as Redis } from "../redis/connection.js";
import type { Logger } from "pino";
import { KeyedSerializer } from "../engine/keyed-serializer.js";

/** Settings of the desk's BullMQ workers. */
export interface WorkerSettings {
  /** Makes a connection for a worker (`maxRetriesPerRequest: null`). */
  connection: () => Redis;
  /** Stalled-job check interval; a killed worker's job is retried after about this long. */
  stalledIntervalMs: number;
  logger: Logger;
  /** BullMQ's key prefix (see `DeskContext.bullPrefix`). */
  prefix?: string;
}

/** The desk's workers and the connections it opened for them (BullMQ does not close given ones). */
export class DeskWorkers {
  private readonly workers: Worker[] = [];
  private readonly connections: Redis[] = [];

  constructor(private readonly s: WorkerSettings) {}

  /**
   * Starts a worker on queue `name`. With `keyOf`, up to `concurrency` jobs run at once, but jobs of
   * one key (a handoff) run one after another in the order they were taken: one slow chat does not
   * hold the others, and one customer's messages keep their order (within one instance).
   */
  start<T>(
    name: string,
    fn: (job: Job<T>) => Promise<void>,
    keyed?: { keyOf: (data: T) => string; concurrency: number },
  ): Worker<T> {
    const connection = this.s.connection();
    this.connections.push(connection);
    const serializer = new KeyedSerializer();
    const run = keyed ? (job: Job<T>) => serializer.run(keyed.keyOf(job.data), () => fn(job)) : fn;
    const concurrency = keyed?.concurrency ?? 1;
    const worker = new Worker<T>(name, run, {
      connection,
      ...(this.s.prefix ? { prefix: this.s.prefix } : {}),
      concurrency,
      stalledInterval: this.s.stalledIntervalMs,
      lockDuration: Math.max(2000, this.s.stalledIntervalMs * 2),
    });
    worker.on("failed", (job, err) =>
      this.s.logger.warn({ queue: name, job: job?.id, attempts: job?.attemptsMade, err }, "desk job failed"),
    );
    worker.on("error", (err) => this.s.logger.warn({ queue: name, err }, "desk worker error"));
    this.workers.push(worker as Worker);
    return worker;
  }

  /** Stops every worker; `force` drops jobs in progress (as a crash would). */
  async stop(force = false): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close(force)));
    // quit lets pending replies arrive; a rejected late command after a forced stop is expected.
    await Promise.all(this.connections.map((c) => c.quit().catch(() => undefined)));
  }
}
