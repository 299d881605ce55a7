/**
 * The support flow (DESIGN «The support flow» and «How the bot talks»): a first message is greeted
 * *and* handled; questions are answered, refused with the route, or handed to a person; the login is
 * asked for when a handoff needs it; while an agent owns the conversation messages are relayed; a
 * rating ends it.
 *
 * A transition is pure: `(state, event, ctx) → (state, replies, effects)`. No clock (ctx.now),
 * no I/O, no randomness; the engine carries out the effects after saving the state.
 */
import { isConfident } from "./classifier/index.js";
import { answerOf, defaultKnowledgeBase, type KnowledgeBase } from "./knowledge-base.js";
import { parseLogin } from "./login.js";
import { mask } from "./mask.js";
import type { Button, GlobalCommand, InboundEvent, Locale, OutboundReply } from "./model.js";
import type { Reading } from "./nlp/reader.js";
import type { OperatorProfile } from "./profile.js";
import {
  commandOf,
  extractTicketNumber,
  isForgotLogin,
  isNo,
  isNoTicket,
  isYes,
  PAYLOAD,
  parseRating,
  parseTicketAnswer,
  ratingPayload,
  type SmallTalk,
  simplify,
  smallTalkOf,
  soundsUpset,
} from "./recognize.js";
import { refusalFor } from "./refusal.js";
import { compact, initialState, TRANSCRIPT_MAX_LINES } from "./state.js";
import { CATEGORY_LABEL_KEY, t, type TextKey } from "./texts/index.js";
import {
  CATEGORIES,
  type Category,
  type Classification,
  type ConversationState,
  type Effect,
  type FlowContext,
  type FlowStep,
  type HandoffRequest,
  type Priority,
  type QueueStatus,
  type StepResult,
  type TranscriptLine,
} from "./types.js";

export { PAYLOAD, ratingPayload } from "./recognize.js";
export { initialState, migrateState, serializeState, TRANSCRIPT_MAX_LINES } from "./state.js";

/** Each transcript line is cut to this many characters (an agent card must stay readable). */
export const TRANSCRIPT_MAX_CHARS = 300;

/**
 * The bot's own lines are cut much shorter: the agent needs the customer's words in full, but only a
 * hint of what the bot answered (its texts are fixed), and the state is stored on every update.
 */
export const TRANSCRIPT_BOT_MAX_CHARS = 24;

/** Unclear questions in a row before the flow stops asking and hands off. */
export const MAX_MISSES = 2;

/** Failed answers to the login question before the flow goes on as a guest. */
export const MAX_LOGIN_TRIES = 2;

/** Handoffs one customer may open in an hour; more is abuse or a loop, and is declined kindly. */
export const MAX_HANDOFFS_PER_HOUR = 3;

/** Clarify offers at most this many category buttons (plus «Специалист»). */
export const CLARIFY_MAX_CATEGORIES = 3;

/** The tag of the queue-status message, edited in place as the position changes. */
export const QUEUE_STATUS_TAG = "queue";

const HOUR_MS = 3_600_000;

/** The payload of a clarify button for a category. */
export function categoryPayload(category: Category): string {
  return `cat:${category}`;
}

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

// ---------------------------------------------------------------------------------------------
// One transition's working set and its small helpers.

/** The work of one step: the state being built, and what to send and do. */
interface Turn {
  state: ConversationState;
  event: InboundEvent;
  ctx: FlowContext;
  kb: KnowledgeBase;
  profile: OperatorProfile | undefined;
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
  return t(turn.state.locale, key, vars, turn.profile);
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
  return [
    [button(turn, "btnNoAccount", PAYLOAD.noAccount), button(turn, "btnForgotLogin", PAYLOAD.forgotLogin)],
  ];
}

function specialistButton(turn: Turn, key: TextKey = "btnNeedHuman"): Button[] {
  return [button(turn, key, PAYLOAD.needHuman)];
}

/** Back to «waiting for a question», forgetting the per-question details. */
function toQuestion(turn: Turn): void {
  turn.state.step = "question";
  turn.state.misses = 0;
  turn.state.category = undefined;
  turn.state.ticket = undefined;
  turn.state.question = undefined;
}

function greetAndAskLogin(turn: Turn): void {
  say(turn, txt(turn, "greeting"), undefined, false);
  say(turn, txt(turn, "askLogin"), loginButtons(turn));
  turn.state.step = "login";
}

