import { randomUUID } from "node:crypto";
import { type Job, Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { HandoffRequest } from "../../flows/types.js";
import { DeliveryError } from "../channel.js";
import type { Engine, FlowModule } from "../engine/engine.js";
import { handoffKeys } from "../handoff/keys.js";
import {
  DESK_INBOX_QUEUE,
  type DeskInboxJob,
  HANDOFF_QUEUE,
  type QueueGateway,
} from "../handoff/queue-gateway.js";
import type { ChannelId, InboundEvent, Locale } from "../../flows/model.js";
import type { Metrics } from "../ops/metrics.js";
import type { ConversationStore } from "../store/conversation-store.js";
import { deskPayload, parseDeskPayload, renderCard, topicTitle } from "./card.js";
import type { DeskApi } from "./desk-api.js";
import { DESK_TEXT } from "./desk-texts.js";

/** Deletes a lock only if it still holds this token (it may have expired and been taken by another). */
const RELEASE_LOCK =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

/** Agent replies waiting to be delivered to customers. */
export const OUTBOUND_QUEUE = "outbound";
/** Timers of the desk (neglect pings). */
export const TIMERS_QUEUE = "desk-timers";

/** An update from the agents' supergroup, already taken out of the platform's form. */
export type DeskUpdate =
  | { kind: "callback"; callbackId: string; data: string; agentId: string; agentName: string }
  | {
      kind: "message";
      threadId?: number;
      messageId: number;
      /** Undefined for a non-text post (photo, sticker…). */
      text?: string;
      agentId: string;
      agentName: string;
    };

interface OutboundJob {
  handoffId: string;
  text: string;
  agentName: string;
}

interface TimerJob {
  handoffId: string;
  round: number;
}

/** Options of the desk. */
export interface DeskOptions {
  api: DeskApi;
  engine: Engine;
  store: ConversationStore;
  gateway: QueueGateway;
  flow: Pick<FlowModule, "renderQueueStatus">;
  /** The producer connection (shared, fails fast). */
  redis: Redis;
  /** Makes a connection for a BullMQ worker (`maxRetriesPerRequest: null`). */
  workerConnection: () => Redis;
  logger: Logger;
  metrics?: Metrics;
  /** A handoff nobody took for this long is pinged again in its topic. @defaultValue 10 minutes */
  neglectMs?: number;
  /** The prefix of agent replies as the customer sees them. */
  agentPrefix: (locale: Locale) => string;
  /** BullMQ stalled-job check interval; a killed worker's job is retried after about this long. @defaultValue 30000 */
  stalledIntervalMs?: number;
  now?: () => number;
}

/**
 * The agent desk: turns each queued handoff into a forum topic with a card, relays customer
 * messages into the topic and agent posts back to the customer (through a durable queue with
 * retries), and handles [Взять], [Закрыть] and /close. All mappings live in Redis.
 */
export class Desk {
  private readonly keys: ReturnType<typeof handoffKeys>;
  private readonly outbound: Queue<OutboundJob>;
  private readonly timers: Queue<TimerJob>;
  private readonly workers: Worker[] = [];
  /** Worker connections this desk opened: BullMQ does not close connections it was given. */
  private readonly connections: Redis[] = [];
  private readonly now: () => number;

  constructor(private readonly o: DeskOptions) {
    this.keys = handoffKeys(o.store.prefix);
    this.outbound = new Queue<OutboundJob>(OUTBOUND_QUEUE, { connection: o.redis });
    this.timers = new Queue<TimerJob>(TIMERS_QUEUE, { connection: o.redis });
    this.now = o.now ?? Date.now;
  }

  /** Starts the workers. */
  start(): void {
    const settings = {
      stalledInterval: this.o.stalledIntervalMs ?? 30_000,
      lockDuration: Math.max(2000, (this.o.stalledIntervalMs ?? 30_000) * 2),
    };
    const make = <T>(name: string, fn: (job: Job<T>) => Promise<void>) => {
      const connection = this.o.workerConnection();
      this.connections.push(connection);
      const worker = new Worker<T>(name, fn, { connection, concurrency: 1, ...settings });
      worker.on("failed", (job, err) =>
        this.o.logger.warn(
          { queue: name, job: job?.id, attempts: job?.attemptsMade, err },
          "desk job failed",
        ),
      );
      worker.on("error", (err) => this.o.logger.warn({ queue: name, err }, "desk worker error"));
      this.workers.push(worker);
      return worker;
    };
    make<HandoffRequest>(HANDOFF_QUEUE, (job) => this.openTopic(job.data));
    // One at a time, in order: customer messages must reach the topic in the order they were written.
    make<DeskInboxJob>(DESK_INBOX_QUEUE, (job) => this.inbox(job.data));
    const out = make<OutboundJob>(OUTBOUND_QUEUE, (job) => this.deliver(job));
    out.on("failed", (job) => {
      if (job && job.attemptsMade >= (job.opts.attempts ?? 1))
        void this.tellAgent(job.data.handoffId, DESK_TEXT.deliveryGaveUp(job.attemptsMade));
    });
    make<TimerJob>(TIMERS_QUEUE, (job) => this.neglectCheck(job.data));
  }

  /**
   * Stops the workers and the queues. Normally waits for jobs in progress; `force` drops them at once
   * (as a crash would: their locks expire and another worker retries them).
   */
  async stop(options: { force?: boolean } = {}): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close(options.force)));
    // quit lets pending replies arrive; a rejected late command after a forced stop is expected.
    await Promise.all(this.connections.map((c) => c.quit().catch(() => undefined)));
    await Promise.all([this.outbound.close(), this.timers.close()]);
  }

  // ---- handoff → topic --------------------------------------------------------------------------

  /**
   * Opens the topic of a handoff and posts its card, once: each step is recorded in the handoff's
   * hash before the next, so a worker killed mid-job and retried continues instead of repeating.
   */
  async openTopic(request: HandoffRequest): Promise<void> {
    const metaKey = this.keys.meta(request.handoffId);
    const topic = await this.ensureTopic(request);
    if (topic === undefined) return;
    if (!(await this.o.redis.hget(metaKey, "card"))) {
      const n = Number(await this.o.redis.hget(metaKey, "n"));
      const card = await this.o.api.post(topic, renderCard(n, request), this.cardButtons(request.handoffId));
      await this.o.redis.hset(metaKey, "card", card);
      await this.timers.add(
        "neglect",
        { handoffId: request.handoffId, round: 1 },
        {
          jobId: `neglect-${request.handoffId}-1`,
          delay: this.o.neglectMs ?? 600_000,
          removeOnComplete: true,
          removeOnFail: true,
        },
      );
    }
    await this.refreshPositions();
  }

  private cardButtons(handoffId: string) {
    return [
      [
        { label: "Взять", payload: deskPayload.take(handoffId) },
        { label: "Закрыть", payload: deskPayload.close(handoffId) },
      ],
    ];
  }

  /** The topic of a handoff, created at most once (a short Redis lock guards the creation). */
  private async ensureTopic(request: HandoffRequest): Promise<number | undefined> {
    const metaKey = this.keys.meta(request.handoffId);
    for (let i = 0; i < 100; i++) {
      const meta = await this.o.redis.hmget(metaKey, "topic", "cancelled", "n");
      if (meta[0]) return Number(meta[0]);
      if (meta[1]) return undefined; // the customer left before an agent saw it: no topic needed
      const lock = `${metaKey}:creating`;
      if (await this.o.redis.set(lock, "1", "PX", 30_000, "NX")) {
        try {
          if (!meta[2]) await this.o.redis.hsetnx(metaKey, "n", await this.o.redis.incr(this.keys.counter));
          const n = Number(await this.o.redis.hget(metaKey, "n"));
          const topic = await this.o.api.createTopic(topicTitle(n, request));
          await this.o.redis
            .multi()
            .hset(metaKey, "topic", topic)
            .set(this.keys.topic(topic), request.handoffId)
            .exec();
          return topic;
        } finally {
          await this.o.redis.del(lock);
        }
      }
      // Another worker is creating it right now.
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(
      `Topic of handoff ${request.handoffId} is still being created after 10 s; the job will be retried.`,
    );
  }

  private async requestOf(handoffId: string): Promise<HandoffRequest | undefined> {
    const job = await this.o.gateway.queue.getJob(handoffId);
    return job?.data;
  }

  // ---- customer side → topic ----------------------------------------------------------------------

  private async inbox(job: DeskInboxJob): Promise<void> {
    const request = await this.requestOf(job.handoffId);
    if (job.type === "cancelled") {
      const topic = await this.o.redis.hget(this.keys.meta(job.handoffId), "topic");
      if (topic) {
        await this.o.api.post(Number(topic), DESK_TEXT.cancelled);
        await this.o.api.closeTopic(Number(topic));
      }
      await this.refreshPositions();
      return;
    }
    if (!request)
      throw new Error(`Handoff ${job.handoffId} has no job in '${HANDOFF_QUEUE}'; cannot find its topic.`);
    const topic = await this.ensureTopic(request);
    if (topic === undefined) return;
    if (job.type === "rating") {
      await this.o.api.post(topic, DESK_TEXT.rated(job.score));
      return;
    }
    const relay = job.relay;
    if (relay.text !== undefined) {
      await this.o.api.post(topic, `${DESK_TEXT.customer}: ${relay.text}`);
    } else if (request.channel === "telegram" && relay.messageId) {
      await this.o.api.copyFrom(topic, request.chatId, Number(relay.messageId));
    } else {
      await this.o.api.post(topic, DESK_TEXT.nonText(relay.unsupportedKind ?? "?"));
    }
  }

  // ---- agents' actions ----------------------------------------------------------------------------

  /** Handles one update from the agents' supergroup: a button, /close, a note, or a reply. */
  async handleUpdate(update: DeskUpdate): Promise<void> {
    if (update.kind === "callback") {
      const parsed = parseDeskPayload(update.data);
      if (!parsed) return this.o.api.answerCallback(update.callbackId);
      const answer =
        parsed.action === "take"
          ? await this.take(parsed.handoffId, update)
          : await this.closeHandoff(parsed.handoffId, update.agentName);
      return this.o.api.answerCallback(update.callbackId, answer);
    }
    if (update.threadId === undefined) return;
    const handoffId = await this.o.redis.get(this.keys.topic(update.threadId));
    if (!handoffId) return; // a topic the desk did not open: agents may talk there freely
    const text = update.text?.trim();
    if (text === undefined) {
      await this.o.api.post(update.threadId, DESK_TEXT.onlyText);
      return;
    }
    if (/^\/close(@\w+)?$/.test(text)) {
      await this.tellAgent(handoffId, await this.closeHandoff(handoffId, update.agentName));
      return;
    }
    if (text.startsWith("//")) return; // an internal note: never sent to the customer
    const meta = await this.o.redis.hmget(this.keys.meta(handoffId), "agentId", "closed", "cancelled");
    // Closed by an agent, or left by the customer (/cancel, /start): a reply would reach someone
    // who is back with the bot or talking about something else.
    if (meta[1] || meta[2]) {
      await this.o.api.post(update.threadId, DESK_TEXT.alreadyClosed);
      return;
    }
    if (!meta[0]) await this.take(handoffId, update);
    await this.outbound.add(
      "reply",
      { handoffId, text, agentName: update.agentName },
      // One job per agent post: a redelivered Telegram update cannot send the reply twice.
      {
        jobId: `agent-${update.threadId}-${update.messageId}`,
        attempts: 6,
        backoff: { type: "exponential", delay: 1000 },
        removeOnComplete: { count: 10_000 },
        removeOnFail: { count: 10_000 },
      },
    );
  }

  /**
   * [Взять]: records the agent, updates the card, tells the customer. Returns the agent's notice.
   * Agents are told apart by their Telegram id; the name is for people to read.
   */
  async take(handoffId: string, agent: { agentId: string; agentName: string }): Promise<string> {
    const { agentName } = agent;
    const metaKey = this.keys.meta(handoffId);
    const [closed, cancelled] = await this.o.redis.hmget(metaKey, "closed", "cancelled");
    if (closed || cancelled) return DESK_TEXT.alreadyClosed;
    const claimed = await this.o.redis.hsetnx(metaKey, "agentId", agent.agentId);
    if (!claimed) {
      const [ownerId, owner] = await this.o.redis.hmget(metaKey, "agentId", "agent");
      return ownerId === agent.agentId ? DESK_TEXT.youHaveIt : DESK_TEXT.takenBy(owner ?? "?");
    }
    await this.o.redis.hset(metaKey, "agent", agentName);
    const now = this.now();
    const meta = await this.o.redis.hgetall(metaKey);
    const waited = Math.max(0, now - Number(meta.created ?? now));
    await this.o.redis
      .multi()
      .hset(metaKey, "claimedAt", now)
      .zrem(this.keys.waiting, handoffId)
      .sadd(this.keys.positionsTaken, handoffId)
      .lpush(this.keys.waits, waited)
      .ltrim(this.keys.waits, 0, 49)
      .exec();
    this.o.metrics?.handoffsTaken.inc();
    this.o.metrics?.timeToClaim.observe(waited / 1000);
    const request = await this.requestOf(handoffId);
    if (request && meta.card) {
      await this.o.api
        .edit(Number(meta.card), renderCard(Number(meta.n), request, agentName), [
          [{ label: "Закрыть", payload: deskPayload.close(handoffId) }],
        ])
        .catch((err: unknown) => this.o.logger.warn({ err, handoff: handoffId }, "card edit failed"));
    }
    await this.signal(meta, { type: "agent_claimed", handoffId, agentName }, `claim-${handoffId}`);
    await this.refreshPositions();
    return DESK_TEXT.taken;
  }

  /** [Закрыть] or /close: ends the handoff; the customer is asked for a rating. */
  async closeHandoff(handoffId: string, agentName: string): Promise<string> {
    const metaKey = this.keys.meta(handoffId);
    // The customer left: the handoff ended then (its topic closed), and there is nobody to rate it.
    if (await this.o.redis.hget(metaKey, "cancelled")) return DESK_TEXT.alreadyClosed;
    if (!(await this.o.redis.hsetnx(metaKey, "closed", this.now()))) return DESK_TEXT.alreadyClosed;
    await this.o.redis.zrem(this.keys.waiting, handoffId);
    const meta = await this.o.redis.hgetall(metaKey);
    if (meta.topic) {
      await this.o.api.post(Number(meta.topic), DESK_TEXT.closedBy(agentName));
      await this.o.api
        .closeTopic(Number(meta.topic))
        .catch((err: unknown) => this.o.logger.warn({ err, handoff: handoffId }, "closeForumTopic failed"));
    }
    await this.signal(meta, { type: "agent_closed", handoffId }, `close-${handoffId}`);
    await this.refreshPositions();
    return DESK_TEXT.closed;
  }

  /** Sends a desk signal into the customer's conversation through the engine (ordered, deduped). */
  private async signal(
    meta: Record<string, string>,
    signal: NonNullable<InboundEvent["signal"]>,
    updateId: string,
  ): Promise<void> {
    if (!meta.conv || !meta.channel || !meta.chat) return;
    await this.o.engine.accept({
      channel: meta.channel as ChannelId,
      conversationKey: meta.conv,
      chatId: meta.chat,
      userId: "desk",
      kind: "system",
      signal,
      updateId: `desk-${updateId}`,
      at: this.now(),
    });
  }

  // ---- agent → customer ---------------------------------------------------------------------------

  private async deliver(job: Job<OutboundJob>): Promise<void> {
    const { handoffId, text } = job.data;
    const metaKey = this.keys.meta(handoffId);
    const meta = await this.o.redis.hgetall(metaKey);
    const sender = this.o.engine.sender(meta.channel as ChannelId);
    if (!sender || !meta.chat)
      throw new Error(
        `No sender for handoff ${handoffId} (channel ${meta.channel ?? "?"}); is that channel configured?`,
      );
    const locale = (meta.locale as Locale | undefined) ?? "ru";
    try {
      await sender.send(
        meta.chat,
        { text: `${this.o.agentPrefix(locale)}${text}` },
        { idempotencyKey: String(job.id) },
      );
    } catch (err) {
      if (!(err instanceof DeliveryError)) throw err; // transient: BullMQ retries with backoff
      this.o.metrics?.deliveryFailures.inc({ channel: meta.channel ?? "?", reason: err.reason });
      if (meta.conv)
        await this.o.redis.hset(
          this.o.store.keys(meta.conv)[0],
          "u",
          JSON.stringify({ reason: err.reason, at: this.now() }),
        );
      await this.tellAgent(handoffId, DESK_TEXT.undeliverable(err.reason));
      return;
    }
    if (await this.o.redis.hsetnx(metaKey, "firstReplyAt", this.now())) {
      this.o.metrics?.timeToFirstReply.observe(
        Math.max(0, this.now() - Number(meta.created ?? this.now())) / 1000,
      );
    }
  }

  private async tellAgent(handoffId: string, text: string): Promise<void> {
    const topic = await this.o.redis.hget(this.keys.meta(handoffId), "topic");
    if (topic) await this.o.api.post(Number(topic), text);
  }

  // ---- the waiting customers ------------------------------------------------------------------------

  /** Pings a handoff nobody took, and schedules the next check. */
  private async neglectCheck(job: TimerJob): Promise<void> {
    const meta = await this.o.redis.hmget(
      this.keys.meta(job.handoffId),
      "agentId",
      "closed",
      "cancelled",
      "topic",
    );
    if (meta[0] || meta[1] || meta[2] || !meta[3]) return;
    const minutes = Math.round(((this.o.neglectMs ?? 600_000) * job.round) / 60_000);
    await this.o.api.post(Number(meta[3]), DESK_TEXT.neglected(minutes));
    await this.timers.add(
      "neglect",
      { handoffId: job.handoffId, round: job.round + 1 },
      {
        jobId: `neglect-${job.handoffId}-${job.round + 1}`,
        delay: this.o.neglectMs ?? 600_000,
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  /**
   * Edits each waiting customer's queue message to their current position (the first 50), when it
   * changed, and a just-taken customer's to «taken». Asked for after every change of the waiting set.
   *
   * One pass runs at a time across all desk instances (a Redis lock): two passes side by side could
   * send an older position after a newer one and leave it on screen. A request while a pass runs
   * marks the set dirty, and the running pass goes round again.
   */
  async refreshPositions(): Promise<void> {
    const { positionsLock: lock, positionsDirty: dirty } = this.keys;
    await this.o.redis.set(dirty, "1");
    for (;;) {
      const token = randomUUID();
      if (!(await this.o.redis.set(lock, token, "PX", 15_000, "NX"))) return; // the running pass sees `dirty`
      try {
        while ((await this.o.redis.del(dirty)) === 1) await this.positionsPass();
      } catch (err) {
        await this.o.redis.set(dirty, "1").catch(() => undefined); // the next request retries the pass
        throw err;
      } finally {
        await this.o.redis
          .eval(RELEASE_LOCK, 1, lock, token)
          .catch((err: unknown) => this.o.logger.warn({ err }, "positions lock release failed"));
      }
      // A request that came between the last check and the release found the lock still taken.
      if ((await this.o.redis.exists(dirty)) === 0) return;
    }
  }

  private async positionsPass(): Promise<void> {
    const taken = await this.o.redis.smembers(this.keys.positionsTaken);
    const waiting = await this.o.redis.zrange(this.keys.waiting, "0", "49");
    for (const id of [...taken, ...waiting]) {
      const metaKey = this.keys.meta(id);
      const meta = await this.o.redis.hmget(metaKey, "conv", "channel", "chat", "locale", "pos");
      const [conv, channel, chat, locale, lastPos] = meta;
      if (!conv || !channel || !chat) continue;
      const status = await this.o.gateway.status(id);
      if (String(status.position) === lastPos) continue;
      const messageId = await this.o.redis.hget(this.o.store.keys(conv)[0], "t:queue");
      const sender = this.o.engine.sender(channel as ChannelId);
      if (!sender) continue;
      const reply = this.o.flow.renderQueueStatus((locale as Locale) ?? "ru", status);
      try {
        await sender.send(
          chat,
          { ...reply, tag: "queue", edit: true },
          { editMessageId: messageId ?? undefined, idempotencyKey: `${id}-pos-${status.position}` },
        );
        await this.o.redis.hset(metaKey, "pos", String(status.position));
      } catch (err) {
        // A position update is a courtesy: one failure must not stop the others.
        this.o.logger.warn({ err, handoff: id }, "queue position edit failed");
      }
    }
    if (taken.length > 0) await this.o.redis.srem(this.keys.positionsTaken, ...taken);
  }
}
