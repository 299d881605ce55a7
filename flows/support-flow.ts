/**
 * The support flow (DESIGN.md «The support flow»): greeting → login → question → one category's
 * answer, clarify, or handoff; relays while an agent owns the conversation; rating at the end.
 *
 * A transition is pure: `(state, event, ctx) → (state, replies, effects)`. No clock (ctx.now),
 * no I/O, no randomness; the engine carries out the effects after saving the state.
 */
import { z } from "zod";
import type { Button, GlobalCommand, InboundEvent, Locale, OutboundReply } from "./model.js";
import { isConfident } from "./classifier/index.js";
import { answerOf, defaultKnowledgeBase, FALLBACK_ENTRY_ID, type KnowledgeBase } from "./knowledge-base.js";
import { NO_ACCOUNT_PAYLOAD, parseLogin } from "./login.js";
import { mask } from "./mask.js";
import { CATEGORY_LABEL_KEY, t, type TextKey } from "./texts/index.js";
import {
  CATEGORIES,
  type Category,
  type ConversationState,
  type Effect,
  type FlowContext,
  type FlowStep,
  type HandoffRequest,
  type Priority,
  type QueueStatus,
  STATE_VERSION,
  type StepName,
  type StepResult,
  type TranscriptLine,
} from "./types.js";

/** How many transcript lines are kept: enough for the agent card, small enough to store per update. */
export const TRANSCRIPT_MAX_LINES = 12;

/** Each transcript line is cut to this many characters (an agent card must stay readable). */
export const TRANSCRIPT_MAX_CHARS = 300;

/**
 * The bot's own lines are cut much shorter: the agent needs the customer's words in full, but only a
 * hint of what the bot answered (its texts are fixed), and the state is stored on every update.
 */
export const TRANSCRIPT_BOT_MAX_CHARS = 24;

/** Unclear questions in a row before the flow stops asking and hands off. */
export const MAX_MISSES = 2;

/** Clarify offers at most this many category buttons (plus «Оператор»). */
export const CLARIFY_MAX_CATEGORIES = 3;

/** The tag of the queue-status message, edited in place as the position changes. */
export const QUEUE_STATUS_TAG = "queue";

/** Button payloads (short ASCII, at most 48 bytes: they travel as Telegram callback data). */
export const PAYLOAD = {
  noAccount: NO_ACCOUNT_PAYLOAD,
  helpedYes: "helped_yes",
  needHuman: "need_human",
  operator: "operator",
  start: "start",
  cancel: "cancel",
  cancelWait: "cancel_wait",
  noTicket: "no_ticket",
} as const;

/** The payload of a clarify button for a category. */
export function categoryPayload(category: Category): string {
  return `cat:${category}`;
}

/** The payload of a rating button. */
export function ratingPayload(score: number): string {
  return `rate:${score}`;
}

/** The flow's locale for an event: an `en*` language hint → English, another hint → the default. */
export function localeFor(event: InboundEvent, current: Locale | undefined, fallback: Locale): Locale {
  const hint = event.languageHint?.toLowerCase();
  if (hint === undefined || hint === "") return current ?? fallback;
  if (hint.startsWith("en")) return "en";
  if (hint.startsWith("ru")) return "ru";
  return fallback;
}

/** A fresh conversation at step `new`. */
export function initialState(ctx: Pick<FlowContext, "now" | "defaultLocale">): ConversationState {
  return {
    v: STATE_VERSION,
    step: "new",
    locale: ctx.defaultLocale,
    misses: 0,
    transcript: [],
    handoffSeq: 0,
    updatedAt: ctx.now,
  };
}

// ---------------------------------------------------------------------------------------------
// Stored state: versioned, and read defensively (DESIGN invariant 6).

const STEP_NAMES = [
  "new",
  "login",
  "question",
  "clarify",
  "feedback",
  "offer",
  "ticket",
  "queued",
  "agent",
  "rating",
] as const satisfies readonly StepName[];

