/** Redis keys of the handoff side. */
export interface HandoffKeys {
  /** Sorted set of unclaimed handoff ids, by priority then time. */
  waiting: string;
  /** Recent claim waits in ms (newest first), for the wait estimate. */
  waits: string;
  /** Counter that numbers topics (#n). */
  counter: string;
  /** Lock of the pass that edits customers' queue positions (one pass at a time, all instances). */
  positionsLock: string;
  /** Set when the waiting set changed since the running positions pass began. */
  positionsDirty: string;
  /** Handoffs just taken whose queue message still shows a position (the next pass says «taken»). */
  positionsTaken: string;
  /** Topic (forum thread id) → handoff id. */
  topic(threadId: number | string): string;
  /** Hash of one handoff's facts (conversation, channel, topic, agent, times, rating). */
  meta(handoffId: string): string;
}

/**
 * The handoff keys. All share the `{handoffs}` hash tag so multi-key transactions stay in one
 * Cluster slot.
 */
export function handoffKeys(prefix: string): HandoffKeys {
  const base = `${prefix}:{handoffs}`;
  return {
    waiting: `${base}:waiting`,
    waits: `${base}:waits`,
    counter: `${base}:n`,
    positionsLock: `${base}:positions:lock`,
    positionsDirty: `${base}:positions:dirty`,
    positionsTaken: `${base}:positions:taken`,
    topic: (threadId) => `${base}:topic:${threadId}`,
    meta: (id) => `${base}:meta:${id}`,
  };
}
