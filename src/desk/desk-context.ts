import type { Logger } from "pino";
import type { Locale, SystemSignal } from "../../flows/model.js";
import type { FlowModule, QueueStatus } from "../../flows/types.js";
import type { ChannelRegistry } from "../channel-registry.js";
import type { InboundSink } from "../engine/inbound-sink.js";
import type { HandoffRecord, HandoffRecords } from "../handoff/handoff-record.js";
import type { WorkingHours } from "../handoff/working-hours.js";
import type { Metrics } from "../ops/metrics.js";
import type { ConversationStore } from "../store/conversation-store.js";
import type { DeskApi } from "./desk-api.js";
import type { DeskDirectory } from "./directory.js";
import type { DeskTexts } from "./desk-texts.js";

/** What every part of the desk works with; built once by `Desk`. */
export interface DeskContext {
  api: DeskApi;
  records: HandoffRecords;
  directory: DeskDirectory;
  /** The conversation store's methods the desk needs, and nothing more. */
  store: Pick<ConversationStore, "markUndeliverable" | "taggedMessageId">;
  /** The channel registry shared with the engine. */
  senders: ChannelRegistry;
  /** Where the desk's signals (claimed, closed) enter the customer's conversation. */
  sink: InboundSink;
  flow: Pick<FlowModule, "renderQueueStatus">;
  /** Where a handoff stands (the gateway's answer, with working hours applied). */
  status(handoffId: string): Promise<QueueStatus>;
  /** The prefix of agent replies as the customer sees them, when the agent set no alias. */
  agentPrefix(locale: Locale): string;
  texts: DeskTexts;
  /** BullMQ's key prefix for the desk's queues (one setting with the gateway's); BullMQ's own when unset. */
  bullPrefix?: string;
  hours?: WorkingHours;
  timeZone: string;
  logger: Logger;
  metrics?: Metrics;
  now: () => number;
}

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
}

/** Runs a courtesy call (a card edit, a rename): a failure is logged and must not stop the action. */
export async function courtesy(c: DeskContext, what: string, handoffId: string, call: Promise<unknown>) {
  try {
    await call;
  } catch (err) {
    c.logger.warn({ err, handoff: handoffId }, `${what} failed`);
  }
}
