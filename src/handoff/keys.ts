/** Redis keys of the handoff side. */
export interface HandoffKeys {
  /** Sorted set of unclaimed handoff ids, by priority then time. */
  waiting: string;
  /** Recent claim waits in ms (newest first), for the wait estimate. */
  waits: string;
  /** Stream of customer-side events for the desk (messages, cancels, ratings). */
  events: string;
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
    events: `${base}:events`,
    meta: (id) => `${base}:meta:${id}`,
  };
}
