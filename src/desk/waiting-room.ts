import { Queue } from "bullmq";
import { logQueueErrors } from "../ops/queue-errors.js";
// Any topology: a single Redis, a Sentinel-managed primary or a Cluster.
import type { RedisClient as Redis } from "../redis/connection.js";
import { KeyedSerializer } from "../engine/keyed-serializer.js";
import { courtesy, type DeskContext } from "./desk-context.js";
import { renderOverview } from "./overview.js";
import type { DeskWorkers } from "./workers.js";

/** Passes that edit customers' queue positions (one at a time across instances). */
export const POSITIONS_QUEUE = "desk-positions";
/** Timers of the desk (neglect pings). */
export const TIMERS_QUEUE = "desk-timers";

interface TimerJob {
  handoffId: string;
  round: number;
}

/** Options of the waiting room. */
export interface WaitingRoomOptions {
  /** A handoff nobody took for this long is pinged again in its topic. */
  neglectMs: number;
  /** Pings per handoff before it is only escalated to «General». @defaultValue 3 */
  maxPings?: number;
  /** Escalations to «General» per hour at most. @defaultValue 2 */
  escalationsPerHour?: number;
}

/**
 * The waiting customers: their queue messages kept at their current position (in the background, so
 * no desk action waits for 50 edits), the pinned overview in «General», and neglect pings, only
 * within working hours, capped per handoff and escalated to «General» at most a few times an hour.
 */
export class WaitingRoom {
  private readonly positions: Queue;
  private readonly timers: Queue<TimerJob>;
  private readonly overviewTurn = new KeyedSerializer();

  constructor(
    private readonly c: DeskContext,
    private readonly redis: Redis,
    private readonly o: WaitingRoomOptions,
  ) {
    const options = { connection: redis, ...(c.bullPrefix ? { prefix: c.bullPrefix } : {}) };
    this.positions = new Queue(POSITIONS_QUEUE, options);
    this.timers = new Queue<TimerJob>(TIMERS_QUEUE, options);
    logQueueErrors(this.positions, c.logger);
    logQueueErrors(this.timers, c.logger);
  }

  /** Starts the workers. */
  async start(workers: DeskWorkers): Promise<void> {
    // One pass at a time across every instance: two side by side could leave an older position on screen.
    await this.positions.setGlobalConcurrency(1);
    const pass = workers.start(POSITIONS_QUEUE, () => this.refreshNow());
    // A change that came while the pass ended found its job still there: run once more.
    const again = () =>
      void this.redis
        .exists(this.c.records.keys.positionsDirty)
        .then(async (n) => {
          if (n > 0) await this.changed();
        })
        .catch((err: unknown) => this.c.logger.warn({ err }, "positions pass not rescheduled"));
    pass.on("completed", again);
    pass.on("failed", again);
    workers.start<TimerJob>(TIMERS_QUEUE, (job) => this.neglectCheck(job.data));
  }

  /** Closes the queues. */
  async close(): Promise<void> {
    await Promise.all([this.positions.close(), this.timers.close()]);
  }

  /** The waiting set changed: a positions pass will run soon (never in the caller's time). */
  async changed(): Promise<void> {
    await this.redis.set(this.c.records.keys.positionsDirty, "1");
    await this.positions.add("pass", {}, { jobId: "positions", removeOnComplete: true, removeOnFail: true });
  }

  /**
   * Edits each waiting customer's queue message to their current position (the first 50) when it
   * changed, and a just-taken customer's to «taken»; then the overview. Repeats while the set changes.
   */
  async refreshNow(): Promise<void> {
    const dirty = this.c.records.keys.positionsDirty;
    while ((await this.redis.del(dirty)) === 1) {
      const taken = await this.c.records.takenSinceLastPass();
      const waiting = await this.c.records.waitingIds(50);
      for (const id of [...taken, ...waiting]) await this.showPosition(id);
      await this.c.records.clearTaken(taken);
      await courtesy(this.c, "queue overview", "-", this.overview());
    }
  }

