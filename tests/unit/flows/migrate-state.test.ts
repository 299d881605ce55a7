import { describe, expect, it } from "vitest";
import { initialState, migrateState } from "../../../flows/support-flow.js";
import { STATE_VERSION } from "../../../flows/types.js";

const ctx = { now: 5_000, defaultLocale: "ru" as const };

describe("migrateState", () => {
  it.each([
    ["undefined", undefined],
    ["null", null],
    ["a string", "garbage"],
    ["a number", 42],
    ["an array", [1, 2, 3]],
    ["an empty object", {}],
  ])("gives a fresh state for %s", (_name, raw) => {
    expect(migrateState(raw, ctx)).toEqual(initialState(ctx));
  });

  it("gives a fresh state for an unknown version, keeping the handoff counter so ids never repeat", () => {
    const state = migrateState({ v: 99, step: "question", handoffSeq: 7, whatever: true }, ctx);
    expect(state).toEqual({ ...initialState(ctx), handoffSeq: 7 });
  });

  it("reads an old unversioned shape without crashing", () => {
    const state = migrateState({ stage: "waiting_login", lang: "ru", history: ["hi"] }, ctx);
    expect(state.v).toBe(STATE_VERSION);
    expect(state.step).toBe("new");
  });

  it("fills missing fields with defaults and keeps the ones present", () => {
    const state = migrateState({ v: 1, step: "question", login: "ivanov", loginKind: "login" }, ctx);
    expect(state).toEqual({
      v: 1,
      step: "question",
      locale: "ru",
      login: "ivanov",
      loginKind: "login",
      misses: 0,
      transcript: [],
      handoffSeq: 0,
      updatedAt: 5_000,
    });
  });

  it("replaces malformed fields with defaults and drops bad transcript lines", () => {
    const state = migrateState(
      {
        v: 1,
        step: "flying",
        locale: "fr",
        misses: -3,
        category: "nonsense",
        transcript: [{ from: "customer", text: "ok", at: 1 }, { from: "alien" }, "text"],
        handoffSeq: "x",
        updatedAt: 10,
      },
      ctx,
    );
    expect(state.step).toBe("new");
    expect(state.locale).toBe("ru");
    expect(state.misses).toBe(0);
    expect(state.category).toBeUndefined();
    expect(state.transcript).toEqual([{ from: "customer", text: "ok", at: 1 }]);
    expect(state.handoffSeq).toBe(0);
  });

  it("leaves a handoff step that has no handoff, rather than waiting for an agent forever", () => {
    expect(migrateState({ v: 1, step: "queued", guest: true }, ctx).step).toBe("question");
    expect(migrateState({ v: 1, step: "agent" }, ctx).step).toBe("new");
  });

  it("keeps a valid state as it is", () => {
    const valid = {
      v: 1 as const,
      step: "queued" as const,
      locale: "en" as const,
      guest: true,
      category: "urgent" as const,
      misses: 0,
      transcript: [{ from: "bot" as const, text: "hi", at: 3 }],
      handoff: { id: "tg-1-2", category: "urgent" as const, priority: "high" as const, since: 4 },
      handoffSeq: 2,
      updatedAt: 4,
    };
    expect(migrateState(valid, ctx)).toEqual(valid);
  });
});
