import type { Effect, HandoffRequest, QueueStatus } from "../../flows/types.js";

/** A customer message for the agent who owns (or will own) a handoff. */
export type RelayEffect = Extract<Effect, { type: "relay_to_agent" }>;

/** A customer's 1–5 rating of a closed handoff. */
export type RatingEffect = Extract<Effect, { type: "rating" }>;

/**
 * The engine's seam to the human side: queueing handoffs and passing customer messages on.
 * Every call is idempotent on its ids, because the engine carries out an unfinished outbox again
 * after a crash.
 */
export interface HandoffGateway {
  /** Puts the handoff in the queue (once per `handoffId`) and says where it stands. */
  request(request: HandoffRequest): Promise<QueueStatus>;
  /** The customer stopped waiting. */
  cancel(handoffId: string): Promise<void>;
  /** A customer message (masked) for the desk; `updateId` makes a repeat harmless. */
  relay(effect: RelayEffect, updateId: string): Promise<void>;
  /** Records a rating. */
  rate(effect: RatingEffect): Promise<void>;
}