  private async showPosition(id: string): Promise<void> {
    const record = await this.c.records.read(id);
    if (!record || record.closedAt !== undefined || record.cancelledAt !== undefined) return;
    // A guest has no panel: the re-rendered status must not send them to one (the request says who).
    const status = { ...(await this.c.status(id)), ...(record.request?.guest ? { guest: true } : {}) };
    if (status.position === (record.shownPosition ?? -1)) return;
    const sender = this.c.senders.get(record.channel);
    if (!sender) return;
    const messageId = await this.c.store.taggedMessageId(record.conversationKey, "queue");
    const reply = this.c.flow.renderQueueStatus(record.locale, status);
    try {
      await sender.send(
        record.chatId,
        { ...reply, tag: "queue", edit: true },
        { editMessageId: messageId, idempotencyKey: `${id}-pos-${status.position}` },
      );
      await this.c.records.setShownPosition(id, status.position);
    } catch (err) {
      // A position update is a courtesy: one failure must not stop the others.
      this.c.logger.warn({ err, handoff: id }, "queue position edit failed");
    }
  }

  /**
   * Posts (once, pinned) or edits the queue overview in «General». One at a time in this process, so
   * a pass and a /queue never both post the first one.
   */
  overview(): Promise<string> {
    return this.overviewTurn.run("overview", () => this.showOverview());
  }

  private async showOverview(): Promise<string> {
    const text = await renderOverview(this.c);
    const key = this.c.records.keys.overview;
    const id = await this.redis.get(key);
    if (id) {
      const edited = await this.c.api.edit(Number(id), text).then(
        () => true,
        // «not modified» is the usual case; «not found» means someone deleted it: post a new one.
        // Anything else (network): the next pass tries again.
        (err: unknown) => String(err).includes("not modified") || !String(err).includes("not found"),
      );
      if (edited) return text;
    }
    const posted = await this.c.api.post(undefined, text);
    await this.redis.set(key, posted);
    await this.c.api.pin(posted);
    return text;
  }

  /** Schedules the neglect check of a handoff whose card was just posted. */
  async scheduleNeglect(handoffId: string, round = 1, delay = this.o.neglectMs): Promise<void> {
    await this.timers.add(
      "neglect",
      { handoffId, round },
      { jobId: `neglect-${handoffId}-${round}`, delay, removeOnComplete: true, removeOnFail: true },
    );
  }

  /** Pings a handoff nobody took (within working hours, capped), and schedules the next check. */
  private async neglectCheck(job: TimerJob): Promise<void> {
    const r = await this.c.records.read(job.handoffId);
    if (!r || r.agentId || r.closedAt !== undefined || r.cancelledAt !== undefined || r.topic === undefined)
      return;
    const now = this.c.now();
    const hours = this.c.hours;
    if (hours && !hours.isOpen(now)) {
      // Nobody is on shift: look again when the desk opens, without counting a round.
      await this.scheduleNeglect(job.handoffId, job.round + 1, Math.max(1000, hours.nextOpening(now) - now));
      return;
    }
    const minutes = Math.round((now - r.createdAt) / 60_000);
    if (job.round <= (this.o.maxPings ?? 3)) await this.c.api.post(r.topic, this.c.texts.neglected(minutes));
    else await this.escalate(now);
    await this.scheduleNeglect(job.handoffId, job.round + 1);
  }

  /** One line in «General» for all neglected handoffs, at most `escalationsPerHour` an hour. */
  private async escalate(now: number): Promise<void> {
    const key = this.c.records.keys.escalations(Math.floor(now / 3_600_000));
    const n = await this.redis.incr(key);
    if (n === 1) await this.redis.pexpire(key, 2 * 3_600_000);
    if (n > (this.o.escalationsPerHour ?? 2)) return;
    const waiting = await this.c.records.waitingIds(1);
    const oldest = waiting[0] ? await this.c.records.read(waiting[0]) : undefined;
    const count = await this.c.records.waitingCount();
    const names = (await this.c.directory.mentions()).join(", ");
    const minutes = oldest ? Math.round((now - oldest.createdAt) / 60_000) : 0;
    await this.c.api.post(undefined, this.c.texts.escalated(count, minutes, names));
  }
}
