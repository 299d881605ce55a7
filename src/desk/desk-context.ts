import type { SystemSignal } from "../../flows/model.js";
import type { QueueStatus } from "../../flows/types.js";
import type { HandoffRecord } from "../handoff/handoff-record.js";
import type { DeskOptions } from "./desk-options.js";
import type { DeskDirectory } from "./directory.js";
import type { DeskTexts } from "./desk-texts.js";

/**
 * What every part of the desk works with; built once by `Desk` from its options (the documented
 * fields there) and what the desk makes of them.
 */
export type DeskContext = Pick<
  DeskOptions,
  | "api"
  | "records"
  | "store"
  | "senders"
  | "sink"
  | "flow"
  | "agentPrefix"
  | "bullPrefix"
  | "hours"
  | "logger"
  | "metrics"
> & {
  directory: DeskDirectory;
  /** Where a handoff stands (the gateway's answer, with working hours applied). */
  status(handoffId: string): Promise<QueueStatus>;
  texts: DeskTexts;
  /** The desk's time zone (of its working hours), for «when asked». */
  timeZone: string;
  now: () => number;
};

/**
 * Sends a desk signal into the customer's conversation through the inbound sink: ordered with the
 * customer's own messages and deduped on `updateId`, as any inbound update.
 */
export async function signal(
  c: DeskContext,
  record: HandoffRecord,
  sig: SystemSignal,
  updateId: string,
): Promise<void> {
  await c.sink.accept({
    channel: record.channel,
    conversationKey: record.conversationKey,
    chatId: record.chatId,
    userId: "desk",
    kind: "system",
    signal: sig,
    updateId: `desk-${updateId}`,
    at: c.now(),
  });
  // The desk's job (or the agent's action) is done once this resolves: the outbox is marked done first,
  // so a crash cannot leave a claim's or a close's message to be sent again with the customer's next line.
  await c.sink.settle?.(record.conversationKey);
}

/** Runs a courtesy call (a card edit, a rename): a failure is logged and must not stop the action. */
export async function courtesy(c: DeskContext, what: string, handoffId: string, call: Promise<unknown>) {
  try {
    await call;
  } catch (err) {
    c.logger.warn({ err, handoff: handoffId }, `${what} failed`);
  }
}