const SMALL_TALK_TEXT: Record<SmallTalk, TextKey> = {
  hello: "smallHello",
  thanks: "smallThanks",
  ok: "smallOk",
  bye: "smallBye",
};

// ---------------------------------------------------------------------------------------------
// Handoff.

/** A person is needed: hand off now when the login is known (or the customer is a guest), else ask for it. */
function needPerson(turn: Turn, category: Category): void {
  const { state } = turn;
  if (state.login !== undefined || state.guest) {
    handOff(turn, category);
    return;
  }
  state.pending = category;
  state.category = category;
  state.loginTries = 0;
  state.step = "login";
  say(turn, txt(turn, "loginForHandoff"), loginButtons(turn));
}

/** Opens a handoff (unless the hourly cap is reached); the engine sends the queue status after it. */
function handOff(
  turn: Turn,
  category: Category,
  priority: Priority = category === "urgent" ? "high" : "normal",
): boolean {
  const { state, event, ctx } = turn;
  const recent = (state.handoffTimes ?? []).filter((at) => ctx.now - at < HOUR_MS);
  if (recent.length >= MAX_HANDOFFS_PER_HOUR && priority !== "high") {
    state.handoffTimes = recent;
    say(turn, txt(turn, "handoffLimit"));
    toQuestion(turn);
    return false;
  }
  const seq = state.handoffSeq + 1;
  // The time part keeps ids unique forever: the counter lives in a hash that expires when idle.
  const id = `${event.conversationKey}-${seq}-${ctx.now.toString(36)}`;
  state.handoffSeq = seq;
  state.handoffTimes = [...recent, ctx.now];
  state.step = "queued";
  state.category = category;
  state.misses = 0;
  state.pending = undefined;
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
  return true;
}

