import type { Api } from "grammy";
import { describe, expect, it } from "vitest";
import { grammyDeskApi } from "../../adapters/telegram/desk-api.js";

describe("the grammY desk API", () => {
  it("links a topic of the supergroup the way Telegram does (its id without -100)", () => {
    const api = grammyDeskApi({} as Api, -1001234567890, { token: "1:x" });
    expect(api.topicLink(42)).toBe("https://t.me/c/1234567890/42");
  });
});
