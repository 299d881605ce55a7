import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeAgent, FakeMessage, FakeTelegramApi } from "../fakes/telegram-api.js";
import { type DeskService, startDeskService } from "../helpers/desk-e2e.js";

/**
 * The desk's topics with the whole service in-process (real grammY against the fake Bot API): a
 * topic whose creation answer was lost is adopted, not doubled; a command addressed to another bot
 * is ignored.
 */

const DESK = -1001234567222;
const ANNA: FakeAgent = { id: 9301, first_name: "Анна" };

let running: DeskService;
let tg: FakeTelegramApi;

beforeAll(async () => {
  running = await startDeskService(DESK);
  tg = running.tg;
});
afterAll(async () => {
  await running?.stop();
});

const labels = (m: FakeMessage) => m.reply_markup?.inline_keyboard.flat().map((b) => b.text) ?? [];
const isCard = (login: string) => (m: FakeMessage) =>
  m.chatId === DESK && m.text.startsWith("Обращение #") && m.text.includes(login) && labels(m).length > 0;

async function asks(chat: number, login: string): Promise<FakeMessage> {
  const say = (text: string, reply: RegExp) => {
    const answer = tg.nextMessage(chat, (m) => reply.test(m.text));
    tg.sendText(chat, text);
    return answer;
  };
  await say("/start", /логин/i);
  await say(login, /Опишите ситуацию/);
  const card = tg.nextMessage(DESK, isCard(login));
  await say("/operator", /Вы в очереди/);
  return card;
}

describe("the desk's topics (the service in-process)", () => {
  it("adopts a topic whose createForumTopic answer was lost, by its forum_topic_created, instead of opening a second", async () => {
    tg.failNext("createForumTopic", { kind: "answer_lost" });
    const card = await asks(5501, "adopted");
    expect(tg.callsOf("createForumTopic")).toHaveLength(1);
    expect(tg.topicsOf(DESK)).toHaveLength(1);
    expect(card.threadId).toBe(tg.topicsOf(DESK)[0]?.message_thread_id);
  });

  it("ignores /close addressed to another bot, and obeys it addressed to this one", async () => {
    const chat = 5502;
    const card = await asks(chat, "commands");
    const thread = card.threadId ?? 0;
    tg.postAsAgent(DESK, ANNA, "/close@SomeOtherBot", thread);
    const reply = tg.nextMessage(chat, (m) => m.text.endsWith("Ещё здесь"));
    tg.postAsAgent(DESK, ANNA, "Ещё здесь", thread);
    await reply; // not closed: the reply reached the customer
    const rate = tg.nextMessage(chat, (m) => /Оцените/.test(m.text));
    tg.postAsAgent(DESK, ANNA, "/close@support_test_bot", thread);
    await rate;
    expect(
      tg
        .topicsOf(DESK)
        .find((t) => t.message_thread_id === thread)
        ?.name.startsWith("✅"),
    ).toBe(true);
  });

  it("shows the agents a customer's edit, marked (изменено), with its new text masked", async () => {
    const chat = 5503;
    const card = await asks(chat, "editor");
    const thread = card.threadId ?? 0;
    const sent = tg.sendText(chat, "мой вход: логин editor");
    await tg.nextInThread(DESK, thread, (m) => m.text.includes("мой вход"));
    const notice = tg.nextInThread(DESK, thread, (m) => m.text.startsWith("Клиент (изменено):"));
    tg.editAsCustomer(chat, sent.message?.message_id ?? 0, "мой вход: логин editor пароль Qwerty123!");
    expect((await notice).text).toContain("логин editor");
    expect(tg.messagesInThread(DESK, thread).some((m) => m.text.includes("Qwerty123"))).toBe(false);
  });
});
