/**
 * The conversation's stored state: a fresh state, its stored JSON form, and the defensive reading
 * of any earlier shape (DESIGN invariant 6). A missing or bad field gets its default instead of
 * failing the whole state, because losing one field is better than losing the conversation.
 */
import { z } from "zod";
import {
  CATEGORIES,
  type ConversationState,
  type FlowContext,
  STATE_VERSION,
  type StepName,
} from "./types.js";

/** How many transcript lines are kept: enough for the agent card, small enough to store per update. */
export const TRANSCRIPT_MAX_LINES = 12;

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

const STEP_NAMES = [
  "new",
  "login",
  "question",
  "clarify",
  "self_or_us",
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

/** Version 1, field by field (fields added later are optional, so older v1 states still read). */
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
  pending: z.enum(CATEGORIES).optional().catch(undefined),
  loginTries: z.number().int().min(0).optional().catch(undefined),
  refusals: z.number().int().min(0).optional().catch(undefined),
  handoffTimes: z.array(z.number()).max(50).optional().catch(undefined),
  transcript: z.array(z.unknown()).catch([]),
  handoff: HandoffSchema.optional().catch(undefined),
  handoffSeq: z.number().int().min(0).catch(0),
  undeliverable: z.object({ reason: z.string(), at: z.number() }).optional().catch(undefined),
  updatedAt: z.number().optional().catch(undefined),
});

/** Drops keys whose value is undefined, so stored JSON and test expectations stay tidy. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The stored form of a state: JSON without fields at their defaults (`migrateState` restores them),
 * because the state is written on every update and kept for every idle conversation.
 */
export function serializeState(state: ConversationState): string {
  const { misses, handoffSeq, guest, loginTries, refusals, ...rest } = state;
  return JSON.stringify({
    ...rest,
    ...(misses ? { misses } : {}),
    ...(handoffSeq ? { handoffSeq } : {}),
    ...(guest ? { guest } : {}),
    ...(loginTries ? { loginTries } : {}),
    ...(refusals ? { refusals } : {}),
  });
}

/**
 * Reads stored JSON of any shape into the current state; never throws. An unknown version or a
 * non-object gives a fresh state (keeping the handoff counter when it can be read); a missing or
 * bad field gets its default. The result is a fresh object: the caller may change it.
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
