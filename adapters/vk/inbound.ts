import type { Logger } from "pino";
import type { API } from "vk-io";
import type { AcceptStatus, InboundSink } from "../../src/engine/inbound-sink.js";
import { type ChoiceMemory, resolveChoice } from "./choices.js";
import { vkCodeOf } from "./errors.js";
import { type MessageEventAnswer, normalizeUpdate } from "./normalize.js";

/** What the inbound side needs, shared by Long Poll and the Callback API. */
export interface VkInboundDeps {
  api: API;
  sink: InboundSink;
  choices: ChoiceMemory;
  logger: Logger;
  now?: () => number;
}

/** The outcome of one update: the core's status, or `ignored` when it was not for the flow. */
export type VkInboundOutcome = AcceptStatus | "ignored";

/**
 * Handles one VK update from either transport: normalize → read a numbered-list answer → hand to the
 * core, which dedupes and resolves once the outcome is durable → answer a callback-button press.
 *
 * Rejects when the core could not make the outcome durable (Redis down): the transport must then get
 * the update again (Long Poll re-reads from the same `ts`; the Callback API answers 500 and VK retries).
 */
export async function handleVkUpdate(update: unknown, deps: VkInboundDeps): Promise<VkInboundOutcome> {
  const normalized = normalizeUpdate(update, { now: deps.now });
  if ("ignored" in normalized) {
    deps.logger.debug({ reason: normalized.ignored }, "vk update ignored");
    if (normalized.answer) await answerPress(deps, normalized.answer);
    return "ignored";
  }
  const event = await resolveChoice(normalized.event, deps.choices);
  const status = await deps.sink.accept(event);
  // Both transports take the update as done once this resolves: the outbox must be marked done first,
  // or a crash could replay replies the customer already has.
  await deps.sink.settle?.(event.conversationKey);
  // Answered after the core is done, so the spinner stops once the reply is on its way; a duplicate is
  // answered too, since the first delivery may have failed before its answer.
  if (normalized.answer) await answerPress(deps, normalized.answer);
  return status;
}

/**
 * Stops a callback button's spinner (`messages.sendMessageEventAnswer` without `event_data`). Best
 * effort: a press answered late or twice is refused by VK, and the reply itself already went out.
 */
async function answerPress(deps: VkInboundDeps, answer: MessageEventAnswer): Promise<void> {
  try {
    await deps.api.messages.sendMessageEventAnswer({
      event_id: answer.eventId,
      user_id: answer.userId,
      peer_id: answer.peerId,
    });
  } catch (err) {
    deps.logger.warn({ peer: answer.peerId, code: vkCodeOf(err) }, "vk sendMessageEventAnswer failed");
  }
}
