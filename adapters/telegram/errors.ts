import { GrammyError } from "grammy";
import { DeliveryError } from "../../src/channel.js";

/**
 * Turns a Bot API error that no retry can fix into a `DeliveryError`: 403 (the customer blocked the
 * bot, deleted their account, or never started it) and 400 «chat not found» / «user not found».
 * Returns `undefined` for anything else, which the caller rethrows as it is.
 */
export function toDeliveryError(err: unknown, chatId: string): DeliveryError | undefined {
  if (!(err instanceof GrammyError)) return undefined;
  const description = err.description.toLowerCase();
  if (err.error_code === 403) {
    const gone = description.includes("deactivated") || description.includes("kicked");
    return new DeliveryError("telegram", chatId, gone ? "gone" : "blocked", 403, { cause: err });
  }
  if (
    err.error_code === 400 &&
    (description.includes("chat not found") ||
      description.includes("user not found") ||
      description.includes("peer_id_invalid"))
  ) {
    return new DeliveryError("telegram", chatId, "gone", 400, { cause: err });
  }
  return undefined;
}

/** Whether an editMessageText failure means «send a new message instead». */
export function isEditImpossible(err: unknown): boolean {
  if (!(err instanceof GrammyError) || err.error_code !== 400) return false;
  const d = err.description.toLowerCase();
  return d.includes("message to edit not found") || d.includes("can't be edited");
}

/** Whether an editMessageText failure means the message already shows this content (a success). */
export function isNotModified(err: unknown): boolean {
  return (
    err instanceof GrammyError &&
    err.error_code === 400 &&
    err.description.toLowerCase().includes("message is not modified")
  );
}
