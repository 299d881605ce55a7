import type { InboundEvent } from "../../flows/model.js";

/** What happened to one accepted inbound event. */
export type AcceptStatus =
  /** Handled now: state saved, effects carried out, replies sent (or recorded as undeliverable). */
  | "handled"
  /** Seen before (same platform update id): nothing done again. */
  | "duplicate"
  /** Dropped on purpose (e.g. flood limit); nothing stored for it. */
  | "dropped";

/**
 * Where adapters hand normalized events. `accept` resolves once the event's outcome is durable in
 * Redis — its state and its outbox, so nothing can be lost — and rejects when it could not be (Redis
 * down): the platform should then redeliver it.
 */
export interface InboundSink {
  accept(event: InboundEvent): Promise<AcceptStatus>;
  /**
   * Resolves when the outboxes of the events accepted so far (of one conversation, or of all) are
   * marked done in Redis. An adapter calls it before it confirms updates to the platform (a webhook's
   * 200, a polling offset): a crash after that can then no longer replay replies the customer already
   * has, except through a redelivery. Sinks that mark outboxes done before `accept` resolves need not
   * have it.
   */
  settle?(conversationKey?: string): Promise<void>;
}
