import { randomBytes } from "node:crypto";
// Any topology: a single Redis, a Sentinel-managed primary or a Cluster.
import type { RedisClient as Redis } from "../redis/connection.js";
import {
  ACK_SCRIPT,
  BEGIN_SCRIPT,
  COMMIT_SCRIPT,
  RELEASE_SCRIPT,
  RENEW_SCRIPT,
  STEP_SCRIPT,
} from "./scripts.js";

/** An update id as recorded in the space-separated `seen` list: whitespace would split it. */
function storedId(updateId: string): string {
  return /\s/.test(updateId) ? updateId.replace(/\s/g, "_") : updateId;
}

/** The raw stored record of one conversation, as read at `begin`. */
export interface StoredConversation {
  /** The state JSON as stored (parse and migrate it; it may be of an older shape). */
  stateJson?: string;
  version: number;
  /** The outbox of a worker that committed but did not finish (crashed): to be carried out again. */
  outboxJson?: string;
  /** Platform message ids of tagged replies (for edits in place). */
  tags: Record<string, string>;
  undeliverableJson?: string;
}

/** Result of `begin`. */
export type BeginResult =
  | { status: "ok"; lease: Lease; record: StoredConversation }
  /** A redelivered update whose outbox was left unfinished: carry out the outbox, run no flow. */
  | { status: "replay"; lease: Lease; record: StoredConversation }
  | { status: "duplicate" }
  | { status: "flood"; count: number }
  /** `holder` is the lock's token: one of this store's own (`ownsToken`) means a lock it left behind. */
  | { status: "locked"; retryInMs: number; holder?: string };

/** Result of `step`: `begin` and `commit` in one round trip, for a worker that knows the state. */
export type StepCommitResult =
  /** Saved; `lease` is the lock to `ack` after carrying out the outbox, absent when there was none. */
  | { status: "ok"; lease?: Lease }
  | { status: "duplicate" }
  | { status: "flood"; count: number }
  /** Nothing written: the version moved, an outbox is unfinished, a delivery failure is recorded, or the lock is held. Take the long way. */
  | { status: "stale" };

/**
 * The `ack` of a conversation's previous update, carried by the `step` of its next one instead of being
 * sent alone: the lock it still holds, the tagged message ids and the last delivery failure.
 */
export interface CarriedAck {
  lease: Lease;
  tags: Record<string, string>;
  /** '' when every reply was delivered. */
  undeliverableJson: string;
}

/** A held per-conversation lock; its token fences writes by a worker whose lease ran out. */
export interface Lease {
  conversationKey: string;
  token: string;
}

/** A write that did not happen because the compare-and-set failed. */
export class StateConflictError extends Error {
  override readonly name = "StateConflictError";
  constructor(
    readonly conversationKey: string,
    readonly reason: "lost_lock" | "conflict",
  ) {
    super(
      `State of ${conversationKey} was not saved (${reason}): another worker took the conversation, ` +
        "usually because this one outlived its lock lease. The update will be retried; raise LOCK_LEASE_MS if it recurs.",
    );
  }
}

/** Options of the store. */
export interface ConversationStoreOptions {
  /** Key prefix. @defaultValue "sb" */
  prefix?: string;
  /** Lock lease in ms: a crashed holder blocks its conversation at most this long. @defaultValue 30000 */
  leaseMs?: number;
  /** How many recent update ids are kept per conversation for dedupe. @defaultValue 32 */
  seenMax?: number;
  /** A conversation untouched this long is deleted by Redis. @defaultValue 30 days */
  ttlSeconds?: number;
  /** Flood limit per conversation: at most `count` updates per `windowMs`; count 0 turns it off. */
  flood?: { count: number; windowMs: number };
}

type ScriptReply = (string | number | null)[];

interface StoreCommands {
  sbBegin(k1: string, k2: string, k3: string, ...args: (string | number)[]): Promise<ScriptReply>;
  sbCommit(k1: string, k2: string, k3: string, ...args: (string | number)[]): Promise<string>;
  sbAck(k1: string, k2: string, k3: string, ...args: (string | number)[]): Promise<string>;
  sbRelease(k1: string, k2: string, k3: string, token: string): Promise<string>;
  sbRenew(lockKey: string, token: string, leaseMs: number): Promise<number>;
  sbStep(k1: string, k2: string, k3: string, ...args: (string | number)[]): Promise<ScriptReply>;
}

/**
 * Versioned conversation state in Redis, written with compare-and-set under a per-conversation
 * lock with a lease, with dedupe of inbound ids. Three round trips per handled update:
 * `begin` (dedupe + flood + lock + load), `commit` (CAS state + dedupe id + outbox), `ack`
 * (outbox done + release); two when the worker knows the state already (`step`, then `ack`), one
 * when there is nothing to carry out or when the next `step` carries the `ack` (`CarriedAck`).
 */
