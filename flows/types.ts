/**
 * The support flow's contract with the engine. A transition is
 * `(state, event, context) → (state, replies, effects)`; it is pure: no I/O, no clock, no randomness.
 * The engine carries out effects (queueing a handoff, relaying to an agent) after saving the state.
 */
import type { ChannelId, InboundEvent, Locale, OutboundReply } from "./model.js";
import type { Reading } from "./nlp/reader.js";

/** The categories a question is classified into (DESIGN.md's table). The names are a contract. */
export const CATEGORIES = [
  "general",
  "account_action",
  "technical",
  "billing",
  "urgent",
  "ticket_status",
  "operator",
] as const;

/** One of DESIGN.md's categories. */
export type Category = (typeof CATEGORIES)[number];

/** Handoff priority: urgent questions go first in the queue. */
export type Priority = "high" | "normal";

/** What the classifier returns for one text. */
export interface Classification {
  category: Category;
  /** 0..1. */
  confidence: number;
  /** Every category with its score, best first (used to build the clarify buttons). */
  ranked: { category: Category; score: number }[];
  /** Set when an explicit rule decided (e.g. `account_action:change_owner`), for evaluation and logs. */
  rule?: string;
  /**
   * What the customer is doing with the words (see `classifier/intent.ts`), when it was read; a
   * `howto` question («как самому…») is answered, never refused.
   */
  act?: "howto" | "request" | "report" | "why" | "other";
  /**
   * True when the model hears an account action that no rule confirms: the flow asks whether the
   * customer wants us to do it or asks how to do it themselves, instead of refusing on a guess.
   */
  askSelfOrUs?: boolean;
}

/** The classifier seam: sync, pure, loaded once. */
export interface Classifier {
  /** Reads a message once: its language, its words with translit and typos repaired, its stems. */
  read(text: string): Reading;
  /** Classifies a message (or its reading, so the knowledge base can share it). */
  classify(text: string | Reading): Classification;
}

/** The flow's steps. */
export type StepName =
  | "new" // nothing said yet: the next event gets the greeting
  | "login" // waiting for the account login / contract number / domain, or «Нет аккаунта»
  | "question" // waiting for the description of the situation
  | "clarify" // low confidence: waiting for a category button
  | "self_or_us" // «сделать нам или подсказать, как самому?»: waiting for the answer
  | "feedback" // «Помогло?» after a knowledge-base answer
  | "offer" // after a refusal or a ticket suggestion: [Специалист] offered
  | "ticket" // ticket_status: waiting for the ticket number
  | "queued" // handed off, waiting for an agent
  | "agent" // an agent owns the conversation: messages are relayed
  | "rating"; // the agent closed: waiting for a 1–5 rating

/** One line of the transcript kept for the agent card; text is masked before it is stored. */
export interface TranscriptLine {
  from: "customer" | "bot";
  text: string;
  /** When the customer wrote it; bot lines have none (they answer the line before). */
  at?: number;
}

/** The handoff currently open for this conversation. */
export interface OpenHandoff {
  /** `${conversationKey}-${seq}`: the BullMQ job id, so a repeated request cannot create two. */
  id: string;
  category: Category;
  priority: Priority;
  since: number;
  agentName?: string;
}

/** Current version of the stored state shape; bump it and extend `migrateState` on change. */
export const STATE_VERSION = 1;

