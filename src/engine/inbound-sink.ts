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
 * Redis (so a webhook may answer 200 then), and rejects when it could not be (Redis down): the
 * platform should then redeliver it.
 */
export interface InboundSink {
  accept(event: InboundEvent): Promise<AcceptStatus>;
}
