/**
 * One transition's working set and the small helpers every step uses: saying something (and keeping
 * it in the transcript), texts in the conversation's language, buttons, going back to a question.
 */
import type { KnowledgeBase } from "./knowledge-base.js";
import type { Button, InboundEvent, OutboundReply } from "./model.js";
import type { OperatorProfile } from "./profile.js";
import { PAYLOAD, type SmallTalk } from "./recognize.js";
import { TRANSCRIPT_MAX_LINES } from "./state.js";
import { t, type TextKey } from "./texts/index.js";
import type { ConversationState, Effect, FlowContext, TranscriptLine } from "./types.js";

/** Each transcript line is cut to this many characters (an agent card must stay readable). */
export const TRANSCRIPT_MAX_CHARS = 300;

/** The work of one step: the state being built, and what to send and do. */
export interface Turn {
  state: ConversationState;
  event: InboundEvent;
  ctx: FlowContext;
  kb: KnowledgeBase;
  profile: OperatorProfile | undefined;
  replies: OutboundReply[];
  effects: Effect[];
}

/** Cuts a text to `max` characters with an ellipsis. */
export function truncate(text: string, max = TRANSCRIPT_MAX_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Appends a customer line (text already masked) to the transcript and keeps the last lines only.
 * The bot's own lines are not kept: the agent's card shows the customer's words, the bot's texts are
 * fixed and no news to an agent, and the state is stored on every update of every conversation.
 */
export function record(turn: Turn, text: string): void {
  if (text.trim() === "") return;
  const line: TranscriptLine = { from: "customer", text: truncate(text), at: turn.ctx.now };
  turn.state.transcript = [...turn.state.transcript, line].slice(-TRANSCRIPT_MAX_LINES);
}

/** A text of the conversation's locale, with the operator's profile applied. */
export function txt(turn: Turn, key: TextKey, vars?: Record<string, string | number>): string {
  return t(turn.state.locale, key, vars, turn.profile);
}

/** Sends a reply. */
export function say(turn: Turn, text: string, buttons?: Button[][]): void {
  turn.replies.push(buttons ? { text, buttons } : { text });
}

/** A button with a text of the conversation's locale. */
export function button(turn: Turn, key: TextKey, payload: string): Button {
  return { label: txt(turn, key), payload };
}

/** «Нет аккаунта» and «Не помню логин». */
export function loginButtons(turn: Turn): Button[][] {
  return [
    [button(turn, "btnNoAccount", PAYLOAD.noAccount), button(turn, "btnForgotLogin", PAYLOAD.forgotLogin)],
  ];
}

/** The one-button row that asks for a person. */
export function specialistButton(turn: Turn, key: TextKey = "btnNeedHuman"): Button[] {
  return [button(turn, key, PAYLOAD.needHuman)];
}

/** Back to «waiting for a question», forgetting the per-question details. */
export function toQuestion(turn: Turn): void {
  turn.state.step = "question";
  turn.state.misses = 0;
  turn.state.category = undefined;
  turn.state.ticket = undefined;
  turn.state.question = undefined;
}

/** The full greeting and the login question. */
export function greetAndAskLogin(turn: Turn): void {
  say(turn, txt(turn, "greeting"));
  say(turn, txt(turn, "askLogin"), loginButtons(turn));
  turn.state.step = "login";
}

/** The short human answer to each kind of small talk. */
export const SMALL_TALK_TEXT: Record<SmallTalk, TextKey> = {
  hello: "smallHello",
  thanks: "smallThanks",
  ok: "smallOk",
  bye: "smallBye",
};