/** Everything the flow remembers about one conversation. Stored as JSON, versioned. */
export interface ConversationState {
  v: typeof STATE_VERSION;
  step: StepName;
  locale: Locale;
  /** The account login (or contract number, or domain) as the customer claimed it: never verified. */
  login?: string;
  loginKind?: "login" | "contract" | "domain";
  guest?: boolean;
  category?: Category;
  /** Consecutive classification misses (clarify rounds); two → hand off. */
  misses: number;
  ticket?: string;
  /**
   * The customer's last question (masked, truncated), kept so a category picked from the clarify
   * buttons can still be answered from it (e.g. the knowledge-base lookup for `general`).
   */
  question?: string;
  /** A handoff waiting for the login (the customer asked for a person before giving one). */
  pending?: Category;
  /** Failed answers to the login question in a row; after two the flow goes on as a guest. */
  loginTries?: number;
  /** Refusals in a row: the second one is short instead of the same text again. */
  refusals?: number;
  /** When the last handoffs were requested (epoch ms, the last hour only): a cap against abuse. */
  handoffTimes?: number[];
  /** The last lines of the conversation, masked, capped (see the flow for the cap). */
  transcript: TranscriptLine[];
  handoff?: OpenHandoff;
  /** Counts handoffs of this conversation, so each gets a fresh id. */
  handoffSeq: number;
  /** Set when a reply could not be delivered (blocked bot, deleted chat). */
  undeliverable?: { reason: string; at: number };
  updatedAt: number;
}

/** The data a handoff job carries (queue `handoffs`); secrets are already masked. */
export interface HandoffRequest {
  handoffId: string;
  conversationKey: string;
  channel: ChannelId;
  chatId: string;
  login?: string;
  guest: boolean;
  category: Category;
  priority: Priority;
  ticket?: string;
  locale: Locale;
  transcript: TranscriptLine[];
  createdAt: number;
}

/** Side effects the engine carries out after the new state is saved. */
export type Effect =
  | { type: "handoff"; request: HandoffRequest }
  | { type: "cancel_handoff"; handoffId: string }
  | {
      type: "relay_to_agent";
      handoffId: string;
      /** Masked text, or undefined for a non-text message (see `unsupportedKind`, `messageId`). */
      text?: string;
      unsupportedKind?: string;
      /**
       * The masked caption of a relayed photo or document: the desk copies the message with this
       * caption instead of the original, which may hold a password or a card number.
       */
      caption?: string;
      /** True when `text` is the new text of a message the customer edited. */
      edited?: boolean;
      /** True when the text came with attachments the desk should fetch (VK: a photo with a caption). */
      withAttachments?: boolean;
      messageId?: string;
    }
  | { type: "rating"; handoffId: string; category: Category; score: number };

/** What one transition returns. */
export interface StepResult {
  state: ConversationState;
  replies: OutboundReply[];
  effects: Effect[];
}

/** What the engine tells the flow about the world; the flow reads no clock of its own. */
export interface FlowContext {
  now: number;
  /** A conversation idle for longer than this starts over with a greeting. */
  idleMs: number;
  /** The default locale for new conversations. */
  defaultLocale: Locale;
  classifier: Classifier;
}

/** Inputs to the queue-status message (position and expected wait), edited in place as they change. */
export interface QueueStatus {
  position: number;
  /** Expected wait in minutes, or undefined when there is no recent data. */
  waitMinutes?: number;
  /** Outside working hours: when agents are back (epoch ms), shown in the desk's time zone. */
  afterHours?: { backAt: number; timeZone: string };
  /** True once an agent has taken the conversation. */
  taken?: boolean;
  /**
   * False when no desk worker serves the queue right now: the customer is told the truth and the
   * other routes instead of «you are in the queue». Undefined means unknown (treated as served).
   */
  served?: boolean;
  /** The customer has no account (or gave no login): no panel ticket is suggested to them. */
  guest?: boolean;
}

/** The signature of a flow transition. */
export type FlowStep = (
  state: ConversationState | undefined,
  event: InboundEvent,
  ctx: FlowContext,
) => StepResult;

/** The flow as the engine runs it: the one contract between `src/engine` and `flows/`. */
export interface FlowModule {
  step: FlowStep;
  /** Turns stored JSON of any earlier shape into the current state; never throws. */
  migrateState(raw: unknown, ctx: FlowContext): ConversationState;
  /** The stored form of a state (read back by `migrateState`). @defaultValue JSON.stringify */
  serializeState?(state: ConversationState): string;
  /** The queue-status message shown after a handoff. */
  renderQueueStatus(locale: Locale, status: QueueStatus): OutboundReply;
  /** The one «please slow down» message for a flooding customer. */
  floodNotice(locale: Locale): OutboundReply;
}
