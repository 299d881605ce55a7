import { type Job, Queue } from "bullmq";
import type { Logger } from "pino";
import type { RedisClient } from "../redis/connection.js";

/** BullMQ's default prefix, used by the versions before the queues moved under a hash tag (`{sb}`). */
export const LEGACY_PREFIX = "bull";

/** The job names this service has ever queued (handoffs, desk events, replies, neglect timers). */
const OUR_JOB_NAMES = new Set([
  "handoff",
  "cancelled",
  "customer_message",
  "rating",
  "reply",
  "edit",
  "neglect",
]);

/**
 * Whether a job is one of ours: another application on the same Redis may use BullMQ's default prefix
 * and a queue of the same name, and its jobs are not ours to move. Every job of ours names a handoff.
 */
function isOurs(job: Job): boolean {
  const data = job.data as { handoffId?: unknown } | null;
  return OUR_JOB_NAMES.has(job.name) && typeof data?.handoffId === "string";
}

/** The states a moved job can be in: not yet taken by a worker. Active ones finish where they are. */
const WAITING_STATES = ["wait", "prioritized", "delayed"] as const;

/**
 * Moves the jobs an earlier version left waiting under BullMQ's default prefix `bull` to the queues this
 * version serves (`{sb}`), so an upgrade loses no queued handoff, customer message or agent reply: no
 * worker of this version would ever take them. Each job keeps its id (so an instance that moves a job
 * another has just moved adds nothing), its data and options, and what is left of its delay. Active
 * jobs stay: the old worker that holds them finishes them (or BullMQ's stall check there retries them),
 * and so do jobs that are not ours (`isOurs`).
 *
 * A Redis Cluster is skipped: the old version could not run on one, so nothing can be left there.
 * Resolves with the number of jobs moved per queue (queues with none left out).
 */
export async function moveLegacyJobs(
  redis: RedisClient,
  queueNames: readonly string[],
  prefix: string,
  logger: Logger,
  now: () => number = Date.now,
): Promise<Record<string, number>> {
  const moved: Record<string, number> = {};
  if ("nodes" in redis) return moved;
  for (const name of queueNames) {
    const old = new Queue(name, { connection: redis, prefix: LEGACY_PREFIX });
    const current = new Queue(name, { connection: redis, prefix });
    try {
      const jobs = (await old.getJobs([...WAITING_STATES], 0, -1)).filter(
        (j): j is Job => !!j?.id && isOurs(j),
      );
      for (const job of jobs) {
        const left = job.delay > 0 ? Math.max(0, job.timestamp + job.delay - now()) : 0;
        const { delay: _delay, jobId: _jobId, ...opts } = job.opts;
        await current.add(job.name, job.data, {
          ...opts,
          jobId: job.id,
          ...(left > 0 ? { delay: left } : {}),
        });
        // Another instance may have moved (and removed) it meanwhile: the add above was then a no-op too.
        await job.remove().catch(() => undefined);
      }
      if (jobs.length > 0) moved[name] = jobs.length;
    } finally {
      await Promise.all([old.close(), current.close()]);
    }
  }
  if (Object.keys(moved).length > 0) {
    logger.warn({ moved, from: LEGACY_PREFIX, to: prefix }, "moved jobs an earlier version left queued");
  }
  return moved;
}
