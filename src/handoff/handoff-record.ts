// Any topology: a single Redis, a Sentinel-managed primary or a Cluster.
import type { RedisClient as Redis } from "../redis/connection.js";
import type { ChannelId, Locale } from "../../flows/model.js";
import type { HandoffRequest } from "../../flows/types.js";
import {
  ADOPT_SCRIPT,
  CLAIM_SCRIPT,
  END_SCRIPT,
  REGISTER_SCRIPT,
  RELEASE_SCRIPT,
  TRANSFER_SCRIPT,
} from "./handoff-scripts.js";
import { type HandoffKeys, handoffKeys } from "./keys.js";

/** One handoff as the desk and the gateway see it. Field names in Redis live in this module only. */
export interface HandoffRecord {
  id: string;
  conversationKey: string;
  channel: ChannelId;
  chatId: string;
  locale: Locale;
  createdAt: number;
  priority: HandoffRequest["priority"];
  category: string;
  /** The request as queued (masked transcript): what the card shows. */
  request?: HandoffRequest;
  /** The topic's number (#n), unique forever. */
  n?: number;
  topic?: number;
  card?: number;
  /** When a createForumTopic was last attempted (a retry first looks for that topic). */
  topicAttemptAt?: number;
  agentId?: string;
  agentName?: string;
  claimedAt?: number;
  closedAt?: number;
  closedBy?: string;
  cancelledAt?: number;
  firstReplyAt?: number;
  rating?: number;
  /** The queue position the customer's queue message shows now. */
  shownPosition?: number;
  /** How agents find the customer on their platform (@username, profile link), when known. */
  profile?: string;
}

/** What a claim came to. */
export type ClaimOutcome =
  | { kind: "claimed"; waitedMs: number }
  | { kind: "yours" }
  | { kind: "taken"; owner: string }
  | { kind: "ended" }
  | { kind: "missing" };

/** Where a handoff stands in the waiting set, with the recent claim waits for an estimate. */
export interface Standing {
  /** 0-based rank among unclaimed handoffs, or null when it is not waiting. */
  rank: number | null;
  waits: number[];
}

/** Options of the records. */
export interface HandoffRecordsOptions {
  prefix?: string;
  /** How long a closed or cancelled handoff's record is kept. @defaultValue 30 days */
  retentionMs?: number;
  now?: () => number;
}

const WAIT_SAMPLES = 20;
const num = (v: string | undefined) => (v === undefined || v === "" ? undefined : Number(v));

/**
 * The one owner of the handoff record (`<prefix>:{handoffs}:meta:<id>` and the topic and number
 * indexes that point at it) and of the waiting set. The gateway and the desk's parts call these
 * methods; nothing else names a field. Every state change is one atomic script.
 */
export class HandoffRecords {
  readonly keys: HandoffKeys;
  private readonly retentionMs: number;
  private readonly now: () => number;

  constructor(
    private readonly redis: Redis,
    options: HandoffRecordsOptions = {},
  ) {
    this.keys = handoffKeys(options.prefix ?? "sb");
    this.retentionMs = options.retentionMs ?? 30 * 24 * 3600_000;
    this.now = options.now ?? Date.now;
  }

  /** Registers a handoff (idempotent on its id) and says where it stands. */
  async register(request: HandoffRequest): Promise<Standing> {
    const fields: Record<string, string | number> = {
      conv: request.conversationKey,
      channel: request.channel,
      chat: request.chatId,
      locale: request.locale,
      created: request.createdAt,
      priority: request.priority,
      category: request.category,
      req: JSON.stringify(request),
    };
    const k = this.keys;
    const reply = (await this.redis.eval(
      REGISTER_SCRIPT,
      3,
      k.meta(request.handoffId),
      k.waiting,
      k.waits,
      request.handoffId,
      waitingScore(request.priority, request.createdAt),
      WAIT_SAMPLES,
      ...Object.entries(fields).flat(),
    )) as (number | string)[];
    const [rank, ...waits] = reply;
    await this.redis
      .multi()
      .zadd(k.history(request.conversationKey), request.createdAt, request.handoffId)
      .pexpire(k.history(request.conversationKey), this.retentionMs)
      .exec();
    return { rank: Number(rank) < 0 ? null : Number(rank), waits: waits.map(Number) };
  }

  /** Where a handoff stands now. */
  async standing(handoffId: string): Promise<Standing> {
    const [rank, waits] = await Promise.all([
      this.redis.zrank(this.keys.waiting, handoffId),
      this.redis.lrange(this.keys.waits, 0, WAIT_SAMPLES - 1),
    ]);
    return { rank, waits: waits.map(Number) };
  }

