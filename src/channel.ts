import type { ChannelId, OutboundReply } from "../flows/model.js";

/** Why a delivery failed for good: the customer blocked the bot, or the chat no longer exists. */
export type DeliveryFailureReason = "blocked" | "gone" | "rejected";

/**
 * A delivery that cannot succeed by retrying (Telegram 403, VK 901/902, a deleted chat); the engine
 * records it on the conversation and does not retry. A transient failure (429, 5xx, VK 6/9/10/29,
 * network) whose own retries are spent is thrown as any other error instead: the engine then keeps the
 * outbox, and the reply is sent again when the update is delivered again.
 */
export class DeliveryError extends Error {
  override readonly name = "DeliveryError";
  constructor(
    readonly channel: ChannelId,
    readonly chatId: string,
    readonly reason: DeliveryFailureReason,
    readonly platformCode: number | string | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `Cannot deliver to ${channel} chat ${chatId}: ${reason} (platform code ${String(platformCode)}). ` +
        "The customer must write to the bot again before it can reply.",
      options,
    );
  }
}

/** What a send returned: the platform id of the (last) message sent or edited. */
export interface SentMessage {
  messageId: string;
}

/** Options for one send. */
export interface SendOptions {
  /** Platform message id of an earlier message to edit in place, when the reply asks for an edit. */
  editMessageId?: string;
  /**
   * A stable key for this reply (same on a retried send), so a platform with idempotent sends
   * (VK `random_id`) cannot post it twice.
   */
  idempotencyKey: string;
}

/**
 * The outbound side of a channel: renders channel-neutral replies into the platform's form.
 * One per customer channel (Telegram, VK, console).
 */
export interface ChannelSender {
  readonly channel: ChannelId;
  /** Sends (or edits) one reply; throws `DeliveryError` when it can never be delivered. */
  send(chatId: string, reply: OutboundReply, options: SendOptions): Promise<SentMessage>;
}