const TranscriptLineSchema = z.object({
  from: z.enum(["customer", "bot"]),
  text: z.string(),
  at: z.number().optional(),
});

const HandoffSchema = z.object({
  id: z.string().min(1),
  category: z.enum(CATEGORIES),
  priority: z.enum(["high", "normal"]),
  since: z.number(),
  agentName: z.string().optional().catch(undefined),
});

/**
 * Version 1, field by field: a field that is missing or malformed gets its default instead of
 * failing the whole state, because losing one field is better than losing the conversation.
 */
const StateV1Schema = z.object({
  v: z.literal(1),
  step: z.enum(STEP_NAMES).catch("new"),
  locale: z.enum(["ru", "en"]).optional().catch(undefined),
  login: z.string().max(128).optional().catch(undefined),
  loginKind: z.enum(["login", "contract", "domain"]).optional().catch(undefined),
  guest: z.boolean().optional().catch(undefined),
  category: z.enum(CATEGORIES).optional().catch(undefined),
  misses: z.number().int().min(0).catch(0),
  ticket: z.string().optional().catch(undefined),
  question: z.string().optional().catch(undefined),
  transcript: z.array(z.unknown()).catch([]),
  handoff: HandoffSchema.optional().catch(undefined),
  handoffSeq: z.number().int().min(0).catch(0),
  undeliverable: z.object({ reason: z.string(), at: z.number() }).optional().catch(undefined),
  updatedAt: z.number().optional().catch(undefined),
});

/** Drops keys whose value is undefined, so stored JSON and test expectations stay tidy. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The stored form of a state: JSON without fields at their defaults (`migrateState` restores them),
 * because the state is written on every update and kept for every idle conversation.
 */
export function serializeState(state: ConversationState): string {
  const { misses, handoffSeq, guest, ...rest } = state;
  return JSON.stringify({
    ...rest,
    ...(misses ? { misses } : {}),
    ...(handoffSeq ? { handoffSeq } : {}),
    ...(guest ? { guest } : {}),
  });
}

/**
 * Reads stored JSON of any shape into the current state; never throws. An unknown version or a
 * non-object gives a fresh state (keeping the handoff counter when it can be read, so a new
 * handoff id never repeats an old one); a missing or bad field gets its default.
 */
export function migrateState(
  raw: unknown,
  ctx: Pick<FlowContext, "now" | "defaultLocale">,
): ConversationState {
  const fresh = initialState(ctx);
  if (typeof raw !== "object" || raw === null) return fresh;
  const parsed = StateV1Schema.safeParse(raw);
  if (!parsed.success) {
    const seq = (raw as { handoffSeq?: unknown }).handoffSeq;
    return typeof seq === "number" && Number.isInteger(seq) && seq >= 0
      ? { ...fresh, handoffSeq: seq }
      : fresh;
  }
  const s = parsed.data;
  const transcript = s.transcript.flatMap((line) => {
    const ok = TranscriptLineSchema.safeParse(line);
    return ok.success ? [ok.data] : [];
  });
  const state: ConversationState = compact({
    ...s,
    v: STATE_VERSION,
    locale: s.locale ?? ctx.defaultLocale,
    transcript: transcript.slice(-TRANSCRIPT_MAX_LINES),
    handoff: s.handoff ? compact(s.handoff) : undefined,
    updatedAt: s.updatedAt ?? ctx.now,
  });
  // Steps that need an open handoff cannot continue without one.
  if ((state.step === "queued" || state.step === "agent" || state.step === "rating") && !state.handoff) {
    state.step = state.login !== undefined || state.guest ? "question" : "new";
  }
  return state;
}

// ---------------------------------------------------------------------------------------------
// One transition.

/** The work of one step: the state being built, and what to send and do. */
interface Turn {
  state: ConversationState;
  event: InboundEvent;
  ctx: FlowContext;
  kb: KnowledgeBase;
  replies: OutboundReply[];
  effects: Effect[];
}