  /** The record, or undefined when there is none (never registered, or expired after close). */
  async read(handoffId: string): Promise<HandoffRecord | undefined> {
    const h = await this.redis.hgetall(this.keys.meta(handoffId));
    if (!h.conv || !h.channel || !h.chat) return undefined;
    return {
      id: handoffId,
      conversationKey: h.conv,
      channel: h.channel as ChannelId,
      chatId: h.chat,
      locale: (h.locale as Locale | undefined) ?? "ru",
      createdAt: Number(h.created ?? 0),
      priority: h.priority === "high" ? "high" : "normal",
      category: h.category ?? "other",
      ...(h.req ? { request: JSON.parse(h.req) as HandoffRequest } : {}),
      n: num(h.n),
      topic: num(h.topic),
      card: num(h.card),
      topicAttemptAt: num(h.attempt),
      agentId: h.agentId,
      agentName: h.agent,
      claimedAt: num(h.claimedAt),
      closedAt: num(h.closed),
      closedBy: h.closedBy,
      cancelledAt: num(h.cancelled),
      firstReplyAt: num(h.firstReplyAt),
      rating: num(h.rating),
      shownPosition: num(h.pos),
      ...(h.profile ? { profile: h.profile } : {}),
    };
  }

  /** The handoff a topic belongs to. */
  async byTopic(threadId: number): Promise<string | undefined> {
    return (await this.redis.get(this.keys.topic(threadId))) ?? undefined;
  }

  /** The handoff a topic number belongs to (to adopt a topic by the number in its name). */
  async byNumber(n: number): Promise<string | undefined> {
    return (await this.redis.get(this.keys.number(n))) ?? undefined;
  }

  /** The handoff's topic number, allocated once from a counter that never expires. */
  async number(handoffId: string): Promise<number> {
    const meta = this.keys.meta(handoffId);
    const existing = await this.redis.hget(meta, "n");
    if (existing) return Number(existing);
    const n = await this.redis.incr(this.keys.counter);
    if (await this.redis.hsetnx(meta, "n", n)) {
      await this.redis.set(this.keys.number(n), handoffId, "PX", this.retentionMs * 2);
      return n;
    }
    return Number(await this.redis.hget(meta, "n"));
  }

  /** Takes the right to create the handoff's topic for `ms`; false while another worker has it. */
  async lockCreation(handoffId: string, ms: number): Promise<boolean> {
    return (await this.redis.set(this.keys.creating(handoffId), "1", "PX", ms, "NX")) === "OK";
  }

  /** Gives the creation right back. */
  async unlockCreation(handoffId: string): Promise<void> {
    await this.redis.del(this.keys.creating(handoffId));
  }

  /** Notes that createForumTopic is about to be called (a retry looks for that topic first). */
  async noteTopicAttempt(handoffId: string): Promise<void> {
    await this.redis.hset(this.keys.meta(handoffId), "attempt", this.now());
  }

  /** Records the handoff's topic once; returns the topic that won (an earlier one stays). */
  async adoptTopic(handoffId: string, threadId: number): Promise<number> {
    const won = await this.redis.eval(
      ADOPT_SCRIPT,
      2,
      this.keys.meta(handoffId),
      this.keys.topic(threadId),
      handoffId,
      threadId,
    );
    return Number(won);
  }

  /** Records how agents find the customer on their platform. */
  async setProfile(handoffId: string, profile: string): Promise<void> {
    await this.redis.hset(this.keys.meta(handoffId), "profile", profile);
  }

  /** Records the card's message id. */
  async setCard(handoffId: string, messageId: number): Promise<void> {
    await this.redis.hset(this.keys.meta(handoffId), "card", messageId);
  }

  /** Claims an unclaimed, open handoff for an agent (atomic: one of two racing agents wins). */
  async claim(handoffId: string, agent: { id: string; name: string }): Promise<ClaimOutcome> {
    const k = this.keys;
    const reply = (await this.redis.eval(
      CLAIM_SCRIPT,
      5,
      k.meta(handoffId),
      k.waiting,
      k.positionsTaken,
      k.waits,
      k.claimed,
      handoffId,
      agent.id,
      agent.name,
      this.now(),
    )) as string[];
    const [kind, extra] = reply;
    if (kind === "claimed") return { kind, waitedMs: Number(extra) };
    if (kind === "taken") return { kind, owner: extra ?? "?" };
    return { kind: kind as "yours" | "ended" | "missing" };
  }

  /** Hands a claimed handoff from its owner to another agent. */
  async transfer(
    handoffId: string,
    fromAgentId: string,
    to: { id: string; name: string },
  ): Promise<"ok" | "ended" | "not_owner"> {
    return (await this.redis.eval(
      TRANSFER_SCRIPT,
      1,
      this.keys.meta(handoffId),
      fromAgentId,
      to.id,
      to.name,
    )) as "ok" | "ended" | "not_owner";
  }

