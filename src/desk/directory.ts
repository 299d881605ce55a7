// Any topology: a single Redis, a Sentinel-managed primary or a Cluster.
import type { RedisClient as Redis } from "../redis/connection.js";
import type { HandoffKeys } from "../handoff/keys.js";
import type { DeskAgent } from "./desk-update.js";

/** One agent's figures for /stats and /metrics. */
export interface AgentFigures {
  agentId: string;
  name: string;
  handled: number;
  claimMsTotal: number;
  claims: number;
  firstReplyMsTotal: number;
  firstReplies: number;
  ratingTotal: number;
  ratings: number;
}

const FIGURES = [
  "handled",
  "claimMsTotal",
  "claims",
  "firstReplyMsTotal",
  "firstReplies",
  "ratingTotal",
  "ratings",
] as const;
type Figure = (typeof FIGURES)[number];

/**
 * What the desk knows about people: agents who acted (id → name), the names customers see (`/alias`),
 * banned customers, and per-agent counters. Hashes under the handoff hash tag.
 */
export class DeskDirectory {
  constructor(
    private readonly redis: Redis,
    private readonly keys: HandoffKeys,
  ) {}

  /** Remembers an agent who acted in the desk (for [Передать] and /stats). */
  async seen(agent: DeskAgent): Promise<void> {
    const multi = this.redis.multi().hset(this.keys.agents, agent.agentId, agent.agentName);
    if (agent.username) multi.hset(this.keys.agentUsernames, agent.agentId, agent.username);
    await multi.exec();
  }

  /** How to call every agent seen: `@username` when they have one, else their name. */
  async mentions(): Promise<string[]> {
    const [names, usernames] = await Promise.all([
      this.agents(),
      this.redis.hgetall(this.keys.agentUsernames),
    ]);
    return Object.entries(names).map(([id, name]) => (usernames[id] ? `@${usernames[id]}` : name));
  }

  /** Every agent seen, id → name. */
  agents(): Promise<Record<string, string>> {
    return this.redis.hgetall(this.keys.agents);
  }

  /** The name customers see for an agent, if they chose one. */
  async alias(agentId: string): Promise<string | undefined> {
    return (await this.redis.hget(this.keys.aliases, agentId)) ?? undefined;
  }

  /** Sets the name customers see. */
  async setAlias(agentId: string, alias: string): Promise<void> {
    await this.redis.hset(this.keys.aliases, agentId, alias);
  }

  /** Whether a conversation is banned. */
  async isBanned(conversationKey: string): Promise<boolean> {
    return (await this.redis.hexists(this.keys.banned, conversationKey)) === 1;
  }

  /** Bans (or unbans) a conversation. */
  async setBanned(conversationKey: string, banned: boolean, at: number): Promise<void> {
    if (banned) await this.redis.hset(this.keys.banned, conversationKey, at);
    else await this.redis.hdel(this.keys.banned, conversationKey);
  }

  /** Adds to an agent's counters. */
  async count(agentId: string, add: Partial<Record<Figure, number>>): Promise<void> {
    const multi = this.redis.multi();
    for (const [figure, by] of Object.entries(add))
      multi.hincrby(this.keys.stats, `${agentId}:${figure}`, by);
    await multi.exec();
  }

  /** Every agent's figures. */
  async figures(): Promise<AgentFigures[]> {
    const [raw, names] = await Promise.all([this.redis.hgetall(this.keys.stats), this.agents()]);
    const byAgent = new Map<string, AgentFigures>();
    for (const [field, value] of Object.entries(raw)) {
      const [agentId, figure] = field.split(":") as [string, Figure];
      if (!FIGURES.includes(figure)) continue;
      const f =
        byAgent.get(agentId) ??
        ({
          agentId,
          name: names[agentId] ?? agentId,
          ...Object.fromEntries(FIGURES.map((x) => [x, 0])),
        } as AgentFigures);
      f[figure] = Number(value);
      byAgent.set(agentId, f);
    }
    return [...byAgent.values()].sort((a, b) => b.handled - a.handled);
  }
}
