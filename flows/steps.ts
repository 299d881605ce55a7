/**
 * The flow's steps: what a message means at each point of the conversation (the first message, the
 * login question, a clarify round, «us or yourself», «Помогло?», an offer, the ticket number, the
 * rating) and the global commands.
 */
import { clarifyButtons, handleQuestion, MAX_MISSES, respond } from "./answers.js";
import { closeHandoff, handOff, handOffTicket, needPerson, ratingButtons } from "./handoff-steps.js";
import { parseLogin } from "./login.js";
import type { GlobalCommand } from "./model.js";
import type { Reading } from "./nlp/reader.js";
import {
  isForgotLogin,
  isNo,
  isNoTicket,
  isYes,
  PAYLOAD,
  parseRating,
  parseTicketAnswer,
  simplify,
  smallTalkOf,
} from "./recognize.js";
import { compact, initialState } from "./state.js";
import type { TextKey } from "./texts/index.js";
import {
  button,
  greetAndAskLogin,
  loginButtons,
  SMALL_TALK_TEXT,
  say,
  type Turn,
  toQuestion,
  txt,
} from "./turn.js";
import { CATEGORIES } from "./types.js";

/** Failed answers to the login question before the flow goes on as a guest. */
export const MAX_LOGIN_TRIES = 2;

/** The first message of a conversation (or after idle expiry or /cancel): greeted *and* handled. */
export function onNew(turn: Turn, reading: Reading | undefined): void {
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
  say(turn, txt(turn, "greetingShort"));
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

/** The answer to «your login?»: a login, «no account», a question, or a bad try. */
export function onLogin(turn: Turn, reading: Reading | undefined): void {
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

/** A category picked from the clarify buttons, or a new question. */
export function onClarify(turn: Turn, reading: Reading | undefined): void {
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

/** The answer to «сделать нам или подсказать, как самому?». */
export function onSelfOrUs(turn: Turn, reading: Reading | undefined): void {
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
    else respond(turn, "general", question, { category: "general", confidence: 1, ranked: [], act: "howto" });
    return;
  }
  if (reading !== undefined) handleQuestion(turn, reading);
}

/** The answer to «Помогло?». */
export function onFeedback(turn: Turn, reading: Reading | undefined): void {
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

/** After advice or a refusal: a person, the ticket how-to, or a new question. */
export function onOffer(turn: Turn, reading: Reading | undefined): void {
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

/** The ticket number, «no number», or a new question. */
export function onTicket(turn: Turn, reading: Reading | undefined): void {
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
    handOffTicket(turn, ticket);
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

/** The 1–5 rating after an agent closed, or a new question. */
export function onRating(turn: Turn, reading: Reading | undefined): void {
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

/** /start, /operator, /cancel at any step. */
export function onCommand(turn: Turn, command: GlobalCommand): void {
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
