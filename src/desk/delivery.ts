import { type Job, Queue } from "bullmq";
import { logQueueErrors } from "../ops/queue-errors.js";
// Any topology: a single Redis, a Sentinel-managed primary or a Cluster.
import type { RedisClient as Redis } from "../redis/connection.js";
import { DeliveryError } from "../channel.js";
import type { HandoffRecord } from "../handoff/handoff-record.js";
import type { DeskContext } from "./desk-context.js";
import type { Topics } from "./topics.js";
import type { DeskWorkers } from "./workers.js";

/** Agent replies waiting to be delivered to customers. */
export const OUTBOUND_QUEUE = "outbound";

/** One agent post (or its edit) for the customer. */
export interface OutboundJob {
  handoffId: string;
  agentId: string;
  /** The agent's post in the topic. */
  messageId: number;
  text?: string;
  /** A photo or document: copied (Telegram) or uploaded (VK) to the customer. */
  media?: { kind: string; fileId?: string; fileName?: string };
  /** An edit of a post already delivered. */
  edit?: boolean;
}

/** Sends media to a customer on a platform that cannot copy from Telegram (VK: upload). */
export interface MediaUploader {
  send(
    chatId: string,
    file: { data: Buffer; fileName: string; kind: string },
    caption: string,
    key: string,
  ): Promise<string>;
}

const JOB = {
  attempts: 6,
  backoff: { type: "exponential", delay: 1000 },
  removeOnComplete: { count: 10_000 },
  removeOnFail: { count: 10_000 },
} as const;

/**
 * Agent → customer: a durable queue with retries (BullMQ honours the adapters' own retry of 429s),
 * text, media and edits, each delivered once (job id = the agent's post). A delivery that can never
 * succeed (blocked, gone) is recorded on the conversation and told to the agents.
 */
export class Delivery {
  private readonly queue: Queue<OutboundJob>;

  constructor(
    private readonly c: DeskContext,
    private readonly topics: Topics,
    redis: Redis,
    private readonly uploaders: Partial<Record<string, MediaUploader>> = {},
  ) {
    this.queue = new Queue<OutboundJob>(OUTBOUND_QUEUE, {
      connection: redis,
      ...(c.bullPrefix ? { prefix: c.bullPrefix } : {}),
    });
    logQueueErrors(this.queue, c.logger);
  }

  /**
   * Starts the worker: deliveries to different handoffs side by side (a slow chat holds no one else),
   * one handoff's in the order its agent wrote them.
   */
  start(workers: DeskWorkers): void {
    const worker = workers.start<OutboundJob>(OUTBOUND_QUEUE, (job) => this.deliver(job), {
      keyOf: (d) => d.handoffId,
      concurrency: 8,
    });
    worker.on("failed", (job) => {
      if (job && job.attemptsMade >= (job.opts.attempts ?? 1))
        void this.topics.tell(job.data.handoffId, this.c.texts.deliveryGaveUp(job.attemptsMade));
    });
  }

  /** Queues an agent's post (or edit); a redelivered Telegram update cannot send it twice. */
  async enqueue(job: OutboundJob): Promise<void> {
    const id = `agent-${job.handoffId}-${job.messageId}${job.edit ? `-e${this.c.now()}` : ""}`;
    await this.queue.add(job.edit ? "edit" : "reply", job, { jobId: id.replace(/:/g, "_"), ...JOB });
  }

  /** Closes the queue. */
  close(): Promise<void> {
    return this.queue.close();
  }

  private async prefix(record: HandoffRecord, agentId: string): Promise<string> {
    const alias = await this.c.directory.alias(agentId);
    return alias ? `👤 ${alias}: ` : this.c.agentPrefix(record.locale);
  }

  private async deliver(job: Job<OutboundJob>): Promise<void> {
    const d = job.data;
    const record = await this.c.records.read(d.handoffId);
    if (!record) return;
    const sender = this.c.senders.get(record.channel);
    if (!sender)
      throw new Error(
        `No sender for handoff ${d.handoffId} (channel ${record.channel}); is that channel configured?`,
      );
    const prefix = await this.prefix(record, d.agentId);
    const key = String(job.id);
    try {
      if (d.edit) {
        const original = await this.c.records.deliveredAs(d.handoffId, d.messageId);
        if (!original || d.text === undefined)
          return this.topics.tell(d.handoffId, this.c.texts.editNotDelivered);
        const text = `${prefix}${d.text} ${this.c.texts.edited}`;
        await sender.send(record.chatId, { text }, { editMessageId: original, idempotencyKey: key });
        return;
      }
      const sent = d.media ? await this.sendMedia(record, d, prefix, key) : undefined;
      const id =
        sent ??
        (await sender.send(record.chatId, { text: `${prefix}${d.text ?? ""}` }, { idempotencyKey: key }))
          .messageId;
      await this.c.records.noteDelivered(d.handoffId, d.messageId, id);
    } catch (err) {
      if (!(err instanceof DeliveryError)) throw err; // transient: BullMQ retries with backoff
      this.c.metrics?.deliveryFailures.inc({ channel: record.channel, reason: err.reason });
      await this.c.store.markUndeliverable(record.conversationKey, err.reason, this.c.now());
      await this.topics.tell(d.handoffId, this.c.texts.undeliverable(err.reason));
      return;
    }
    if (await this.c.records.markFirstReply(d.handoffId)) {
      const ms = Math.max(0, this.c.now() - record.createdAt);
      this.c.metrics?.timeToFirstReply.observe(ms / 1000);
      await this.c.directory.count(d.agentId, { firstReplyMsTotal: ms, firstReplies: 1 });
    }
  }

  /** Media: Telegram copies the agent's post; VK gets an upload of the downloaded file. */
  private async sendMedia(
    record: HandoffRecord,
    d: OutboundJob,
    prefix: string,
    key: string,
  ): Promise<string | undefined> {
    if (record.channel === "telegram") return this.c.api.copyTo(record.chatId, d.messageId);
    const uploader = this.uploaders[record.channel];
    if (!uploader || !d.media?.fileId) {
      await this.topics.tell(d.handoffId, this.c.texts.mediaFailed);
      return d.text === undefined ? "" : undefined;
    }
    const data = await this.c.api.download(d.media.fileId);
    const file = { data, fileName: d.media.fileName ?? `${d.media.kind}.bin`, kind: d.media.kind };
    return uploader.send(record.chatId, file, `${prefix}${d.text ?? ""}`, key);
  }
}
