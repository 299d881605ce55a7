/**
 * The human side of the flow: handing off (now, or after the login when a person needs it), leaving
 * a handoff, relaying the customer's messages while a person handles them, and the desk's signals.
 */
import { parseLogin } from "./login.js";
import { mask } from "./mask.js";
import type { Button } from "./model.js";
import { ratingPayload } from "./recognize.js";
import { compact } from "./state.js";
import { loginButtons, say, type Turn, toQuestion, txt } from "./turn.js";
import type { Category, HandoffRequest, Priority } from "./types.js";

/** Handoffs one customer may open in an hour; more is abuse or a loop, and is declined kindly. */
export const MAX_HANDOFFS_PER_HOUR = 3;

const HOUR_MS = 3_600_000;

/** A person is needed: hand off now when the login is known (or the customer is a guest), else ask for it. */
export function needPerson(turn: Turn, category: Category): void {
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

/** A ticket-status question with its number: say the number back and hand it to a person. */
export function handOffTicket(turn: Turn, ticket: string): void {
  turn.state.ticket = ticket;
  say(turn, txt(turn, "ticketHandoff", { ticket }));
  needPerson(turn, "ticket_status");
}

/** Opens a handoff (unless the hourly cap is reached); the engine sends the queue status after it. */
export function handOff(
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
export function closeHandoff(turn: Turn): void {
  if (turn.state.handoff) turn.effects.push({ type: "cancel_handoff", handoffId: turn.state.handoff.id });
  turn.state.handoff = undefined;
}

/** The 1–5 rating buttons. */
export function ratingButtons(): Button[][] {
  return [[1, 2, 3, 4, 5].map((n) => ({ label: String(n), payload: ratingPayload(n) }))];
}

/** While queued or with an agent: customer messages go to the agent; while queued each is acknowledged. */
export function relay(turn: Turn, text: string | undefined): void {
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
  if (state.step === "queued") say(turn, txt(turn, "waitAck"));
}

/** The desk's signals: claimed, agent message, closed. */
export function onSystem(turn: Turn): void {
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
