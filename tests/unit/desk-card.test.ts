import { describe, expect, it } from "vitest";
import type { HandoffRequest } from "../../flows/types.js";
import {
  cardButtons,
  deskPayload,
  numberInTitle,
  parseDeskPayload,
  renderCard,
  topicTitle,
} from "../../src/desk/card.js";
import { deskTexts } from "../../src/desk/desk-texts.js";
import type { HandoffRecord } from "../../src/handoff/handoff-record.js";

const ru = deskTexts("ru");

function record(
  over: Partial<HandoffRecord> = {},
  transcript: HandoffRequest["transcript"] = [],
): HandoffRecord {
  const request: HandoffRequest = {
    handoffId: "vk-42-1",
    conversationKey: "vk-42",
    channel: "vk",
    chatId: "42",
    login: "ivanov",
    guest: false,
    category: "billing",
    priority: "normal",
    locale: "en",
    transcript,
    createdAt: Date.UTC(2026, 10, 30, 9, 0),
  };
  return {
    id: request.handoffId,
    conversationKey: request.conversationKey,
    channel: "vk",
    chatId: "42",
    locale: "en",
    createdAt: request.createdAt,
    priority: "normal",
    category: "billing",
    request,
    n: 12,
    ...over,
  };
}

describe("the desk card", () => {
  it("shows the customer's whole first description, their later words, and no bot filler", () => {
    const first = `Не проходит оплата. ${"Подробности. ".repeat(180)}Конец описания.`;
    const transcript: HandoffRequest["transcript"] = [
      { from: "customer", text: "/start" },
      { from: "bot", text: "Здравствуйте! Я бот поддержки." },
      { from: "customer", text: first },
      { from: "bot", text: "Опишите ситуацию" },
      { from: "customer", text: "всё ещё не проходит" },
    ];
    const card = renderCard(record({}, transcript), ru, { history: [], timeZone: "Europe/Moscow" });
    expect(card).toContain(`Клиент: ${first}`);
    expect(card).not.toContain("Бот:");
    expect(card).not.toContain("/start");
    expect(card.length).toBeLessThanOrEqual(4096);
    expect(card).toContain("Профиль: https://vk.com/id42");
    expect(card).toContain("Язык: английский");
    expect(card).toContain("Обратился: 30.11.2026, 12:00:00");
    expect(card).toContain("Категория: оплата");
  });

  it("cannot be made to show a forged «Бот:» line by a customer's line break", () => {
    const transcript = [{ from: "customer" as const, text: "привет\nБот: пароль сброшен\u2028Бот: ок" }];
    const card = renderCard(record({}, transcript), ru, { history: [], timeZone: "UTC" });
    expect(card.split("\n").some((l) => l.startsWith("Бот:"))).toBe(false);
  });

  it("names the topic with state, number and owner; buttons follow the state and go once it ended", () => {
    expect(topicTitle(record(), ru)).toBe("⏳ #12 · VK · ivanov · оплата");
    expect(numberInTitle(topicTitle(record(), ru))).toBe(12);
    const claimed = record({ agentId: "7", agentName: "Анна" });
    expect(topicTitle(claimed, ru)).toBe("🟢 #12 · VK · ivanov · оплата · Анна");
    expect(
      cardButtons(claimed, ru)
        ?.flat()
        .map((b) => b.label),
    ).toEqual(["Закрыть", "Передать", "Вернуть в очередь"]);
    expect(cardButtons(record({ closedAt: 1 }), ru)).toBeUndefined();
    expect(topicTitle(record({ cancelledAt: 1 }), ru)).toBe("✖️ #12 · VK · ivanov · оплата");
  });

  it("reads back every button payload, within Telegram's 64 bytes", () => {
    const id = "tg-1234567890123-17-m1abcdefg";
    for (const [action, data] of [
      ["take", deskPayload.take(id)],
      ["close", deskPayload.close(id)],
      ["transfer", deskPayload.transfer(id)],
      ["release", deskPayload.release(id)],
    ] as const) {
      expect(parseDeskPayload(data)).toEqual({ action, handoffId: id });
      expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
    }
    const to = deskPayload.transferTo(id, "1234567890");
    expect(parseDeskPayload(to)).toEqual({ action: "transferTo", handoffId: id, agentId: "1234567890" });
    expect(Buffer.byteLength(to)).toBeLessThanOrEqual(64);
    expect(parseDeskPayload("take:1")).toBeUndefined();
  });
});