  /** Puts a claimed handoff back in the queue, at its original place. */
  async release(handoffId: string, agentId: string): Promise<"ok" | "ended" | "not_owner"> {
    const record = await this.read(handoffId);
    if (!record) return "ended";
    return (await this.redis.eval(
      RELEASE_SCRIPT,
      3,
      this.keys.meta(handoffId),
      this.keys.waiting,
      this.keys.claimed,
      handoffId,
      agentId,
      waitingScore(record.priority, record.createdAt),
    )) as "ok" | "ended" | "not_owner";
  }

  /** Closes the handoff (once); its record expires after the retention. True when this call closed it. */
  close(handoffId: string, by: string): Promise<boolean> {
    return this.end(handoffId, "closed", by);
  }

  /** The customer left; like `close`, once. */
  cancel(handoffId: string): Promise<boolean> {
    return this.end(handoffId, "cancelled", "");
  }

  private async end(handoffId: string, field: "closed" | "cancelled", by: string): Promise<boolean> {
    const k = this.keys;
    const h = await this.redis.hmget(k.meta(handoffId), "topic", "n");
    const extra = [h[0] ? k.topic(h[0]) : undefined, h[1] ? k.number(h[1]) : undefined].filter(
      (x): x is string => x !== undefined,
    );
    const reply = await this.redis.eval(
      END_SCRIPT,
      3 + extra.length,
      k.meta(handoffId),
      k.waiting,
      k.claimed,
      ...extra,
      handoffId,
      field,
      this.now(),
      this.retentionMs,
      by,
    );
    return reply === 1;
  }

  /** Records the customer's rating (the record keeps its expiry). */
  async rate(handoffId: string, score: number): Promise<void> {
    await this.redis.hset(this.keys.meta(handoffId), "rating", score, "ratedAt", this.now());
  }

  /** Records the first delivered agent reply; true the first time only. */
  async markFirstReply(handoffId: string): Promise<boolean> {
    return (await this.redis.hsetnx(this.keys.meta(handoffId), "firstReplyAt", this.now())) === 1;
  }

  /** Records the position the customer's queue message now shows. */
  async setShownPosition(handoffId: string, position: number): Promise<void> {
    await this.redis.hset(this.keys.meta(handoffId), "pos", position);
  }

  /** Remembers which customer message an agent's post became (for edits). */
  async noteDelivered(handoffId: string, agentMessageId: number, customerMessageId: string): Promise<void> {
    await this.redis.hset(this.keys.meta(handoffId), `m:${agentMessageId}`, String(customerMessageId));
  }

  /** The customer's copy of an agent's post, if it was delivered. */
  async deliveredAs(handoffId: string, agentMessageId: number): Promise<string | undefined> {
    return (await this.redis.hget(this.keys.meta(handoffId), `m:${agentMessageId}`)) ?? undefined;
  }

  /** Earlier handoffs of the conversation (newest first, this one excluded). */
  async history(conversationKey: string, exceptId: string, limit = 5): Promise<HandoffRecord[]> {
    const ids = await this.redis.zrevrange(this.keys.history(conversationKey), 0, limit);
    const records = await Promise.all(ids.filter((id) => id !== exceptId).map((id) => this.read(id)));
    return records.filter((r): r is HandoffRecord => r !== undefined).slice(0, limit);
  }

  /** Unclaimed handoff ids, first in line first. */
  waitingIds(limit: number): Promise<string[]> {
    return this.redis.zrange(this.keys.waiting, "0", String(limit - 1));
  }

  /** Claimed, open handoff ids, longest-held first. */
  claimedIds(limit: number): Promise<string[]> {
    return this.redis.zrange(this.keys.claimed, "0", String(limit - 1));
  }

  /** How many handoffs wait. */
  waitingCount(): Promise<number> {
    return this.redis.zcard(this.keys.waiting);
  }

  /** Handoffs claimed since the last positions pass (their queue message should say «taken»). */
  takenSinceLastPass(): Promise<string[]> {
    return this.redis.smembers(this.keys.positionsTaken);
  }

  /** Forgets handoffs whose «taken» has been shown. */
  async clearTaken(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.redis.srem(this.keys.positionsTaken, ...ids);
  }
}

/** Sort order of unclaimed handoffs: all high-priority ones first, then by time. */
export function waitingScore(priority: HandoffRequest["priority"], createdAt: number): number {
  return (priority === "high" ? 0 : 1e13) + createdAt;
}
