import { APIError } from "vk-io";
import type { DeliveryFailureReason } from "../../src/channel.js";

/**
 * VK error codes that mean «slow down, then try again»: 6 too many requests per second, 9 flood
 * control, 29 rate limit reached, and 10 internal server error. vk-io already waits out 6 on its own.
 */
export const RETRYABLE_CODES: ReadonlySet<number> = new Set([6, 9, 10, 29]);

/** Codes after which the message can never reach this peer, with the reason the engine records. */
const FINAL_CODES: ReadonlyMap<number, DeliveryFailureReason> = new Map<number, DeliveryFailureReason>([
  [900, "blocked"], // the customer put the community on their blacklist
  [901, "blocked"], // no permission: the customer never allowed (or withdrew) messages from the community
  [902, "blocked"], // the customer's privacy settings forbid it
  [18, "gone"], // the page was deleted or banned
  [917, "gone"], // no access to the conversation
  [936, "gone"], // contact not found
  [945, "gone"], // the chat was disabled
  [946, "gone"], // the chat is not supported
]);

/**
 * Codes for a keyboard VK will not take: 911 bad keyboard format, 912 «bot abilities» are off in the
 * community settings. The reply is sent again with the buttons as a numbered list.
 */
export const KEYBOARD_REFUSED_CODES: ReadonlySet<number> = new Set([911, 912]);

/**
 * Codes that mean the bot itself is misconfigured (bad token, no rights): no reply can get through
 * until an operator fixes it, so they are not recorded against the customer.
 */
export const SETUP_CODES: ReadonlySet<number> = new Set([5, 7, 15, 27, 28]);

/** The VK error code of an error, when it is a VK API error. */
export function vkCodeOf(err: unknown): number | undefined {
  return err instanceof APIError ? Number(err.code) : undefined;
}

/**
 * How the sender treats a failed call:
 * - `retry`: transient (rate limits, VK's 10); retried with backoff, bounded; when the tries are spent,
 *   a `VkTransientError`, which the engine treats like a network failure: the reply stays in the
 *   outbox and is sent again when the update is delivered again.
 * - `final`: the customer cannot be written to (blocked, gone) or VK rejects this message for good;
 *   a `DeliveryError` with the reason.
 * - `keyboard`: VK refused the keyboard; send again without it.
 * - `raise`: not a verdict on this message (network down, bad token): thrown as is, so the engine
 *   keeps the reply in its outbox and it is sent again later.
 */
export type VkFailure =
  | { action: "retry"; code: number }
  | { action: "final"; code: number; reason: DeliveryFailureReason }
  | { action: "keyboard"; code: number }
  | { action: "raise" };

/** Classifies a failed API call (see `VkFailure`). */
export function classifyVkError(err: unknown): VkFailure {
  const code = vkCodeOf(err);
  if (code === undefined || SETUP_CODES.has(code)) return { action: "raise" };
  if (RETRYABLE_CODES.has(code)) return { action: "retry", code };
  if (KEYBOARD_REFUSED_CODES.has(code)) return { action: "keyboard", code };
  // Any other API error is VK's final word on this message (bad parameter, too long…): retrying the
  // same request cannot change it, and looping on it would block the conversation.
  return { action: "final", code, reason: FINAL_CODES.get(code) ?? "rejected" };
}

/**
 * VK kept answering a transient error (9, 10, 29) through all of the sender's tries. Not a verdict on
 * the message: the engine keeps the outbox and the reply goes out on the update's next delivery (Long
 * Poll reads the same `ts` again; the Callback API posts the event again). `random_id` keeps that
 * resend from posting what did get through twice.
 */
export class VkTransientError extends Error {
  override readonly name = "VkTransientError";
  constructor(
    readonly method: string,
    readonly peer: string,
    readonly code: number,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(
      `VK ${method} to peer ${peer} still failed with code ${code} after ${attempts} tries; the reply is ` +
        "kept and sent again on the next delivery of the update. If this is frequent, the community sends " +
        "faster than VK allows (lower VK_API_LIMIT) or VK is having trouble.",
      options,
    );
  }
}

/**
 * Hides a vk-io `APIError`'s `params` from log serializers, which copy every enumerable property:
 * VK echoes the request's parameters back, message text included. It stays readable for a debugger.
 */
export function hideRequestParams(err: unknown): void {
  if (err instanceof APIError && Object.hasOwn(err, "params")) {
    Object.defineProperty(err, "params", { value: err.params, enumerable: false });
  }
}
