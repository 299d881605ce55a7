import { describe, expect, it } from "vitest";
import { initialState, migrateState, serializeState } from "../../../flows/support-flow.js";
import type { ConversationState } from "../../../flows/types.js";

const ctx = { now: 5_000, defaultLocale: "ru" as const };

describe("serializeState", () => {
  it("leaves fields at their defaults out, and migrateState restores them exactly", () => {
    const state: ConversationState = {
      ...initialState(ctx),
      step: "question",
      login: "ivanov",
      loginKind: "login",
      guest: false,
    };
    const json = serializeState(state);
    expect(json).not.toContain('"misses"');
    expect(json).not.toContain('"handoffSeq"');
    expect(json).not.toContain('"guest"');
    expect(migrateState(JSON.parse(json), ctx)).toEqual({ ...state, guest: undefined });
  });

  it("keeps non-default values", () => {
    const state: ConversationState = { ...initialState(ctx), misses: 1, handoffSeq: 3, guest: true };
    expect(migrateState(JSON.parse(serializeState(state)), ctx)).toMatchObject({
      misses: 1,
      handoffSeq: 3,
      guest: true,
    });
  });
});