function truncate(text: string, max = TRANSCRIPT_MAX_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Appends a transcript line (text already masked) and keeps the last lines only. */
function record(turn: Turn, from: TranscriptLine["from"], text: string): void {
  if (text.trim() === "") return;
  const max = from === "bot" ? TRANSCRIPT_BOT_MAX_CHARS : TRANSCRIPT_MAX_CHARS;
  // Bot lines carry no time of their own: they answer the customer line before them.
  const line: TranscriptLine =
    from === "bot"
      ? { from, text: truncate(text, max) }
      : { from, text: truncate(text, max), at: turn.ctx.now };
  turn.state.transcript = [...turn.state.transcript, line].slice(-TRANSCRIPT_MAX_LINES);
}

function txt(turn: Turn, key: TextKey, vars?: Record<string, string | number>): string {
  return t(turn.state.locale, key, vars);
}

/** Sends a reply; `keep: false` leaves boilerplate (the greeting) out of the agent's transcript. */
function say(turn: Turn, text: string, buttons?: Button[][], keep = true): void {
  turn.replies.push(buttons ? { text, buttons } : { text });
  if (keep) record(turn, "bot", text);
}

function button(turn: Turn, key: TextKey, payload: string): Button {
  return { label: txt(turn, key), payload };
}

function loginButtons(turn: Turn): Button[][] {
  return [[button(turn, "btnNoAccount", PAYLOAD.noAccount)]];
}

function greet(turn: Turn): void {
  say(turn, txt(turn, "greeting"), undefined, false);
  say(turn, txt(turn, "askLogin"), loginButtons(turn));
  turn.state.step = "login";
}

/** Back to a fresh conversation (keeping the locale and the handoff counter), then the greeting. */
function restart(turn: Turn): void {
  const { locale, handoffSeq } = turn.state;
  turn.state = { ...initialState(turn.ctx), locale, handoffSeq };
  greet(turn);
}

function handOff(
  turn: Turn,
  category: Category,
  priority: Priority = category === "urgent" ? "high" : "normal",
): void {
  const { state, event, ctx } = turn;
  const seq = state.handoffSeq + 1;
  const id = `${event.conversationKey}-${seq}`;
  state.handoffSeq = seq;
  state.step = "queued";
  state.category = category;
  state.misses = 0;
  state.handoff = { id, category, priority, since: ctx.now };
  const request: HandoffRequest = compact({
    handoffId: id,
    conversationKey: event.conversationKey,
    channel: event.channel,
    chatId: event.chatId,
    login: state.login,
    guest: state.login === undefined,
    category,
    priority,
    ticket: state.ticket,
    locale: state.locale,
    transcript: [...state.transcript],
    createdAt: ctx.now,
  });
  // No reply here: the engine sends the queue status (position, wait) once the job is enqueued.
  turn.effects.push({ type: "handoff", request });
}

/** Leaves an open handoff: the engine removes the job or tells the agent. */
function closeHandoff(turn: Turn): void {
  if (turn.state.handoff) turn.effects.push({ type: "cancel_handoff", handoffId: turn.state.handoff.id });
  turn.state.handoff = undefined;
}

/** Back to «waiting for a question», forgetting the per-question details. */
function toQuestion(turn: Turn): void {
  turn.state.step = "question";
  turn.state.misses = 0;
  turn.state.category = undefined;
  turn.state.ticket = undefined;
}

// ---------------------------------------------------------------------------------------------
// Recognizing what the customer said.

/** Plain-text forms of the global commands (VK has no commands: the same words as text). */
const COMMAND_WORDS: Record<GlobalCommand, readonly string[]> = {
  start: ["/start", "start", "начать", "старт", "начать заново", "сначала", "в начало", "restart"],
  operator: ["/operator", "оператор", "operator", "позвать оператора", "human", "человек"],
  cancel: ["/cancel", "cancel", "отмена", "отменить", "отменить ожидание", "стоп", "stop"],
};

function simplify(text: string): string {
  return text
    .toLowerCase()
    .replace(/ё/g, "е")
    .replace(/[!.?,;:«»"'()]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** The global command an event carries: a command, a command button, or the same word as text. */
function commandOf(event: InboundEvent, text: string | undefined): GlobalCommand | undefined {
  if (event.kind === "command") return event.command;
  if (event.kind === "button") {
    if (event.payload === PAYLOAD.operator) return "operator";
    if (event.payload === PAYLOAD.start) return "start";
    if (event.payload === PAYLOAD.cancel || event.payload === PAYLOAD.cancelWait) return "cancel";
    return undefined;
  }
  if (event.kind !== "text" || text === undefined) return undefined;
  const s = simplify(text);
  for (const command of ["start", "operator", "cancel"] as const) {
    if (COMMAND_WORDS[command].includes(s)) return command;
  }
  return undefined;
}

const YES =
  /^(да|ага|угу|помогло|да помогло|спасибо|спасибо помогло|yes|yep|it helped|thanks|thank you|ok|ок)$/;
const NO =
  /^(нет|не помогло|нет не помогло|специалист|нужен специалист|no|nope|it did not help|didn t help|specialist)$/;
const NO_TICKET =
  /^(нет номера|номера нет|не знаю|не помню|не знаю номер|не помню номер|no number|i don t know)$/;

/** The first ticket-like number: after «заявка/№/#/ticket» when there is one, else 5–10 digits alone. */
export function extractTicketNumber(text: string): string | undefined {
  const near = /(?:заявк\S*|обращени\S*|тикет\S*|ticket|request|№|#)\D{0,12}?(\d{4,12})(?!\d)/iu.exec(text);
  if (near?.[1]) return near[1];
  return /(?<!\d)(\d{5,10})(?!\d)/.exec(text)?.[1];
}

/** A ticket number given on its own (the answer to «send the ticket number»). */
function parseTicketAnswer(text: string): string | undefined {
  const s = text.trim().replace(/^(?:№|#|номер|заявка|ticket|no\.?)\s*/iu, "");
  const compacted = s.replace(/[\s-]/g, "");
  if (/^\d{4,12}$/.test(compacted)) return compacted;
  return extractTicketNumber(text);
}

/** A 1–5 rating from a button payload, a digit, or stars. */
function parseRating(event: InboundEvent, text: string | undefined): number | undefined {
  if (event.kind === "button") {
    const m = /^rate:([1-5])$/.exec(event.payload ?? "");
    return m ? Number(m[1]) : undefined;
  }
  if (text === undefined) return undefined;
  const s = text.trim();
  const digit = /^([1-5])(?:\s*(?:\/\s*5|из\s*5|of\s*5|⭐+|\*+))?[!.]?$/u.exec(s);
  if (digit) return Number(digit[1]);
  const stars = /^(?:⭐️?){1,5}$/u.exec(s);
  if (stars) return [...s.replace(/\uFE0F/g, "")].length;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Answers per category.

function clarifyButtons(turn: Turn, ranked: { category: Category; score: number }[]): Button[][] {
  const likely = ranked
    .filter((r) => r.category !== "operator")
    .slice(0, CLARIFY_MAX_CATEGORIES)
    .filter((r, i) => i < 2 || r.score >= 0.05);
  return [
    ...likely.map((r) => [button(turn, CATEGORY_LABEL_KEY[r.category], categoryPayload(r.category))]),
    [button(turn, "btnOperator", PAYLOAD.operator)],
  ];
}

/** Answers a category: the heart of DESIGN's table. `question` is the masked question text. */
function respond(turn: Turn, category: Category, question: string): void {
  const { state } = turn;
  state.misses = 0;
  state.category = category;
  switch (category) {
    case "general": {
      const match = turn.kb.find(question);
      const entry = match?.entry ?? turn.kb.get(FALLBACK_ENTRY_ID) ?? turn.kb.entries[0];
      const answer = entry ? answerOf(entry, state.locale) : "";
      say(turn, `${answer}\n\n${txt(turn, "feedbackQuestion")}`, [
        [button(turn, "btnYes", PAYLOAD.helpedYes), button(turn, "btnNeedHuman", PAYLOAD.needHuman)],
      ]);
      state.step = "feedback";
      return;
    }
    case "account_action":
      // Invariant 4: refuse, name the authorized routes; a specialist only for non-confidential help.
      say(turn, txt(turn, "accountRefusal"), [[button(turn, "btnNeedHuman", PAYLOAD.needHuman)]]);
      state.step = "offer";
      return;
    case "technical":
      say(turn, txt(turn, "technicalAdvice"), [[button(turn, "btnConnect", PAYLOAD.needHuman)]]);
      state.step = "offer";
      return;
    case "billing":
      say(turn, txt(turn, "billingAdvice"), [[button(turn, "btnConnect", PAYLOAD.needHuman)]]);
      state.step = "offer";
      return;
    case "urgent":
      say(turn, txt(turn, "urgentHandoff"));
      handOff(turn, "urgent", "high");
      return;
    case "ticket_status": {
      const ticket = extractTicketNumber(question);
      if (ticket !== undefined) {
        state.ticket = ticket;
        handOff(turn, "ticket_status");
        return;
      }
      say(turn, txt(turn, "askTicket"), [[button(turn, "btnNoTicket", PAYLOAD.noTicket)]]);
      state.step = "ticket";
      return;
    }
    case "operator":
      handOff(turn, "operator");
      return;
  }
}

/** Classifies a question and answers it, or clarifies, or (after two misses) hands off. */
function handleQuestion(turn: Turn, question: string): void {
  const { state, ctx } = turn;
  // Kept only while a clarify round needs it: the state is stored on every update.
  state.question = undefined;
  state.ticket = undefined;
  const c = ctx.classifier.classify(question);
  if (isConfident(c)) {
    respond(turn, c.category, question);
    return;
  }
  state.misses += 1;
  if (state.misses >= MAX_MISSES) {
    // Asking a third time would be a loop: a person sorts it out.
    const top = c.ranked[0]?.category;
    handOff(turn, top !== undefined && top !== "account_action" ? top : "operator");
    return;
  }
  state.question = truncate(question);
  say(turn, txt(turn, "clarify"), clarifyButtons(turn, c.ranked));
  state.step = "clarify";
}

// ---------------------------------------------------------------------------------------------
// Steps.

function onLogin(turn: Turn, text: string | undefined): void {
  const { event, state } = turn;
  const input = event.kind === "button" ? (event.payload ?? "") : (text ?? "");
  if (event.kind === "unsupported") {
    say(turn, txt(turn, "unsupported"));
    return;
  }
  const parsed = parseLogin(input);
  if (parsed.type === "guest") {
    state.guest = true;
    state.login = undefined;
    state.loginKind = undefined;
    say(turn, `${txt(turn, "guestAccepted")}\n\n${txt(turn, "askQuestion")}`);
    toQuestion(turn);
    return;
  }
  if (parsed.type !== "invalid") {
    state.guest = false;
    state.login = parsed.value;
    state.loginKind = parsed.type;
    say(turn, `${txt(turn, "loginAccepted", { login: parsed.value })}\n\n${txt(turn, "askQuestion")}`);
    toQuestion(turn);
    return;
  }
  // Someone whose site is down should not be held up by a login prompt.
  if (event.kind === "text" && input.trim().split(/\s+/).length >= 2) {
    const c = turn.ctx.classifier.classify(input);
    if (isConfident(c) && (c.category === "urgent" || c.category === "operator")) {
      state.question = truncate(input);
      respond(turn, c.category, input);
      return;
    }
  }
  const example = txt(turn, "loginExample");
  const key: TextKey = parsed.reason === "email" ? "loginEmail" : "loginBad";
  say(turn, txt(turn, key, { example }), loginButtons(turn));
}

function onClarify(turn: Turn, text: string | undefined): void {
  const { event, state } = turn;
  if (event.kind === "button") {
    const m = /^cat:([a-z_]+)$/.exec(event.payload ?? "");
    const picked = CATEGORIES.find((c) => c === m?.[1]);
    if (picked !== undefined) {
      const question = state.question ?? "";
      state.question = undefined;
      respond(turn, picked, question);
      return;
    }
    say(
      turn,
      txt(turn, "clarify"),
      clarifyButtons(
        turn,
        CATEGORIES.map((category) => ({ category, score: 0 })),
      ),
    );
    return;
  }
  if (text !== undefined) handleQuestion(turn, text);
}

function onFeedback(turn: Turn, text: string | undefined): void {
  const { event } = turn;
  const s = text === undefined ? "" : simplify(text);
  if (event.payload === PAYLOAD.helpedYes || (event.kind === "text" && YES.test(s))) {
    say(turn, txt(turn, "helpedYes"));
    toQuestion(turn);
    return;
  }
  if (event.payload === PAYLOAD.needHuman || (event.kind === "text" && NO.test(s))) {
    handOff(turn, turn.state.category ?? "general");
    return;
  }
  if (event.kind === "text" && text !== undefined) handleQuestion(turn, text);
}

function onOffer(turn: Turn, text: string | undefined): void {
  const { event } = turn;
  const s = text === undefined ? "" : simplify(text);
  if (
    event.payload === PAYLOAD.needHuman ||
    (event.kind === "text" && /^(да|давайте|yes|please|specialist|специалист|нужен специалист)$/.test(s))
  ) {
    handOff(turn, turn.state.category ?? "operator");
    return;
  }
  if (event.kind === "text" && /^(нет|не надо|спасибо|no|no thanks|thanks)$/.test(s)) {
    say(turn, txt(turn, "helpedYes"));
    toQuestion(turn);
    return;
  }
  if (event.kind === "text" && text !== undefined) handleQuestion(turn, text);
}

function onTicket(turn: Turn, text: string | undefined): void {
  const { event, state } = turn;
  const s = text === undefined ? "" : simplify(text);
  if (event.payload === PAYLOAD.noTicket || (event.kind === "text" && NO_TICKET.test(s))) {
    handOff(turn, "ticket_status");
    return;
  }
  if (event.kind !== "text" || text === undefined) {
    say(turn, txt(turn, "ticketBad"), [[button(turn, "btnNoTicket", PAYLOAD.noTicket)]]);
    return;
  }
  const ticket = parseTicketAnswer(text);
  if (ticket !== undefined) {
    state.ticket = ticket;
    handOff(turn, "ticket_status");
    return;
  }
  state.misses += 1;
  if (state.misses >= MAX_MISSES) {
    handOff(turn, "ticket_status");
    return;
  }
  say(turn, txt(turn, "ticketBad"), [[button(turn, "btnNoTicket", PAYLOAD.noTicket)]]);
}

function onRating(turn: Turn, text: string | undefined): void {
  const { event, state } = turn;
  const score = parseRating(event, text);
  const handoff = state.handoff;
  if (score !== undefined && handoff) {
    turn.effects.push({ type: "rating", handoffId: handoff.id, category: handoff.category, score });
    state.handoff = undefined;
    say(turn, txt(turn, "ratingThanks"));
    toQuestion(turn);
    return;
  }
  if (event.kind === "text" && text !== undefined) {
    // Not a rating: the customer moved on. Drop the rating rather than nag.
    state.handoff = undefined;
    toQuestion(turn);
    handleQuestion(turn, text);
    return;
  }
  say(turn, txt(turn, "askRating"), ratingButtons(turn));
}

function ratingButtons(_turn: Turn): Button[][] {
  return [[1, 2, 3, 4, 5].map((n) => ({ label: String(n), payload: ratingPayload(n) }))];
}

/** While queued or with an agent: customer messages go to the agent, the bot stays silent. */
function relay(turn: Turn, text: string | undefined): void {
  const { event, state } = turn;
  const handoff = state.handoff;
  if (!handoff) return;
  if (event.kind === "text" && text !== undefined) {
    turn.effects.push(
      compact({ type: "relay_to_agent" as const, handoffId: handoff.id, text, messageId: event.messageId }),
    );
  } else if (event.kind === "unsupported") {
    turn.effects.push(
      compact({
        type: "relay_to_agent" as const,
        handoffId: handoff.id,
        unsupportedKind: event.unsupportedKind ?? "unknown",
        messageId: event.messageId,
      }),
    );
  }
  // Stale buttons (from earlier bot messages) mean nothing while a person handles it.
}

function onCommand(turn: Turn, command: GlobalCommand): void {
  const { state } = turn;
  const step = state.step;
  switch (command) {
    case "start":
      if (step === "queued" || step === "agent") closeHandoff(turn);
      restart(turn);
      return;
    case "operator":
      if (step === "queued") {
        say(turn, txt(turn, "alreadyQueued"), [[button(turn, "btnCancelWait", PAYLOAD.cancelWait)]]);
      } else if (step === "agent") {
        say(turn, txt(turn, "alreadyWithAgent"));
      } else {
        // After an answer the category says what the customer needs; otherwise it is just «operator».
        const keep = step === "offer" || step === "feedback" || step === "ticket";
        handOff(turn, keep ? (state.category ?? "operator") : "operator");
      }
      return;
    case "cancel":
      if (step === "queued") {
        closeHandoff(turn);
        toQuestion(turn);
        say(turn, txt(turn, "cancelledWait"));
      } else if (step === "agent") {
        closeHandoff(turn);
        toQuestion(turn);
        say(turn, txt(turn, "agentChatEnded"));
      } else if (step === "login") {
        state.step = "new";
        say(turn, txt(turn, "cancelledLogin"));
      } else {
        if (step === "rating") state.handoff = undefined;
        toQuestion(turn);
        say(turn, txt(turn, "cancelled"));
      }
      return;
  }
}

function onSystem(turn: Turn): void {
  const { state, event } = turn;
  const signal = event.signal;
  const handoff = state.handoff;
  // A signal about another (older) handoff is stale: ignore it.
  if (!signal || !handoff || signal.handoffId !== handoff.id) return;
  switch (signal.type) {
    case "agent_claimed":
      state.step = "agent";
      handoff.agentName = signal.agentName;
      say(turn, txt(turn, "agentClaimed", { name: signal.agentName }));
      return;
    case "agent_message":
      if (state.step === "queued") state.step = "agent";
      return;
    case "agent_closed":
      state.step = "rating";
      say(turn, txt(turn, "askRating"), ratingButtons(turn));
      return;
  }
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
}

/** Builds the flow's transition function. */
export function createSupportFlow(options: SupportFlowOptions = {}): FlowStep {
  const kb = options.knowledgeBase ?? defaultKnowledgeBase();
  return (raw, event, ctx): StepResult => {
    // Always through migrateState: it copies (the input is never mutated) and repairs.
    const previous = migrateState(raw, ctx);
    const state: ConversationState = { ...previous, transcript: [...previous.transcript] };
    if (state.handoff) state.handoff = { ...state.handoff };
    state.locale = localeFor(event, raw === undefined ? undefined : state.locale, ctx.defaultLocale);
    const turn: Turn = { state, event, ctx, kb, replies: [], effects: [] };

    if (event.kind === "system") {
      onSystem(turn);
      turn.state.updatedAt = ctx.now;
      return { state: turn.state, replies: turn.replies, effects: turn.effects };
    }

    // Invariant 5: mask first; from here on only the masked text exists.
    const masked = event.text === undefined ? undefined : mask(event.text);
    const text = masked?.text;
    if (masked?.masked) say(turn, txt(turn, "maskedWarning"));

    // A long silence outside a handoff: start over.
    const idle = ctx.now - turn.state.updatedAt > ctx.idleMs;
    const handingOff = turn.state.step === "queued" || turn.state.step === "agent";
    if (idle && !handingOff && turn.state.step !== "new") {
      const { locale, handoffSeq } = turn.state;
      turn.state = { ...initialState(ctx), locale, handoffSeq };
      if (event.kind !== "command") say(turn, txt(turn, "idleRestart"), undefined, false);
    }

    record(turn, "customer", transcriptText(event, text));
    const step = turn.state.step;
    // While an agent owns the conversation, its text belongs to the agent, even «отмена».
    const command = step === "agent" && event.kind !== "command" ? undefined : commandOf(event, text);

    if (command !== undefined && !(step === "new" && command !== "operator")) {
      onCommand(turn, command);
    } else if (step === "new") {
      greet(turn);
    } else if (step === "queued" || step === "agent") {
      relay(turn, text);
    } else if (event.kind === "unsupported") {
      say(turn, txt(turn, "unsupported"));
    } else {
      switch (step) {
        case "login":
          onLogin(turn, text);
          break;
        case "question":
          if (event.kind === "text" && text !== undefined) handleQuestion(turn, text);
          else if (event.kind === "button" && /^cat:/.test(event.payload ?? "")) onClarify(turn, text);
          else say(turn, txt(turn, "askQuestion"));
          break;
        case "clarify":
          onClarify(turn, text);
          break;
        case "feedback":
          onFeedback(turn, text);
          break;
        case "offer":
          onOffer(turn, text);
          break;
        case "ticket":
          onTicket(turn, text);
          break;
        case "rating":
          onRating(turn, text);
          break;
      }
    }
    turn.state.updatedAt = ctx.now;
    return { state: turn.state, replies: turn.replies, effects: turn.effects };
  };
}

/** The support flow's transition, with the bundled knowledge base. */
export const step: FlowStep = createSupportFlow();

/**
 * The queue-status message: position, expected wait, the after-hours notice with the phone and
 * panel-ticket routes, and [Отменить ожидание]. Tagged so later updates edit it in place; the
 * first send is a new message (the desk sets `edit` when it refreshes the position).
 */
export function renderQueueStatus(locale: Locale, status: QueueStatus): OutboundReply {
  if (status.taken) return { text: t(locale, "queueTaken"), tag: QUEUE_STATUS_TAG };
  const lines = [t(locale, "queuePosition", { position: status.position })];
  lines.push(
    status.waitMinutes === undefined
      ? t(locale, "queueWaitUnknown")
      : t(locale, "queueWait", { minutes: Math.max(1, Math.round(status.waitMinutes)) }),
  );
  if (status.afterHours)
    lines.push(t(locale, "queueAfterHours", { backAt: formatBackAt(locale, status.afterHours) }));
  lines.push(t(locale, "queueHint"));
  return {
    text: lines.join("\n\n"),
    buttons: [[{ label: t(locale, "btnCancelWait"), payload: PAYLOAD.cancelWait }]],
    tag: QUEUE_STATUS_TAG,
  };
}

/** «вт 09:00 (Europe/Moscow)» / «Tue 09:00 (Europe/Moscow)»: the weekday in the customer's language. */
export function formatBackAt(locale: Locale, back: { backAt: number; timeZone: string }): string {
  const when = new Intl.DateTimeFormat(locale === "ru" ? "ru-RU" : "en-GB", {
    timeZone: back.timeZone,
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(back.backAt);
  return `${when} (${back.timeZone})`;
}

/** The one «please slow down» message for a customer who floods the bot. */
export function floodNotice(locale: Locale): OutboundReply {
  return { text: t(locale, "floodNotice") };
}

/** What the desk puts before an agent's words when relaying them to the customer. */
export function agentReplyPrefix(locale: Locale): string {
  return t(locale, "agentPrefix");
}
