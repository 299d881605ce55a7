/**
 * The conversation suite: multi-turn dialogues as data (`dialogues.json`), written from how
 * customers write, each turn with what a good human agent would certainly do at that point. The
 * flow runs exactly as the engine runs it (the real classifier and knowledge base, state carried
 * from turn to turn); the queue status the engine would send after a handoff is not part of it.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CATEGORIES, type Category, type StepResult } from "../../flows/types.js";
import { Conversation } from "../unit/flows/driver.js";

type Send =
  | string
  | { button: string }
  | { command: "start" | "operator" | "cancel" }
  | { system: "claimed" | "closed" }
  | { wait_hours: number };

interface Expect {
  answered?: boolean;
  refused?: boolean;
  category?: Category;
  handoff?: "high" | "normal" | false;
  lang?: "ru" | "en";
  asksLogin?: boolean;
  includes?: string[];
  excludes?: string[];
}

interface Dialogue {
  name: string;
  channel?: "telegram" | "vk";
  languageHint?: "ru" | "en";
  turns: { send: Send; expect: Expect }[];
}

const dialogues = JSON.parse(
  readFileSync(new URL("./dialogues.json", import.meta.url), "utf8"),
) as Dialogue[];

/** The refusal texts start like this (ru and en): the unauthorized-channel answer. */
const REFUSAL_MARKERS = [
  /из чата нельзя|в чате (?:я )?не|в чате нельзя|здесь (?:его )?не выполнить|тоже только через заявку|тоже действие в аккаунте|доступны только владельцу/i,
  /can't be (?:changed|restored|confirmed|unblocked|done)|in the chat|too goes only|on the account too|for the owner only/i,
];

function said(result: StepResult): string {
  return result.replies.map((r) => r.text).join("\n");
}

function isRefusal(result: StepResult, conversation: Conversation): boolean {
  return (
    conversation.state?.category === "account_action" && REFUSAL_MARKERS.some((re) => re.test(said(result)))
  );
}

function play(conversation: Conversation, send: Send, dialogue: Dialogue): StepResult | undefined {
  if (typeof send === "string") return conversation.text(send);
  if ("button" in send) return conversation.press(send.button);
  if ("command" in send) return conversation.command(send.command);
  if ("wait_hours" in send) {
    conversation.now += send.wait_hours * 3_600_000;
    return undefined;
  }
  const handoff = conversation.state?.handoff;
  if (!handoff) throw new Error(`${dialogue.name}: an agent signal with no handoff open`);
  return send.system === "claimed"
    ? conversation.system({ type: "agent_claimed", handoffId: handoff.id, agentName: "Анна" })
    : conversation.system({ type: "agent_closed", handoffId: handoff.id });
}

describe("the conversation suite", () => {
  it("has at least 80 dialogues", () => {
    expect(dialogues.length).toBeGreaterThanOrEqual(80);
  });

  for (const dialogue of dialogues) {
    it(dialogue.name, () => {
      const key = `${dialogue.channel === "vk" ? "vk" : "tg"}-${Math.abs(hash(dialogue.name))}`;
      const conversation = new Conversation(key, {
        idleMs: 30 * 60_000,
        ...(dialogue.languageHint ? { languageHint: dialogue.languageHint } : {}),
      });
      dialogue.turns.forEach(({ send, expect: e }, index) => {
        const result = play(conversation, send, dialogue);
        if (result === undefined) return;
        const where = `${dialogue.name} · turn ${index + 1} (${JSON.stringify(send)}) → ${JSON.stringify(said(result))}`;
        const text = said(result);
        // A handoff is answered by the engine with the queue status (not part of the flow's replies).
        const handedOff = result.effects.some((x) => x.type === "handoff");
        if (e.answered === true) expect(result.replies.length > 0 || handedOff, where).toBe(true);
        if (e.refused !== undefined) expect(isRefusal(result, conversation), where).toBe(e.refused);
        if (e.category !== undefined) {
          expect(CATEGORIES, where).toContain(e.category);
          const handoff = result.effects.find((x) => x.type === "handoff");
          const category =
            handoff?.type === "handoff"
              ? handoff.request.category
              : (conversation.state?.pending ?? conversation.state?.category);
          expect(category, where).toBe(e.category);
        }
        if (e.handoff !== undefined) {
          const handoff = result.effects.find((x) => x.type === "handoff");
          if (e.handoff === false) expect(handoff, where).toBeUndefined();
          else
            expect(handoff?.type === "handoff" ? handoff.request.priority : undefined, where).toBe(e.handoff);
        }
        if (e.lang !== undefined && text !== "") {
          expect(/[а-яё]/i.test(text) ? "ru" : "en", where).toBe(e.lang);
        }
        if (e.asksLogin !== undefined) {
          const asks = conversation.state?.step === "login";
          expect(asks, where).toBe(e.asksLogin);
        }
        if (e.includes !== undefined) {
          const lower = text.toLowerCase();
          expect(
            e.includes.some((s) => lower.includes(s.toLowerCase())),
            `${where} should include one of ${JSON.stringify(e.includes)}`,
          ).toBe(true);
        }
        for (const s of e.excludes ?? []) expect(text.toLowerCase(), where).not.toContain(s.toLowerCase());
      });
    });
  }
});

function hash(s: string): number {
  let h = 0;
  for (const ch of s) h = (h * 31 + (ch.codePointAt(0) ?? 0)) | 0;
  return h;
}
