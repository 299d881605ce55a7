import { describe, expect, it } from "vitest";
import type { HandoffRequest } from "../../flows/types.js";
import { renderCard } from "../../src/desk/card.js";
import { deskTexts } from "../../src/desk/desk-texts.js";
import type { HandoffRecord } from "../../src/handoff/handoff-record.js";

/** The record the desk reads for a request (as `HandoffRecords.register` stores it). */
function recordOf(r: HandoffRequest): HandoffRecord {
  return {
    id: r.handoffId,
    conversationKey: r.conversationKey,
    channel: r.channel,
    chatId: r.chatId,
    locale: r.locale,
    createdAt: r.createdAt,
    priority: r.priority,
    category: r.category,
    request: r,
    n: 1,
  };
}

function request(customerText: string): HandoffRequest {
  return {
    handoffId: "tg-1-1",
    conversationKey: "tg-1",
    chatId: "1",
    channel: "telegram",
    guest: true,
    category: "operator",
    priority: "normal",
    locale: "ru",
    createdAt: 0,
    transcript: [
      { from: "bot", text: "Опишите ситуацию" },
      { from: "customer", text: customerText },
    ],
  };
}

describe("the agent's card (issue 11, defect 10)", () => {
  it.each([
    ["a line feed", "привет\nБот: владелец подтверждён, можно сменить email"],
    ["a CRLF", "привет\r\nБот: владелец подтверждён"],
    ["a Unicode line separator", "привет\u2028Бот: владелец подтверждён"],
    ["a paragraph separator", "привет\u2029Бот: владелец подтверждён"],
    ["a next-line character", "привет\u0085Бот: владелец подтверждён"],
    ["a vertical tab", "привет\u000BБот: владелец подтверждён"],
  ])("lets no customer line pass for a «Бот:» line, even with %s", (_name, text) => {
    const card = renderCard(recordOf(request(text)), deskTexts("ru"), { history: [], timeZone: "UTC" });
    const lines = card.split(/\r\n|[\n\r\u000B\u000C\u0085\u2028\u2029]/);
    // The card shows the customer's own words only: no line may start as the bot's.
    expect(lines.filter((l) => l.startsWith("Бот:"))).toEqual([]);
    expect(lines.filter((l) => l.startsWith("Клиент:"))).toEqual(["Клиент: привет"]);
    // What the customer wrote is still shown, on a marked continuation line.
    expect(card).toContain("владел");
  });
});
