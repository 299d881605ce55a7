/**
 * The operator's profile: one validated file for the provider's contacts, hours and text overrides.
 * Without it the texts invent nothing; with it they speak with its contacts; a bad field stops
 * start-up with its name.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { answerOf, defaultKnowledgeBase } from "../../flows/knowledge-base.js";
import { createSupportFlow, renderQueueStatus } from "../../flows/support-flow.js";
import { TEXTS } from "../../flows/texts/index.js";
import { ConfigError, loadConfig } from "../../src/config.js";
import { Conversation } from "./flows/driver.js";

const dir = mkdtempSync(join(tmpdir(), "profile-"));
function profileFile(content: unknown): string {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

const PROFILE = {
  name: "ХостПример",
  phone: "+7 (800) 000-00-00",
  email: "support@example.com",
  panelUrl: "https://panel.example.com",
  hours: "Mon-Fri 10:00-19:00",
  timeZone: "Europe/Moscow",
  texts: { ru: { smallThanks: "Всегда рады помочь!" } },
};

describe("the operator's profile", () => {
  it("loads from OPERATOR_PROFILE and gives its hours when WORK_HOURS is not set", () => {
    const config = loadConfig({ OPERATOR_PROFILE: profileFile(PROFILE) });
    expect(config.profile.phone).toBe("+7 (800) 000-00-00");
    expect(config.workHours).toEqual({ spec: "Mon-Fri 10:00-19:00", timeZone: "Europe/Moscow" });
    expect(
      loadConfig({ OPERATOR_PROFILE: profileFile(PROFILE), WORK_HOURS: "Mon-Sun 00:00-24:00" }).workHours,
    ).toEqual({ spec: "Mon-Sun 00:00-24:00", timeZone: "Europe/Moscow" });
  });

  it("stops start-up naming the bad field", () => {
    const bad = (content: unknown) => () => loadConfig({ OPERATOR_PROFILE: profileFile(content) });
    expect(bad({ phone: "call us" })).toThrow(ConfigError);
    expect(bad({ phone: "call us" })).toThrow(/OPERATOR_PROFILE.*phone/s);
    expect(bad({ email: "not-an-email" })).toThrow(/email/);
    expect(bad({ panelUrl: "ftp://x" })).toThrow(/panelUrl/);
    expect(bad({ texts: { ru: { noSuchText: "x" } } })).toThrow(/texts\.ru/);
    expect(bad({ fax: "1" })).toThrow(/fax|Unrecognized/);
    expect(bad("{ not json")).toThrow(/not JSON/);
    expect(() => loadConfig({ OPERATOR_PROFILE: join(dir, "missing.json") })).toThrow(/cannot be read/);
  });

  it("invents no contact when there is no profile: no number, address or link in any text", () => {
    for (const texts of Object.values(TEXTS)) {
      for (const [key, text] of Object.entries(texts)) {
        expect(text, key).not.toMatch(/\+?\d[\d\s()-]{6,}\d/);
        expect(text, key).not.toMatch(/@\w|https?:\/\//);
        expect(text, key).not.toMatch(/сайте провайдера|provider's site/);
      }
    }
    for (const entry of defaultKnowledgeBase().entries) {
      for (const locale of ["ru", "en"] as const) {
        const answer = answerOf(entry, locale);
        expect(answer, entry.id).not.toMatch(/\{\w+\}/); // every placeholder filled
        expect(answer, entry.id).not.toMatch(/сайте провайдера|provider's site|^Да,|^Yes,/);
      }
    }
  });

  it("speaks with the profile's contacts in refusals, the knowledge base and the queue status", () => {
    const profile = loadConfig({ OPERATOR_PROFILE: profileFile(PROFILE) }).profile;
    const c = new Conversation("tg-77");
    const step = createSupportFlow({ profile });
    let state = step(
      undefined,
      { ...event(1), kind: "command", command: "start", text: "/start" },
      c.ctx,
    ).state;
    state = step(state, { ...event(2), text: "ivanov" }, c.ctx).state;
    const refusal = step(state, { ...event(3), text: "скажите какой у меня баланс" }, c.ctx);
    expect(refusal.replies[0]?.text).toContain("по телефону +7 (800) 000-00-00");
    const phone = defaultKnowledgeBase().get("phone");
    expect(phone && answerOf(phone, "ru", profile)).toContain("+7 (800) 000-00-00");
    expect(renderQueueStatus("ru", { position: 1, served: false }, profile).text).toContain(
      "+7 (800) 000-00-00",
    );
    const thanks = step(refusal.state, { ...event(4), text: "спасибо" }, c.ctx);
    expect(thanks.replies[0]?.text).toBe("Всегда рады помочь!");
  });
});

function event(n: number) {
  return {
    channel: "telegram" as const,
    conversationKey: "tg-77",
    chatId: "77",
    userId: "77",
    kind: "text" as const,
    updateId: String(n),
    at: 1_700_000_000_000 + n,
  };
}
