/** Redis keys of the handoff side. Only `handoff-record.ts` and `desk-directory.ts` read or write them. */
export interface HandoffKeys {
  /** Sorted set of unclaimed handoff ids, by priority then time. */
  waiting: string;
  /** Recent claim waits in ms (newest first), for the wait estimate. */
  waits: string;
  /** Sorted set of claimed, open handoff ids (score: claim time), for the queue overview. */
  claimed: string;
  /** Counter that numbers topics (#n); never expires, so a number is never reused. */
  counter: string;
  /** Set when the waiting set changed since the running positions pass began. */
  positionsDirty: string;
  /** Handoffs just taken whose queue message still shows a position (the next pass says «taken»). */
  positionsTaken: string;
  /** Topic (forum thread id) → handoff id. */
  topic(threadId: number | string): string;
  /** Topic number (#n) → handoff id: a created topic's name is adopted by its number. */
  number(n: number | string): string;
  /** Hash of one handoff's facts (conversation, channel, topic, agent, times, rating). */
  meta(handoffId: string): string;
  /** Guards the creation of a handoff's topic (one creator at a time). */
  creating(handoffId: string): string;
  /** Hash: agent id → display name, of everyone who acted in the desk. */
  agents: string;
  /** Hash: agent id → Telegram @username (for mentions). */
  agentUsernames: string;
  /** Hash: agent id → the name customers see (`/alias`). */
  aliases: string;
  /** Hash: conversation key → when it was banned (`/ban`). */
  banned: string;
  /** Hash: per-agent counters (`<agentId>:<figure>`) for /stats and /metrics. */
  stats: string;
  /** The pinned queue overview's message id in General. */
  overview: string;
  /** Sorted set: conversation key's earlier handoffs (score: time), for the card's history. */
  history(conversationKey: string): string;
  /** Neglect pings sent to General in the current hour (the cap). */
  escalations(hour: number): string;
}

/**
 * The handoff keys. All share the `{handoffs}` hash tag so multi-key transactions and scripts stay in
 * one Cluster slot; the prefix is the one setting shared with the store.
 */
export function handoffKeys(prefix: string): HandoffKeys {
  const base = `${prefix}:{handoffs}`;
  return {
    waiting: `${base}:waiting`,
    waits: `${base}:waits`,
    claimed: `${base}:claimed`,
    counter: `${base}:n`,
    positionsDirty: `${base}:positions:dirty`,
    positionsTaken: `${base}:positions:taken`,
    topic: (threadId) => `${base}:topic:${threadId}`,
    number: (n) => `${base}:num:${n}`,
    meta: (id) => `${base}:meta:${id}`,
    creating: (id) => `${base}:meta:${id}:creating`,
    agents: `${base}:agents`,
    agentUsernames: `${base}:agents:usernames`,
    aliases: `${base}:aliases`,
    banned: `${base}:banned`,
    stats: `${base}:stats`,
    overview: `${base}:overview`,
    history: (conv) => `${base}:history:${conv}`,
    escalations: (hour) => `${base}:escalations:${hour}`,
  };
}

/**
 * The BullMQ prefix of every queue and worker: the key prefix in a hash tag (`{sb}`), so each of
 * BullMQ's scripts, which touch several keys of one queue, stays in one Redis Cluster slot (BullMQ's
 * own advice). All queues share that slot; the conversations' keys spread over the whole Cluster.
 */
export function queuePrefix(prefix: string): string {
  return `{${prefix}}`;
}
