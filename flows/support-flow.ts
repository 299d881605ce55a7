/**
 * The support flow (DESIGN «The support flow» and «How the bot talks»): a first message is greeted
 * *and* handled; questions are answered, refused with the route, or handed to a person; the login is
 * asked for when a handoff needs it; while an agent owns the conversation messages are relayed; a
 * rating ends it. This file turns one event into a call of its step (`steps.ts`, `answers.ts`,
 * `handoff-steps.ts`); `turn.ts` holds what every step shares.
 *
 * A transition is pure: `(state, event, ctx) → (state, replies, effects)`. No clock (ctx.now),
 * no I/O, no randomness; the engine carries out the effects after saving the state.
 */
import { handleQuestion } from "./answers.js";
import { needPerson, onSystem, relay } from "./handoff-steps.js";
import { defaultKnowledgeBase, type KnowledgeBase } from "./knowledge-base.js";
import { parseLogin } from "./login.js";
import { mask } from "./mask.js";
import type { InboundEvent, Locale } from "./model.js";
import type { OperatorProfile } from "./profile.js";
import { commandOf, PAYLOAD, smallTalkOf } from "./recognize.js";
import { compact, initialState } from "./state.js";
import {
  onClarify,
  onCommand,
  onFeedback,
  onLogin,
  onNew,
  onOffer,
  onRating,
  onSelfOrUs,
  onTicket,
} from "./steps.js";
import { record, say, type Turn, txt } from "./turn.js";
import type { ConversationState, FlowStep, StepResult } from "./types.js";

export { categoryPayload, CLARIFY_MAX_CATEGORIES, MAX_MISSES } from "./answers.js";
export { MAX_HANDOFFS_PER_HOUR } from "./handoff-steps.js";
export {
  agentReplyPrefix,
  floodNotice,
  formatBackAt,
  QUEUE_STATUS_TAG,
  renderQueueStatus,
} from "./queue-status.js";
export { PAYLOAD, ratingPayload } from "./recognize.js";
export { initialState, migrateState, serializeState, TRANSCRIPT_MAX_LINES } from "./state.js";
export { MAX_LOGIN_TRIES } from "./steps.js";
export { TRANSCRIPT_MAX_CHARS } from "./turn.js";

/**
 * The locale of a new conversation from the platform's hint: an `en*` hint → English, `ru*` →
 * Russian, another → the default. Once the customer writes, what they write decides.
 */
export function localeFor(event: InboundEvent, current: Locale | undefined, fallback: Locale): Locale {
  if (current !== undefined) return current;
  const hint = event.languageHint?.toLowerCase();
  if (hint?.startsWith("en")) return "en";
  return fallback;
}

/** A login, a contract number, an email or a domain: one token that is not a word of any language. */
function looksLikeIdentifier(text: string): boolean {
  const small = smallTalkOf(text);
  // «ok» is typed the same in both languages: it decides nothing either.
  if (small === "ok") return true;
  if (small !== undefined) return false;
  const parsed = parseLogin(text);
  return parsed.type !== "invalid" || parsed.reason === "email";
}

/** The customer-side text of an event for the transcript (already masked). */
function transcriptText(event: InboundEvent, text: string | undefined): string {
  switch (event.kind) {
    case "text":
      return text ?? "";
    case "button":
      return `[${text ?? event.payload ?? ""}]`;
    case "command":
      return `/${event.command ?? ""}`;
    case "unsupported":
      return `[${event.unsupportedKind ?? "unsupported"}]`;
    case "system":
      return "";
  }
}

/** Options for `createSupportFlow`. */
export interface SupportFlowOptions {
  /** The knowledge base for general questions. @defaultValue the bundled, validated base */
  knowledgeBase?: KnowledgeBase;
  /** The operator's contacts and text overrides. @defaultValue none: contacts read neutrally */
  profile?: OperatorProfile;
}

/** Builds the flow's transition function. */
export function createSupportFlow(options: SupportFlowOptions = {}): FlowStep {
  const kb = options.knowledgeBase ?? defaultKnowledgeBase();
  const profile = options.profile;
  return (previous, event, ctx): StepResult => {
    // The engine has read the stored state through `migrateState` once; copy, never mutate it.
    const base = previous ?? initialState(ctx);
    const state: ConversationState = { ...base, transcript: [...base.transcript] };
    if (state.handoff) state.handoff = { ...state.handoff };
    state.locale = localeFor(event, previous === undefined ? undefined : state.locale, ctx.defaultLocale);
    const turn: Turn = { state, event, ctx, kb, profile, replies: [], effects: [] };

    if (event.kind === "system") {
      onSystem(turn);
      turn.state.updatedAt = ctx.now;
      return { state: turn.state, replies: turn.replies, effects: turn.effects };
    }

    // Invariant 5: mask first; from here on only the masked text exists.
    const masked = event.text === undefined ? undefined : mask(event.text);
    const text = masked?.text;
    const reading = event.kind === "text" && text !== undefined ? ctx.classifier.read(text) : undefined;
    // The customer's language is what they write («Latin → English until they write Russian»).
    // A login, an email or a domain says nothing about the language; «hi» or a sentence does.
    if (reading?.language !== undefined && !looksLikeIdentifier(reading.text))
      turn.state.locale = reading.language;
    if (masked?.masked) say(turn, txt(turn, "maskedWarning"));

    // A long silence outside a handoff: start over, and still handle what they wrote now.
    const idle = ctx.now - turn.state.updatedAt > ctx.idleMs;
    const handingOff = turn.state.step === "queued" || turn.state.step === "agent";
    if (idle && !handingOff && turn.state.step !== "new") {
      const { locale, handoffSeq, handoffTimes } = turn.state;
      turn.state = compact({ ...initialState(ctx), locale, handoffSeq, handoffTimes });
    }

    record(turn, transcriptText(event, text));
    const step = turn.state.step;
    // While an agent owns the conversation, its text belongs to the agent, even «отмена».
    const command = step === "agent" && event.kind !== "command" ? undefined : commandOf(event, text);

    if (command !== undefined && !(step === "new" && command === "cancel")) {
      onCommand(turn, command);
    } else if (step === "queued" || step === "agent") {
      relay(turn, text);
    } else if (event.unsupportedKind === "edited_message") {
      // An edit outside a handoff: the bot already answered the original; answering again, or
      // saying «text only», would confuse more than help.
    } else if (event.kind === "unsupported" && step !== "login") {
      say(turn, txt(turn, "unsupported"));
    } else {
      switch (step) {
        case "new":
          onNew(turn, reading);
          break;
        case "login":
          onLogin(turn, reading);
          break;
        case "question":
          if (reading !== undefined) handleQuestion(turn, reading);
          else if (event.kind === "button" && /^cat:/.test(event.payload ?? "")) onClarify(turn, reading);
          else if (event.payload === PAYLOAD.needHuman) needPerson(turn, "operator");
          else say(turn, txt(turn, "askQuestion"));
          break;
        case "clarify":
          onClarify(turn, reading);
          break;
        case "self_or_us":
          onSelfOrUs(turn, reading);
          break;
        case "feedback":
          onFeedback(turn, reading);
          break;
        case "offer":
          onOffer(turn, reading);
          break;
        case "ticket":
          onTicket(turn, reading);
          break;
        case "rating":
          onRating(turn, reading);
          break;
      }
    }
    turn.state.updatedAt = ctx.now;
    return { state: turn.state, replies: turn.replies, effects: turn.effects };
  };
}

/** The support flow's transition, with the bundled knowledge base. */
export const step: FlowStep = createSupportFlow();