/** Leaves an open handoff: the engine removes the job or tells the agent. */
function closeHandoff(turn: Turn): void {
  if (turn.state.handoff) turn.effects.push({ type: "cancel_handoff", handoffId: turn.state.handoff.id });
  turn.state.handoff = undefined;
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

/** The knowledge base's answer, only on a strong match; otherwise the honest «I don't know». */
function answerGeneral(turn: Turn, reading: Reading, howTo: boolean): void {
  const { state } = turn;
  const match = turn.kb.find(reading);
  if (match) {
    say(turn, `${answerOf(match.entry, state.locale, turn.profile)}\n\n${txt(turn, "feedbackQuestion")}`, [
      [button(turn, "btnYes", PAYLOAD.helpedYes), button(turn, "btnNeedHuman", PAYLOAD.needHuman)],
    ]);
    state.step = "feedback";
    return;
  }
  say(turn, txt(turn, howTo ? "howtoUnknown" : "kbUnknown"), [specialistButton(turn)]);
  state.step = "offer";
}

function refuse(turn: Turn, c: Classification | undefined, reading: Reading): void {
  const { state } = turn;
  const { key, what } = refusalFor(c?.rule, reading.normalized);
  let text: string;
  if (state.guest) text = txt(turn, "refuseGuest");
  else if ((state.refusals ?? 0) > 0) text = txt(turn, "refuseAgain");
  else text = txt(turn, key, { what: txt(turn, what) });
  if (soundsUpset(reading.text)) text = `${txt(turn, "empathy")} ${text}`;
  state.refusals = (state.refusals ?? 0) + 1;
  // Invariant 4: refused; a person only for non-confidential help (how to write the ticket).
  say(turn, text, [[button(turn, "btnTicketHowto", PAYLOAD.ticketHowto)], specialistButton(turn)]);
  state.step = "offer";
}

/** Answers a category: the heart of DESIGN's table. */
function respond(turn: Turn, category: Category, reading: Reading, c?: Classification): void {
  const { state } = turn;
  state.misses = 0;
  state.category = category;
  // A general answer between two refusals («что писать в заявке?») does not start the count over.
  if (category !== "account_action" && category !== "general") state.refusals = 0;
  const upset = soundsUpset(reading.text) ? `${txt(turn, "empathy")} ` : "";
  switch (category) {
    case "general":
      answerGeneral(turn, reading, c?.howTo ?? false);
      return;
    case "account_action":
      refuse(turn, c, reading);
      return;
    case "technical":
      say(turn, upset + txt(turn, state.guest ? "technicalAdviceGuest" : "technicalAdvice"), [
        specialistButton(turn, "btnConnect"),
      ]);
      state.step = "offer";
      return;
    case "billing":
      say(turn, upset + txt(turn, state.guest ? "billingAdviceGuest" : "billingAdvice"), [
        specialistButton(turn, "btnConnect"),
      ]);
      state.step = "offer";
      return;
    case "urgent": {
      const askLogin = state.login === undefined && !state.guest;
      say(turn, txt(turn, "urgentHandoff") + (askLogin ? `\n\n${txt(turn, "urgentAskLogin")}` : ""));
      // Urgent never waits for a login: the customer can send it while the specialist connects.
      handOff(turn, "urgent", "high");
      return;
    }
    case "ticket_status": {
      const ticket = extractTicketNumber(reading.text);
      if (ticket !== undefined) {
        state.ticket = ticket;
        say(turn, txt(turn, "ticketHandoff", { ticket }));
        needPerson(turn, "ticket_status");
        return;
      }
      say(turn, txt(turn, "askTicket"), [[button(turn, "btnNoTicket", PAYLOAD.noTicket)]]);
      state.step = "ticket";
      return;
    }
    case "operator":
      needPerson(turn, "operator");
      return;
  }
}

/** Classifies a question and answers it, asks «us or yourself», clarifies, or (after two misses) hands off. */
function handleQuestion(turn: Turn, reading: Reading): void {
  const { state, ctx } = turn;
  const small = smallTalkOf(reading.text);
  if (small !== undefined) {
    say(turn, txt(turn, SMALL_TALK_TEXT[small]));
    toQuestion(turn);
    return;
  }
  state.question = undefined;
  state.ticket = undefined;
  const c = ctx.classifier.classify(reading);
  // «Смена владельца домена»: no verb says who should act, so ask before answering or refusing.
  const bare = c.askSelfOrUs === true && c.rule !== undefined;
  // A question the knowledge base answers well is a general question, however the model heard it.
  if (!bare && (c.howTo || c.askSelfOrUs || !isConfident(c)) && turn.kb.find(reading) !== undefined) {
    respond(turn, "general", reading, c);
    return;
  }
  // Right after a refusal, «но я же владелец, почему нельзя?» is the same request again.
  if ((state.refusals ?? 0) > 0 && (c.askSelfOrUs || (!isConfident(c) && c.act === "why"))) {
    respond(turn, "account_action", reading, c);
    return;
  }
  if (c.askSelfOrUs) {
    // Only the model heard a request, or no verb says who should act: ask, don't refuse on a guess.
    state.question = truncate(reading.text);
    say(turn, txt(turn, "askSelfOrUs"), [
      [button(turn, "btnAskUs", PAYLOAD.askUs)],
      [button(turn, "btnAskSelf", PAYLOAD.askSelf)],
    ]);
    state.step = "self_or_us";
    return;
  }
  if (isConfident(c)) {
    respond(turn, c.category, reading, c);
    return;
  }
  // A how-to question is answered even when the topic is unclear: honestly, if need be.
  if (c.howTo) {
    respond(turn, "general", reading, c);
    return;
  }
  state.misses += 1;
  if (state.misses >= MAX_MISSES) {
    // Asking a third time would be a loop: a person sorts it out.
    const top = c.ranked[0]?.category;
    needPerson(turn, top !== undefined && top !== "account_action" ? top : "operator");
    return;
  }
  state.question = truncate(reading.text);
  say(turn, txt(turn, "clarify"), clarifyButtons(turn, c.ranked));
  state.step = "clarify";
}

// ---------------------------------------------------------------------------------------------
// Steps.

/** The first message of a conversation (or after idle expiry or /cancel): greeted *and* handled. */
function onNew(turn: Turn, reading: Reading | undefined): void {
  const { event, state } = turn;
  if (event.kind !== "text" || reading === undefined || reading.text.trim() === "") {
    greetAndAskLogin(turn);
    return;
  }
  const small = smallTalkOf(reading.text);
  if (small === "hello" || small === "ok") {
    greetAndAskLogin(turn);
    return;
  }
  say(turn, txt(turn, "greetingShort"), undefined, false);
  const parsed = parseLogin(reading.text);
  if (parsed.type === "login" || parsed.type === "contract" || parsed.type === "domain") {
    state.login = parsed.value;
    state.loginKind = parsed.type;
    say(turn, `${txt(turn, "loginAccepted", { login: parsed.value })}\n\n${txt(turn, "askQuestion")}`);
    toQuestion(turn);
    return;
  }
  toQuestion(turn);
  handleQuestion(turn, reading);
}

/** After the login question is settled: the waiting handoff goes, or the customer is asked what happened. */
function afterLogin(turn: Turn, ack: string): void {
  const { state } = turn;
  const pending = state.pending;
  state.pending = undefined;
  state.loginTries = undefined;
  if (pending !== undefined) {
    say(turn, ack);
    handOff(turn, pending);
    return;
  }
  say(turn, `${ack}\n\n${txt(turn, "askQuestion")}`);
  toQuestion(turn);
}

function goOnAsGuest(turn: Turn, key: TextKey): void {
  turn.state.guest = true;
  turn.state.login = undefined;
  turn.state.loginKind = undefined;
  afterLogin(turn, txt(turn, key));
}

function onLogin(turn: Turn, reading: Reading | undefined): void {
  const { event, state } = turn;
  if (event.kind === "unsupported") {
    say(turn, txt(turn, "unsupported"));
    return;
  }
  if (event.payload === PAYLOAD.noAccount) {
    goOnAsGuest(turn, "guestAccepted");
    return;
  }
  if (event.payload === PAYLOAD.forgotLogin || (reading !== undefined && isForgotLogin(reading.text))) {
    // One more chance with a contract number or a domain, then on as a guest.
    state.loginTries = MAX_LOGIN_TRIES - 1;
    say(turn, txt(turn, "forgotLogin"), [[button(turn, "btnNoAccount", PAYLOAD.noAccount)]]);
    return;
  }
  if (reading === undefined) {
    say(turn, txt(turn, "askLogin"), loginButtons(turn));
    return;
  }
  const parsed = parseLogin(reading.text);
  if (parsed.type === "guest") {
    goOnAsGuest(turn, "guestAccepted");
    return;
  }
  if (parsed.type !== "invalid") {
    state.guest = false;
    state.login = parsed.value;
    state.loginKind = parsed.type;
    afterLogin(turn, txt(turn, "loginAccepted", { login: parsed.value }));
    return;
  }
  const small = smallTalkOf(reading.text);
  if (small !== undefined) {
    say(turn, `${txt(turn, SMALL_TALK_TEXT[small])} ${txt(turn, "askLogin")}`, loginButtons(turn));
    return;
  }
  // A question typed where the login was asked is a question (unless a handoff waits for the login).
  if (state.pending === undefined && parsed.reason !== "email" && reading.normalized.split(" ").length >= 2) {
    state.loginTries = undefined;
    toQuestion(turn);
    handleQuestion(turn, reading);
    return;
  }
  state.loginTries = (state.loginTries ?? 0) + 1;
  if (state.loginTries >= MAX_LOGIN_TRIES) {
    goOnAsGuest(turn, "loginGiveUp");
    return;
  }
  const key: TextKey = parsed.reason === "email" ? "loginEmail" : "loginBad";
  say(turn, txt(turn, key, { example: txt(turn, "loginExample") }), loginButtons(turn));
}

function onClarify(turn: Turn, reading: Reading | undefined): void {
  const { event, state, ctx } = turn;
  if (event.kind === "button") {
    const m = /^cat:([a-z_]+)$/.exec(event.payload ?? "");
    const picked = CATEGORIES.find((c) => c === m?.[1]);
    if (picked !== undefined) {
      const question = ctx.classifier.read(state.question ?? "");
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
  if (reading !== undefined) handleQuestion(turn, reading);
}

function onSelfOrUs(turn: Turn, reading: Reading | undefined): void {
  const { event, state, ctx } = turn;
  const s = reading === undefined ? "" : simplify(reading.text);
  const us =
    event.payload === PAYLOAD.askUs ||
    /^(?:вы|сделайте|сделайте вы|вы сделайте|нужно чтобы вы|do it|you|for me|do it for me)$/.test(s);
  const self =
    event.payload === PAYLOAD.askSelf || /^(?:сам|сама|самому|самой|как самому|myself|how|how to)$/.test(s);
  if (us || self) {
    const question = ctx.classifier.read(state.question ?? "");
    state.question = undefined;
    if (us) respond(turn, "account_action", question);
    else respond(turn, "general", question, { category: "general", confidence: 1, ranked: [], howTo: true });
    return;
  }
  if (reading !== undefined) handleQuestion(turn, reading);
}

function onFeedback(turn: Turn, reading: Reading | undefined): void {
  const { event } = turn;
  if (event.payload === PAYLOAD.helpedYes || (reading !== undefined && isYes(reading.text))) {
    say(turn, txt(turn, "helpedYes"));
    toQuestion(turn);
    return;
  }
  if (event.payload === PAYLOAD.needHuman || (reading !== undefined && isNo(reading.text))) {
    needPerson(turn, turn.state.category ?? "general");
    return;
  }
  if (reading !== undefined) handleQuestion(turn, reading);
}

function onOffer(turn: Turn, reading: Reading | undefined): void {
  const { event, ctx } = turn;
  const s = reading === undefined ? "" : simplify(reading.text);
  if (
    event.payload === PAYLOAD.needHuman ||
    /^(?:да|давайте|да давайте|позовите|соедините|yes|please|yes please)$/.test(s)
  ) {
    needPerson(turn, turn.state.category ?? "operator");
    return;
  }
  if (event.payload === PAYLOAD.ticketHowto) {
    respond(turn, "general", ctx.classifier.read(txt(turn, "btnTicketHowto")));
    return;
  }
  if (/^(?:нет|не надо|не нужно|no|no thanks|нет спасибо)$/.test(s)) {
    say(turn, txt(turn, "helpedYes"));
    toQuestion(turn);
    return;
  }
  if (reading !== undefined) handleQuestion(turn, reading);
}

function onTicket(turn: Turn, reading: Reading | undefined): void {
  const { event, state } = turn;
  if (event.payload === PAYLOAD.noTicket || (reading !== undefined && isNoTicket(reading.text))) {
    say(turn, txt(turn, "ticketNoNumber"));
    needPerson(turn, "ticket_status");
    return;
  }
  if (reading === undefined) {
    say(turn, txt(turn, "ticketBad"), [[button(turn, "btnNoTicket", PAYLOAD.noTicket)]]);
    return;
  }
  const ticket = parseTicketAnswer(reading.text);
  if (ticket !== undefined) {
    state.ticket = ticket;
    say(turn, txt(turn, "ticketHandoff", { ticket }));
    needPerson(turn, "ticket_status");
    return;
  }
  // Not a number: maybe a new question («а что писать в заявке?»).
  if (reading.normalized.split(" ").length >= 3) {
    toQuestion(turn);
    handleQuestion(turn, reading);
    return;
  }
  state.misses += 1;
  if (state.misses >= MAX_MISSES) {
    needPerson(turn, "ticket_status");
    return;
  }
  say(turn, txt(turn, "ticketBad"), [[button(turn, "btnNoTicket", PAYLOAD.noTicket)]]);
}

function ratingButtons(): Button[][] {
  return [[1, 2, 3, 4, 5].map((n) => ({ label: String(n), payload: ratingPayload(n) }))];
}

function onRating(turn: Turn, reading: Reading | undefined): void {
  const { event, state } = turn;
  const score = parseRating(event, reading?.text);
  const handoff = state.handoff;
  if (score !== undefined && handoff) {
    turn.effects.push({ type: "rating", handoffId: handoff.id, category: handoff.category, score });
    state.handoff = undefined;
    say(turn, txt(turn, "ratingThanks"));
    toQuestion(turn);
    return;
  }
  if (reading !== undefined) {
    // Not a rating: the customer moved on. Drop the rating rather than nag.
    state.handoff = undefined;
    toQuestion(turn);
    handleQuestion(turn, reading);
    return;
  }
  say(turn, txt(turn, "askRating"), ratingButtons());
}

/** While queued or with an agent: customer messages go to the agent; while queued each is acknowledged. */
function relay(turn: Turn, text: string | undefined): void {
  const { event, state } = turn;
  const handoff = state.handoff;
  if (!handoff) return;
  if (event.kind === "text" && text !== undefined) {
    // The login asked for during an urgent handoff: remember it (the agent sees the message too).
    if (state.login === undefined && !state.guest) {
      const parsed = parseLogin(text);
      if (parsed.type === "login" || parsed.type === "contract" || parsed.type === "domain") {
        state.login = parsed.value;
        state.loginKind = parsed.type;
      }
    }
    turn.effects.push(
      compact({
        type: "relay_to_agent" as const,
        handoffId: handoff.id,
        text,
        messageId: event.messageId,
        withAttachments: event.withAttachments,
      }),
    );
  } else if (event.kind === "unsupported" && event.editedText !== undefined) {
    // An edit while a person handles it: the agent sees the new text, masked, marked as an edit.
    turn.effects.push(
      compact({
        type: "relay_to_agent" as const,
        handoffId: handoff.id,
        text: mask(event.editedText).text,
        edited: true,
        messageId: event.messageId,
      }),
    );
    return;
  } else if (event.kind === "unsupported") {
    turn.effects.push(
      compact({
        type: "relay_to_agent" as const,
        handoffId: handoff.id,
        unsupportedKind: event.unsupportedKind ?? "unknown",
        // Invariant 5 holds for captions too: the desk sends this one, never the original.
        caption: event.caption === undefined ? undefined : mask(event.caption).text,
        messageId: event.messageId,
      }),
    );
  } else {
    // Stale buttons (from earlier bot messages) mean nothing while a person handles it.
    return;
  }
  if (state.step === "queued") say(turn, txt(turn, "waitAck"), undefined, false);
}

function onCommand(turn: Turn, command: GlobalCommand): void {
  const { state } = turn;
  const step = state.step;
  switch (command) {
    case "start": {
      if (step === "queued" || step === "agent") closeHandoff(turn);
      const { locale, handoffSeq, handoffTimes } = state;
      turn.state = compact({ ...initialState(turn.ctx), locale, handoffSeq, handoffTimes });
      greetAndAskLogin(turn);
      return;
    }
    case "operator":
      if (step === "queued") {
        say(turn, txt(turn, "alreadyQueued"), [[button(turn, "btnCancelWait", PAYLOAD.cancelWait)]]);
      } else if (step === "agent") {
        say(turn, txt(turn, "alreadyWithAgent"));
      } else {
        // After an answer the category says what the customer needs; otherwise it is just «operator».
        const keep = step === "offer" || step === "feedback" || step === "ticket";
        needPerson(turn, keep ? (state.category ?? "operator") : "operator");
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
        state.pending = undefined;
        state.loginTries = undefined;
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
      say(turn, txt(turn, "askRating"), ratingButtons());
      return;
  }
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

    record(turn, "customer", transcriptText(event, text));
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

/**
 * The queue-status message. Only when a worker serves the queue within working hours does it say
 * «you are in the queue»; otherwise it tells the truth and the other routes (DESIGN «Promise only
 * what is true»). Tagged so later updates edit it in place.
 */
export function renderQueueStatus(
  locale: Locale,
  status: QueueStatus,
  profile?: OperatorProfile,
): OutboundReply {
  const tr = (key: TextKey, vars?: Record<string, string | number>) => t(locale, key, vars, profile);
  if (status.taken) return { text: tr("queueTaken"), tag: QUEUE_STATUS_TAG };
  const lines: string[] = [];
  if (status.afterHours) {
    const key = status.guest ? "queueAfterHoursGuest" : "queueAfterHours";
    lines.push(tr(key, { backAt: formatBackAt(locale, status.afterHours) }));
  } else if (status.served === false) {
    lines.push(tr(status.guest ? "queueUnservedGuest" : "queueUnserved"));
  } else {
    lines.push(tr("queuePosition", { position: status.position }));
    lines.push(
      status.waitMinutes === undefined
        ? tr("queueWaitUnknown")
        : tr("queueWait", { minutes: Math.max(1, Math.round(status.waitMinutes)) }),
    );
  }
  lines.push(tr("queueHint"));
  return {
    text: lines.join("\n\n"),
    buttons: [[{ label: tr("btnCancelWait"), payload: PAYLOAD.cancelWait }]],
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
export function floodNotice(locale: Locale, profile?: OperatorProfile): OutboundReply {
  return { text: t(locale, "floodNotice", undefined, profile) };
}

/** What the desk puts before an agent's words when relaying them to the customer. */
export function agentReplyPrefix(locale: Locale, profile?: OperatorProfile): string {
  return t(locale, "agentPrefix", undefined, profile);
}
