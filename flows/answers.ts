/**
 * Answering a question: classify it, then answer from the knowledge base, refuse an account action
 * with its route, advise, hand off, ask «us or yourself», or clarify (DESIGN's table of categories).
 */
import { isConfident } from "./classifier/index.js";
import { handOff, handOffTicket, needPerson } from "./handoff-steps.js";
import { answerOf, type KnowledgeMatch } from "./knowledge-base.js";
import type { Button } from "./model.js";
import type { Reading } from "./nlp/reader.js";
import { extractTicketNumber, PAYLOAD, smallTalkOf, soundsUpset } from "./recognize.js";
import { refusalFor } from "./refusal.js";
import { CATEGORY_LABEL_KEY } from "./texts/index.js";
import {
  button,
  SMALL_TALK_TEXT,
  say,
  specialistButton,
  type Turn,
  toQuestion,
  truncate,
  txt,
} from "./turn.js";
import type { Category, Classification } from "./types.js";

/** Unclear questions in a row before the flow stops asking and hands off. */
export const MAX_MISSES = 2;

/** Clarify offers at most this many category buttons (plus «Специалист»). */
export const CLARIFY_MAX_CATEGORIES = 3;

/** The payload of a clarify button for a category. */
export function categoryPayload(category: Category): string {
  return `cat:${category}`;
}

/** The likeliest categories as buttons, plus «Специалист». */
export function clarifyButtons(turn: Turn, ranked: { category: Category; score: number }[]): Button[][] {
  const likely = ranked
    .filter((r) => r.category !== "operator")
    .slice(0, CLARIFY_MAX_CATEGORIES)
    .filter((r, i) => i < 2 || r.score >= 0.05);
  return [
    ...likely.map((r) => [button(turn, CATEGORY_LABEL_KEY[r.category], categoryPayload(r.category))]),
    [button(turn, "btnOperator", PAYLOAD.operator)],
  ];
}

/**
 * The knowledge base's answer, only on a strong match; otherwise the honest «I don't know». `match`
 * is the lookup when the caller has already made it.
 */
function answerGeneral(turn: Turn, reading: Reading, howTo: boolean, match = turn.kb.find(reading)): void {
  const { state } = turn;
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

/** The refusal of an account action, built to help (see `refusal.ts`). */
function refuse(turn: Turn, c: Classification | undefined, reading: Reading, empathy: string): void {
  const { state } = turn;
  const { key, what } = refusalFor(c?.rule, reading.normalized);
  let text: string;
  if (state.guest) text = txt(turn, "refuseGuest");
  // Shorter the second time; when the words name what is asked (it may be a new request), it says so.
  else if ((state.refusals ?? 0) > 0)
    text = what ? txt(turn, "refuseAgainNamed", { what: txt(turn, what) }) : txt(turn, "refuseAgain");
  // The first time it always names something: the generic «данные» when the words name nothing.
  else text = txt(turn, key, { what: txt(turn, what ?? "whatData") });
  text = empathy + text;
  state.refusals = (state.refusals ?? 0) + 1;
  // Invariant 4: refused; a person only for non-confidential help (how to write the ticket).
  say(turn, text, [[button(turn, "btnTicketHowto", PAYLOAD.ticketHowto)], specialistButton(turn)]);
  state.step = "offer";
}

/**
 * Answers a category: the heart of DESIGN's table. `match` is the knowledge-base lookup for a general
 * question when the caller has already made it.
 */
export function respond(
  turn: Turn,
  category: Category,
  reading: Reading,
  c?: Classification,
  match?: KnowledgeMatch,
): void {
  const { state } = turn;
  state.misses = 0;
  state.category = category;
  // A general answer between two refusals («что писать в заявке?») does not start the count over.
  if (category !== "account_action" && category !== "general") state.refusals = 0;
  const upset = soundsUpset(reading.text) ? `${txt(turn, "empathy")} ` : "";
  switch (category) {
    case "general":
      answerGeneral(turn, reading, c?.act === "howto", match ?? turn.kb.find(reading));
      return;
    case "account_action":
      refuse(turn, c, reading, upset);
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
        handOffTicket(turn, ticket);
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
export function handleQuestion(turn: Turn, reading: Reading): void {
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
  // (A how-to question is general already: it is answered below, with the same lookup.)
  const match = !bare && (c.askSelfOrUs || !isConfident(c)) ? turn.kb.find(reading) : undefined;
  if (match !== undefined) {
    respond(turn, "general", reading, c, match);
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
  // A how-to question is decided by a rule, so it is always confident: answered, honestly if need be.
  if (isConfident(c)) {
    respond(turn, c.category, reading, c);
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