export class ConversationStore {
  readonly prefix: string;
  /** Lock lease in ms; a holder that works longer must `renew` before it runs out. */
  readonly leaseMs: number;
  private readonly seenMax: number;
  private readonly ttlSeconds: number;
  private readonly flood: { count: number; windowMs: number };
  private readonly redis: Redis & StoreCommands;
  /**
   * Lock tokens are this prefix, random per store, and a counter: a token only has to differ from every
   * other holder's (a UUID per update was a measurable share of allocation), and the prefix tells this
   * store's own tokens apart (`ownsToken`).
   */
  private readonly tokenPrefix = `${randomBytes(9).toString("base64url")}.`;
  private tokenCount = 0;

  constructor(redis: Redis, options: ConversationStoreOptions = {}) {
    this.prefix = options.prefix ?? "sb";
    this.leaseMs = options.leaseMs ?? 30_000;
    this.seenMax = options.seenMax ?? 32;
    this.ttlSeconds = options.ttlSeconds ?? 30 * 24 * 3600;
    this.flood = options.flood ?? { count: 0, windowMs: 1000 };
    const r = redis as Redis & Partial<StoreCommands>;
    // defineCommand is idempotent per name; EVALSHA with EVAL fallback after a script flush/restart.
    if (!r.sbBegin) {
      redis.defineCommand("sbBegin", { numberOfKeys: 3, lua: BEGIN_SCRIPT });
      redis.defineCommand("sbCommit", { numberOfKeys: 3, lua: COMMIT_SCRIPT });
      redis.defineCommand("sbAck", { numberOfKeys: 3, lua: ACK_SCRIPT });
      redis.defineCommand("sbRelease", { numberOfKeys: 3, lua: RELEASE_SCRIPT });
    }
    if (!r.sbRenew) redis.defineCommand("sbRenew", { numberOfKeys: 1, lua: RENEW_SCRIPT });
    if (!r.sbStep) redis.defineCommand("sbStep", { numberOfKeys: 3, lua: STEP_SCRIPT });
    this.redis = redis as Redis & StoreCommands;
  }

  private nextToken(): string {
    this.tokenCount++;
    return this.tokenPrefix + this.tokenCount.toString(36);
  }

  /**
   * Whether a lock token is one this store handed out. The engine runs one update of a conversation at
   * a time, so such a lock found held by `begin` is one it left behind: a write whose reply was lost
   * (Redis failed over mid-call), or an ack the old primary answered but never passed to the new one.
   */
  ownsToken(token: string): boolean {
    return token.startsWith(this.tokenPrefix);
  }

  /** Updates allowed per flood window (0: no limit). */
  get floodLimit(): number {
    return this.flood.count;
  }

  /** The keys of one conversation; the `{…}` hash tag keeps them in one Cluster slot. */
  keys(conversationKey: string): [string, string, string] {
    const base = `${this.prefix}:{${conversationKey}}`;
    return [`${base}:c`, `${base}:l`, `${base}:f`];
  }

  /** The keys and leading arguments `begin` and `step` share: update id, lock token, lease, flood limit. */
  private lockArgs(
    conversationKey: string,
    updateId: string,
    token: string,
    options: { floodExempt?: boolean },
  ): [string, string, string, string, string, number, number, number] {
    const [hash, lock, flood] = this.keys(conversationKey);
    return [
      hash,
      lock,
      flood,
      storedId(updateId),
      token,
      this.leaseMs,
      options.floodExempt ? 0 : this.flood.count,
      this.flood.windowMs,
    ];
  }

  /**
   * Dedupe, flood check, lock and load in one round trip. `floodExempt` skips the flood limit (and
   * its count): the desk's own signals must get through to a customer who has used it up.
   */
  async begin(
    conversationKey: string,
    updateId: string,
    options: { floodExempt?: boolean } = {},
  ): Promise<BeginResult> {
    const token = this.nextToken();
    const reply = await this.redis.sbBegin(...this.lockArgs(conversationKey, updateId, token, options));
    const status = reply[0];
    if (status === "dup") return { status: "duplicate" };
    if (status === "flood") return { status: "flood", count: Number(reply[1]) };
    if (status === "locked") {
      const holder = typeof reply[2] === "string" ? reply[2] : undefined;
      return { status: "locked", retryInMs: Math.max(1, Number(reply[1])), ...(holder ? { holder } : {}) };
    }
    const fields: Record<string, string> = {};
    for (let i = 1; i + 1 < reply.length; i += 2) fields[String(reply[i])] = String(reply[i + 1]);
    const tags: Record<string, string> = {};
    for (const [k, v] of Object.entries(fields)) if (k.startsWith("t:")) tags[k.slice(2)] = v;
    return {
      status: status === "replay" ? "replay" : "ok",
      lease: { conversationKey, token },
      record: {
        stateJson: fields.s,
        version: Number(fields.v ?? 0),
        outboxJson: fields.ob,
        undeliverableJson: fields.u,
        tags,
      },
    };
  }

