// Any topology: a single Redis, a Sentinel-managed primary or a Cluster.
import type { RedisClient as Redis } from "../../src/redis/connection.js";
import type { InboundEvent } from "../../flows/model.js";

/**
 * Remembers, per peer, the payloads of the last numbered list the bot sent (buttons that did not fit
 * VK's keyboard limits), so the customer's answer «2» can be read as a press of the second button.
 *
 * Only the latest message counts: every new reply to the peer replaces the list or clears it, so a
 * number typed later (a ticket number, a contract number) is never mistaken for a choice.
 */
export interface ChoiceMemory {
  remember(peerId: string, payloads: readonly string[]): Promise<void>;
  forget(peerId: string): Promise<void>;
  /** The payload behind number `n` (1-based), if the peer's latest message was a numbered list. */
  recall(peerId: string, n: number): Promise<string | undefined>;
}

/** Options for `InMemoryChoices`. */
export interface InMemoryChoicesOptions {
  /** How long a list stays answerable. @defaultValue 24 hours */
  ttlMs?: number;
  /** Peers remembered at most; the oldest go first. @defaultValue 10000 */
  maxPeers?: number;
  now?: () => number;
}

/**
 * A process-local `ChoiceMemory`: enough for one instance (Long Poll). Behind the Callback API with
 * several instances the answer may reach another instance: use `RedisChoices` there.
 */
export class InMemoryChoices implements ChoiceMemory {
  private readonly lists = new Map<string, { payloads: string[]; until: number }>();
  private readonly ttlMs: number;
  private readonly maxPeers: number;
  private readonly now: () => number;

  constructor(options: InMemoryChoicesOptions = {}) {
    this.ttlMs = options.ttlMs ?? 24 * 3_600_000;
    this.maxPeers = options.maxPeers ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  async remember(peerId: string, payloads: readonly string[]): Promise<void> {
    this.lists.delete(peerId);
    this.lists.set(peerId, { payloads: [...payloads], until: this.now() + this.ttlMs });
    // Maps iterate in insertion order, so the first key is the least recently written.
    while (this.lists.size > this.maxPeers) {
      const oldest = this.lists.keys().next().value;
      if (oldest === undefined) break;
      this.lists.delete(oldest);
    }
  }

  async forget(peerId: string): Promise<void> {
    this.lists.delete(peerId);
  }

  async recall(peerId: string, n: number): Promise<string | undefined> {
    const list = this.lists.get(peerId);
    if (!list || list.until < this.now()) return undefined;
    return list.payloads[n - 1];
  }
}

/**
 * A `ChoiceMemory` in Redis, shared by every instance. The key carries the conversation's hash tag
 * (`{vk-<peer>}`), so it sits in the same Cluster slot as the conversation.
 */
export class RedisChoices implements ChoiceMemory {
  /**
   * @param prefix Key prefix, the core's. @defaultValue "sb"
   * @param ttlSeconds How long a list stays answerable. @defaultValue 86400
   */
  constructor(
    private readonly redis: Redis,
    private readonly prefix = "sb",
    private readonly ttlSeconds = 86_400,
  ) {}

  private key(peerId: string): string {
    return `${this.prefix}:{vk-${peerId}}:vk-choices`;
  }

  async remember(peerId: string, payloads: readonly string[]): Promise<void> {
    await this.redis.set(this.key(peerId), JSON.stringify(payloads), "EX", this.ttlSeconds);
  }

  async forget(peerId: string): Promise<void> {
    await this.redis.del(this.key(peerId));
  }

  async recall(peerId: string, n: number): Promise<string | undefined> {
    const raw = await this.redis.get(this.key(peerId));
    if (!raw) return undefined;
    const payloads: unknown = JSON.parse(raw);
    const payload = Array.isArray(payloads) ? payloads[n - 1] : undefined;
    return typeof payload === "string" ? payload : undefined;
  }
}

/**
 * Reads a bare number («2», «2.») answering the peer's latest numbered list as a button press;
 * any other event is returned unchanged.
 */
export async function resolveChoice(event: InboundEvent, memory: ChoiceMemory): Promise<InboundEvent> {
  if (event.kind !== "text" || event.text === undefined) return event;
  const match = /^\s*(\d{1,2})\s*[.)]?\s*$/.exec(event.text);
  if (!match) return event;
  const payload = await memory.recall(event.chatId, Number(match[1]));
  return payload === undefined ? event : { ...event, kind: "button", payload };
}