  /**
   * Saves the state if nobody else wrote since `begin`; records the update id and the outbox. With an
   * empty outbox it also releases the lock (there is nothing to carry out, so no `ack` follows).
   */
  async commit(
    lease: Lease,
    expectedVersion: number,
    stateJson: string,
    updateId: string,
    outboxJson: string,
  ): Promise<void> {
    const result = await this.redis.sbCommit(
      ...this.keys(lease.conversationKey),
      lease.token,
      expectedVersion,
      stateJson,
      storedId(updateId),
      outboxJson,
      this.seenMax,
      this.ttlSeconds,
    );
    if (result !== "ok")
      throw new StateConflictError(lease.conversationKey, result as "lost_lock" | "conflict");
  }

  /**
   * `begin` and `commit` in one round trip, for a worker that holds the conversation's state at
   * `expectedVersion` (it handled the update before) and has already run the flow on it: dedupe,
   * compare-and-set on the version, lock, flood check and the write, all or nothing. With an empty
   * outbox the lock is released at once; otherwise it is held for `ack`. With `options.ack` it first
   * acks the previous update (see `CarriedAck`); `stale`, with nothing written, when that lock is lost.
   */
  async step(
    conversationKey: string,
    updateId: string,
    expectedVersion: number,
    stateJson: string,
    outboxJson: string,
    options: { floodExempt?: boolean; ack?: CarriedAck } = {},
  ): Promise<StepCommitResult> {
    const token = this.nextToken();
    const { ack } = options;
    const reply = await this.redis.sbStep(
      ...this.lockArgs(conversationKey, updateId, token, options),
      expectedVersion,
      stateJson,
      outboxJson,
      this.seenMax,
      this.ttlSeconds,
      ack ? ack.lease.token : "",
      ack ? ack.undeliverableJson : "",
      ...(ack ? Object.entries(ack.tags).flat() : []),
    );
    switch (reply[0]) {
      case "dup":
        return { status: "duplicate" };
      case "flood":
        return { status: "flood", count: Number(reply[1]) };
      case "ok":
        return reply[1] === "1" ? { status: "ok", lease: { conversationKey, token } } : { status: "ok" };
      default:
        return { status: "stale" };
    }
  }

  /**
   * Marks the outbox done, records tagged message ids and the last delivery failure, and releases the
   * lock (unless `keepLock`: a replayed outbox is followed by the step of the current update).
   * False, with nothing written, when the lock is no longer ours: the outbox may then belong to the
   * worker that took over, which carries it out itself.
   */
  async ack(
    lease: Lease,
    tags: Record<string, string>,
    undeliverableJson = "",
    keepLock = false,
  ): Promise<boolean> {
    const pairs = Object.entries(tags).flat();
    const result = await this.redis.sbAck(
      ...this.keys(lease.conversationKey),
      lease.token,
      undeliverableJson,
      keepLock ? "0" : "1",
      ...pairs,
    );
    return result === "ok";
  }

  /** Extends the lease of a lock still held; false when it was lost (it ran out, another worker has it). */
  async renew(lease: Lease): Promise<boolean> {
    const lockKey = this.keys(lease.conversationKey)[1];
    return (await this.redis.sbRenew(lockKey, lease.token, this.leaseMs)) === 1;
  }

  /**
   * Records that replies to a conversation cannot be delivered (the desk's relay met a blocked or
   * deleted chat), as `ack` does for the engine's own replies; the flow reads it on the next update.
   */
  async markUndeliverable(conversationKey: string, reason: string, at: number): Promise<void> {
    await this.redis.hset(this.keys(conversationKey)[0], "u", JSON.stringify({ reason, at }));
  }

  /** The platform message id of a conversation's tagged reply (e.g. `queue`), for an edit in place. */
  async taggedMessageId(conversationKey: string, tag: string): Promise<string | undefined> {
    return (await this.redis.hget(this.keys(conversationKey)[0], `t:${tag}`)) ?? undefined;
  }

  /** Releases the lock without writing (after an error), so the next worker need not wait out the lease. */
  async release(lease: Lease): Promise<void> {
    await this.redis.sbRelease(...this.keys(lease.conversationKey), lease.token);
  }
}
