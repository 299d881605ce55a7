import { Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { workerConnection } from "../../src/app/core.js";
import { type RunningService, runService } from "../../src/app/service.js";
import { loadConfig } from "../../src/config.js";
import { TIMERS_QUEUE } from "../../src/desk/desk.js";
import { HandoffRecords } from "../../src/handoff/handoff-record.js";
import { queuePrefix } from "../../src/handoff/keys.js";
import { type FakeAgent, type FakeMessage, FakeTelegramApi } from "../fakes/telegram-api.js";
import { FakeVkApi, type FakeVkMessage } from "../fakes/vk-api.js";
import { deskActors, startDeskInProcess } from "../helpers/desk-e2e.js";
import { freePort, startTestRedis, type TestRedis } from "../helpers/redis-server.js";
import { type ServiceProcess, startService } from "../helpers/service-process.js";

/**
 * The agent desk end to end: the whole service (engine, BullMQ, desk, both channels) with the real
 * grammY and vk-io clients against the fake Bot API (a supergroup with forum topics) and the fake VK
 * API on loopback. Customers write in Telegram and VK; agents press buttons and post in topics.
 * Mostly one service run in-process (`runService`); the neglect ping needs a shorter timer than the
 * configuration allows, so that test assembles the desk itself; the crash test runs the service as a
 * child process and SIGKILLs it. Every wait is on an event of the fakes (or BullMQ's), never a sleep.
 */

/** The agents' supergroup. */
const DESK = -1001234567890;
const ANNA: FakeAgent = { id: 9001, first_name: "Анна", username: "anna_support" };
const BORIS: FakeAgent = { id: 9002, first_name: "Борис" };
const START_PAYLOAD = '{"command":"start"}';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.stop();
});

/** The service's environment for one Redis database and the given fakes. */
async function envFor(
  db: number,
  fakes: { tg?: FakeTelegramApi; vk?: FakeVkApi },
  extra: Record<string, string> = {},
): Promise<Record<string, string>> {
  return {
    NODE_ENV: "production",
    LOG_LEVEL: "silent",
    REDIS_URL: `${redis.url}/${db}`,
    PORT: String(await freePort()),
    FLOOD_MAX: "0",
    ...(fakes.tg
      ? {
          TELEGRAM_BOT_TOKEN: fakes.tg.token,
          TELEGRAM_API_ROOT: fakes.tg.apiRoot,
          AGENT_CHAT_ID: String(DESK),
        }
      : {}),
    ...(fakes.vk
      ? {
          VK_GROUP_TOKEN: fakes.vk.token,
          VK_GROUP_ID: String(fakes.vk.groupId),
          VK_API_BASE_URL: fakes.vk.apiBaseUrl,
        }
      : {}),
    ...extra,
  };
}

const QUEUED = /Вы в очереди: (\d+)-й\./;
const TAKEN = /Специалист взял ваш вопрос/;
const positionOf = (text: string) => Number(QUEUED.exec(text)?.[1]);
const labels = (m: FakeMessage) => m.reply_markup?.inline_keyboard.flat().map((b) => b.text) ?? [];
const dataOf = (m: FakeMessage, label: string) =>
  m.reply_markup?.inline_keyboard.flat().find((b) => b.text === label)?.callback_data ?? "";
const vkButtons = (m: FakeVkMessage) => m.keyboard?.buttons.flat().map((b) => b.action) ?? [];
/** The card of a handoff: the desk's post with [Взять] [Закрыть] that names the customer's login. */
const isCard = (login: string) => (m: FakeMessage) =>
  m.chatId === DESK &&
  m.text.startsWith("Обращение #") &&
  m.text.includes(login) &&
  labels(m).includes("Взять");

describe("the desk with the whole service running (runService, in-process)", () => {
  let tg: FakeTelegramApi;
  let vk: FakeVkApi;
  let service: RunningService;
  let db: Redis;
  let records: HandoffRecords;

  beforeAll(async () => {
    tg = await FakeTelegramApi.start();
    tg.addSupergroup(DESK, { title: "Поддержка — агенты", isForum: true });
    vk = await FakeVkApi.start();
    service = await runService(loadConfig(await envFor(1, { tg, vk })));
    db = redis.client(1);
    records = new HandoffRecords(db, { prefix: "sb" });
  });
  afterAll(async () => {
    await service?.stop();
    await tg?.close();
    await vk?.close();
  });

  // The fakes exist once beforeAll ran; the actors are made when first used.
  const actors = () => deskActors(tg, vk, DESK);
  const tgSays = (chat: number, text: string, reply: RegExp) => actors().tgSays(chat, text, reply);
  const vkSays = (peer: number, text: string, reply: RegExp, payload?: string) =>
    actors().vkSays(peer, text, reply, payload);
  const press = (agent: FakeAgent, card: FakeMessage, button: { label: string } | { data: string }) =>
    actors().press(agent, card, button);

  async function tgLoggedIn(chat: number, login: string): Promise<void> {
    await tgSays(chat, "/start", /логин/i);
    await tgSays(chat, login, /Опишите ситуацию/);
  }

  async function vkLoggedIn(peer: number, login: string): Promise<void> {
    await vkSays(peer, "Начать", /логин/i, START_PAYLOAD);
    await vkSays(peer, login, /Опишите ситуацию/);
  }

  const handoffOf = async (thread: number) => (await records.byTopic(thread)) ?? "";

  it("opens a VK customer's urgent handoff before an earlier normal one, and edits each place in the queue in place", async () => {
    const ivan = 5001; // Telegram, normal: the desk is busy opening this one's topic
    const petr = 7001; // VK, normal, queued before sidr
    const sidr = 7002; // VK, urgent
    const held = tg.hold("createForumTopic");
    await tgLoggedIn(ivan, "ivanov");
    const ivanQueue = await tgSays(ivan, "/operator", QUEUED);
    expect(positionOf(ivanQueue.text)).toBe(1);
    await held.reached;

    await vkLoggedIn(petr, "petrov");
    const petrQueue = await vkSays(petr, "оператор", QUEUED);
    expect(positionOf(petrQueue.text)).toBe(2);
    await vkLoggedIn(sidr, "sidorov");
    const sidrQueue = await vkSays(sidr, "Сайт не работает, всё лежит уже час!", QUEUED);
    // The urgent one goes ahead of both who came earlier.
    expect(positionOf(sidrQueue.text)).toBe(1);

    const petrThird = vk.nextEdit(petr, (m) => m.id === petrQueue.id && positionOf(m.text) === 3);
    const ivanSecond = tg.nextEdit(
      ivan,
      (m) => m.message_id === ivanQueue.message_id && positionOf(m.text) === 2,
    );
    const lastCard = tg.nextMessage(DESK, isCard("petrov"));
    held.release();
    await lastCard;
    // The desk was busy with ivanov's topic; of the two queued meanwhile the urgent one came next.
    expect(tg.topicsOf(DESK).map((t) => t.name)).toEqual([
      "⏳ #1 · TG · ivanov · просит специалиста",
      "⏳ #2 · VK · sidorov · срочно",
      "⏳ #3 · VK · petrov · просит специалиста",
    ]);
    await petrThird;
    await ivanSecond;

    const cardOf = (login: string) => {
      const card = tg
        .messagesTo(DESK)
        .find((m) => m.text.startsWith("Обращение #") && m.text.includes(login));
      if (!card) throw new Error(`no card for ${login}`);
      return card;
    };
    expect(cardOf("sidorov").text).toContain("Приоритет: ВЫСОКИЙ");
    const takeSidr = dataOf(cardOf("sidorov"), "Взять");

    // Anna takes the urgent one: the other two move up, each in the message they already have.
    const ivanFirst = tg.nextEdit(
      ivan,
      (m) => m.message_id === ivanQueue.message_id && positionOf(m.text) === 1,
    );
    const petrSecond = vk.nextEdit(petr, (m) => m.id === petrQueue.id && positionOf(m.text) === 2);
    const sidrClaimed = vk.nextMessage(sidr, (m) => /занимается специалист Анна,/.test(m.text));
    expect(await press(ANNA, cardOf("sidorov"), { label: "Взять" })).toBe(
      "Обращение ваше. Пишите ответ в этой теме.",
    );
    await sidrClaimed;
    await ivanFirst;
    await petrSecond;

    // Boris takes ivanov's: petrov is first now, and ivanov's queue message says he is taken.
    const petrFirst = vk.nextEdit(petr, (m) => m.id === petrQueue.id && positionOf(m.text) === 1);
    const ivanTaken = tg.nextEdit(ivan, (m) => m.message_id === ivanQueue.message_id && TAKEN.test(m.text));
    await press(BORIS, cardOf("ivanov"), { label: "Взять" });
    await petrFirst;
    expect(labels(await ivanTaken)).toEqual([]); // no «cancel the wait» any more
    // Always the same message, never a new one.
    expect(vk.messagesTo(petr).filter((m) => QUEUED.test(m.text))).toHaveLength(1);
    expect(vk.messagesTo(petr).find((m) => m.id === petrQueue.id)?.edits).toBeGreaterThanOrEqual(3);
    expect(tg.messagesTo(ivan).filter((m) => QUEUED.test(m.text) || TAKEN.test(m.text))).toHaveLength(1);
    expect(
      tg.callsOf("editMessageText", ivan).every((c) => Number(c.params.message_id) === ivanQueue.message_id),
    ).toBe(true);
    // A [Взять] pressed on the card as it was before is refused with the owner's name.
    expect(await press(BORIS, cardOf("sidorov"), { data: takeSidr })).toBe(
      "Обращение уже у сотрудника Анна.",
    );
    expect(cardOf("sidorov").text).toContain("Ведёт: Анна");

    // Leave an empty queue for the next tests.
    const asked = Promise.all([
      vk.nextMessage(sidr, (m) => /Оцените/.test(m.text)),
      tg.nextMessage(ivan, (m) => /Оцените/.test(m.text)),
      vk.nextMessage(petr, (m) => /Оцените/.test(m.text)),
    ]);
    expect(await press(ANNA, cardOf("sidorov"), { label: "Закрыть" })).toBe(
      "Обращение закрыто, клиенту предложено оценить помощь.",
    );
    await press(BORIS, cardOf("ivanov"), { label: "Закрыть" });
    await press(ANNA, cardOf("petrov"), { label: "Закрыть" });
    await asked;
    expect(await records.waitingCount()).toBe(0);
  });

  it("Telegram customer: taken, answered (a note stays internal), answers back, photo copied, failure shown, /close, rates 5", async () => {
    const chat = 5101;
    await tgLoggedIn(chat, "kuznetsov");
    const cardArrives = tg.nextMessage(DESK, isCard("kuznetsov"));
    await tgSays(chat, "/operator", QUEUED);
    const card = await cardArrives;
    const thread = card.threadId ?? 0;
    const topic = tg.topicsOf(DESK).find((t) => t.message_thread_id === thread);
    expect(topic?.name).toMatch(/^⏳ #\d+ · TG · kuznetsov · просит специалиста$/);
    expect(card.text).toContain("kuznetsov (со слов клиента, НЕ проверен)");
    expect(card.text).toContain("Канал не авторизован");
    expect(card.text).toContain("Клиент: kuznetsov");
    const handoffId = await handoffOf(thread);
    expect(handoffId).toMatch(new RegExp(`^tg-${chat}-1-[0-9a-z]+$`));

    // [Взять]: the card names the agent and keeps only [Закрыть]; the customer hears of it.
    const claimed = tg.nextMessage(chat, (m) => /занимается специалист Анна,/.test(m.text));
    const cardEdited = tg.nextEdit(DESK, (m) => m.message_id === card.message_id);
    expect(await press(ANNA, card, { label: "Взять" })).toBe("Обращение ваше. Пишите ответ в этой теме.");
    await claimed;
    const edited = await cardEdited;
    expect(edited.text).toContain("Ведёт: Анна");
    expect(labels(edited)).toEqual(["Закрыть", "Передать", "Вернуть в очередь"]);

    // A note, then a reply: the customer's next message is the reply (a delivered note would come first).
    const next = tg.nextMessage(chat);
    tg.postAsAgent(DESK, ANNA, "// проверить DNS, клиент нервничает", thread);
    tg.postAsAgent(DESK, ANNA, "Проверяем, минуту", thread);
    expect((await next).text).toBe("👤 Специалист: Проверяем, минуту");
    expect(tg.messagesTo(chat).some((m) => m.text.includes("проверить DNS"))).toBe(false);

    // The customer's answer and photo reach the topic; the bot itself stays silent.
    const answer = tg.nextInThread(DESK, thread, (m) => m.text === "Клиент: сайт так и не открывается");
    tg.sendText(chat, "сайт так и не открывается");
    await answer;
    // A message as long as Telegram allows still reaches the topic whole (in parts, each within the limit).
    const long = `начало ${"подробность ".repeat(340)}конец`;
    expect(long.length).toBeLessThanOrEqual(4096);
    const before = tg.messagesInThread(DESK, thread).length;
    const longArrived = tg.nextInThread(DESK, thread, (m) => m.text.endsWith("конец"));
    tg.sendText(chat, long);
    await longArrived;
    const parts = tg.messagesInThread(DESK, thread).slice(before);
    expect(parts[0]?.text.startsWith("Клиент: начало")).toBe(true);
    expect(
      parts
        .map((m) => m.text)
        .join(" ")
        .replace(/\s+/g, " "),
    ).toBe(`Клиент: ${long}`.trim());

    const copied = tg.nextInThread(DESK, thread, (m) => m.copyOf !== undefined);
    const photo = tg.sendPhoto(chat, "скрин, вход: ivanov пароль: Qwerty123!");
    const copy = await copied;
    expect(copy.copyOf).toEqual({
      chatId: chat,
      messageId: photo.message?.message_id,
      kind: "photo",
    });
    // The caption the agents see is the flow's masked one, not the original.
    expect(copy.text).toContain("скрин");
    expect(copy.text).not.toContain("Qwerty123");

    // The customer blocked the bot: one attempt, and the topic says why the reply did not arrive.
    tg.setBlocked(chat, true);
    const failure = tg.nextInThread(DESK, thread, (m) =>
      /не доставлено: клиент заблокировал бота/.test(m.text),
    );
    const attempts = tg.callsOf("sendMessage", chat).length;
    tg.postAsAgent(DESK, ANNA, "Вы здесь?", thread);
    await failure;
    expect(
      tg
        .callsOf("sendMessage", chat)
        .slice(attempts)
        .map((c) => c.outcome),
    ).toEqual([403]);
    tg.setBlocked(chat, false);

    // /close: the topic is closed, the customer is asked for a rating with 1–5 buttons.
    const ask = tg.nextMessage(chat, (m) => /Оцените/.test(m.text));
    const closedBy = tg.nextInThread(DESK, thread, (m) => m.text === "Обращение закрыто (Анна).");
    tg.postAsAgent(DESK, ANNA, "/close", thread);
    const rating = await ask;
    await closedBy;
    expect(labels(rating)).toEqual(["1", "2", "3", "4", "5"]);
    expect(tg.topicsOf(DESK).find((t) => t.message_thread_id === thread)?.closed).toBe(true);

    // The press is stored on the handoff and posted in the (closed) topic.
    const posted = tg.nextInThread(DESK, thread, (m) => m.text === "Оценка клиента: 5 из 5.");
    const thanks = tg.nextMessage(chat, (m) => /Спасибо за оценку/.test(m.text));
    tg.pressButton(chat, rating.message_id, dataOf(rating, "5"));
    await thanks;
    await posted;
    expect((await records.read(handoffId))?.rating).toBe(5);

    // The conversation is the bot's again: a new request opens a new topic.
    const secondCard = tg.nextMessage(DESK, isCard("kuznetsov"));
    await tgSays(chat, "оператор", QUEUED);
    expect((await secondCard).threadId).not.toBe(thread);
    expect(await handoffOf((await secondCard).threadId ?? 0)).toMatch(new RegExp(`^tg-${chat}-2-[0-9a-z]+$`));
    await press(ANNA, await secondCard, { label: "Закрыть" });
  });

  it("a customer who leaves closes the topic: a late [Взять] or reply is refused and reaches nobody", async () => {
    // Leaves while queued (/cancel).
    const queued = 5201;
    await tgLoggedIn(queued, "sokolov");
    const firstCard = tg.nextMessage(DESK, isCard("sokolov"));
    await tgSays(queued, "/operator", QUEUED);
    const card = await firstCard;
    const thread = card.threadId ?? 0;
    const takeData = dataOf(card, "Взять");
    const cardEnded = tg.nextEdit(DESK, (m) => m.message_id === card.message_id && labels(m).length === 0);
    const cancelled = tg.nextInThread(DESK, thread, (m) => /Клиент отменил ожидание/.test(m.text));
    const closed = tg.nextCall("closeForumTopic", (c) => Number(c.params.message_thread_id) === thread);
    await tgSays(queued, "/cancel", /Ожидание отменено/);
    await cancelled;
    expect((await closed).outcome).toBe("ok");
    expect(tg.topicsOf(DESK).find((t) => t.message_thread_id === thread)?.closed).toBe(true);
    // The card says so and loses its buttons; a [Взять] pressed on it as it was is refused.
    expect((await cardEnded).text).toContain("✖️ Клиент ушёл");
    expect(await press(ANNA, card, { data: takeData })).toBe("Обращение уже закрыто.");
    expect(card.text).not.toContain("Ведёт");

    // Leaves while an agent has it (/start over).
    const talking = 5202;
    await tgLoggedIn(talking, "lebedev");
    const secondCard = tg.nextMessage(DESK, isCard("lebedev"));
    await tgSays(talking, "/operator", QUEUED);
    const card2 = await secondCard;
    const thread2 = card2.threadId ?? 0;
    const closeData = dataOf(card2, "Закрыть");
    const claimed = tg.nextMessage(talking, (m) => /занимается специалист/.test(m.text));
    await press(ANNA, card2, { label: "Взять" });
    await claimed;
    const left = tg.nextInThread(DESK, thread2, (m) => /Клиент отменил ожидание/.test(m.text));
    await tgSays(talking, "/start", /логин/i);
    await left;
    const heard = tg.messagesTo(talking).length;
    const refused = tg.nextInThread(DESK, thread2, (m) => m.text === "Обращение уже закрыто.");
    tg.postAsAgent(DESK, ANNA, "Вы ещё здесь?", thread2);
    await refused;
    // The refusal is posted instead of queueing the reply, so nothing can follow it to the customer.
    expect(tg.messagesTo(talking)).toHaveLength(heard);
    expect(await press(ANNA, card2, { data: closeData })).toBe("Обращение уже закрыто.");
  });

  it("VK customer: taken, answered, answers back, failure (901) shown, [Закрыть], rates 4", async () => {
    const peer = 7101;
    await vkLoggedIn(peer, "smirnov");
    const cardArrives = tg.nextMessage(DESK, isCard("smirnov"));
    await vkSays(peer, "оператор", QUEUED);
    const card = await cardArrives;
    const thread = card.threadId ?? 0;
    expect(tg.topicsOf(DESK).find((t) => t.message_thread_id === thread)?.name).toMatch(
      /^⏳ #\d+ · VK · smirnov · просит специалиста$/,
    );
    const handoffId = await handoffOf(thread);

    const claimed = vk.nextMessage(peer, (m) => /занимается специалист Борис,/.test(m.text));
    await press(BORIS, card, { label: "Взять" });
    await claimed;

    const next = vk.nextMessage(peer);
    tg.postAsAgent(DESK, BORIS, "// VK, клиент без панели", thread);
    tg.postAsAgent(DESK, BORIS, "Здравствуйте! Смотрю ваш сайт.", thread);
    expect((await next).text).toBe("👤 Специалист: Здравствуйте! Смотрю ваш сайт.");

    const answer = tg.nextInThread(DESK, thread, (m) => m.text === "Клиент: спасибо, жду");
    vk.push(vk.messageNew(peer, { text: "спасибо, жду" }));
    await answer;

    // VK refuses the message (901: the customer withdrew permission): the topic says so.
    vk.failNext("messages.send", 901, { peerId: peer });
    const failure = tg.nextInThread(DESK, thread, (m) =>
      /не доставлено: клиент заблокировал бота/.test(m.text),
    );
    tg.postAsAgent(DESK, BORIS, "Это сообщение не дойдёт", thread);
    await failure;
    expect(vk.messagesTo(peer).some((m) => m.text.includes("не дойдёт"))).toBe(false);

    // [Закрыть] on the card.
    const ask = vk.nextMessage(peer, (m) => /Оцените/.test(m.text));
    expect(await press(BORIS, card, { label: "Закрыть" })).toBe(
      "Обращение закрыто, клиенту предложено оценить помощь.",
    );
    const rating = await ask;
    expect(vkButtons(rating).map((b) => b.label)).toEqual(["1", "2", "3", "4", "5"]);
    expect(tg.topicsOf(DESK).find((t) => t.message_thread_id === thread)?.closed).toBe(true);

    const four = vkButtons(rating).find((b) => b.label === "4");
    const posted = tg.nextInThread(DESK, thread, (m) => m.text === "Оценка клиента: 4 из 5.");
    await vkSays(peer, four?.label ?? "", /Спасибо за оценку/, four?.payload);
    await posted;
    expect((await records.read(handoffId))?.rating).toBe(4);
  });
});

describe("the neglect ping (the desk assembled in-process, to shorten its timer)", () => {
  it("pings a handoff nobody took in its topic, and stops once it is taken", async () => {
    const tg = await FakeTelegramApi.start();
    tg.addSupergroup(DESK);
    const url = `${redis.url}/4`;
    const logger = pino({ level: "silent" });
    const { core, stop } = await startDeskInProcess(tg, DESK, url, { neglectMs: 400 });
    try {
      const chat = 5401;
      const say = (text: string, reply: RegExp) => {
        const answer = tg.nextMessage(chat, (m) => reply.test(m.text));
        tg.sendText(chat, text);
        return answer;
      };
      await say("/start", /логин/i);
      await say("popov", /Опишите ситуацию/);
      const cardArrives = tg.nextMessage(DESK, isCard("popov"));
      await say("/operator", QUEUED);
      const card = await cardArrives;
      const thread = card.threadId ?? 0;
      const neglected = (m: FakeMessage) => m.text.startsWith("⏰");
      await tg.nextInThread(DESK, thread, neglected);
      await tg.nextInThread(DESK, thread, neglected); // and again, while still nobody takes it

      // Once it is taken, the round already scheduled finds it so and schedules no other.
      const prefix = queuePrefix(core.prefix);
      const events = new QueueEvents(TIMERS_QUEUE, { connection: workerConnection(url, logger), prefix });
      await events.waitUntilReady();
      const timers = new Queue(TIMERS_QUEUE, { connection: core.redis, prefix });
      try {
        const answered = tg.nextCall("answerCallbackQuery");
        tg.pressAsAgent(DESK, ANNA, card.message_id, dataOf(card, "Взять"));
        expect((await answered).params.text).toBe("Обращение ваше. Пишите ответ в этой теме.");
        const count = async (...states: ("delayed" | "wait" | "active")[]) => {
          const c = await timers.getJobCounts(...states);
          return states.reduce((n, s) => n + (c[s] ?? 0), 0);
        };
        const pending = () => count("delayed", "wait", "active");
        // A check already running when the handoff was taken read it as untaken: let it finish first.
        for (;;) {
          const completed = new Promise((r) => events.once("completed", r));
          if ((await count("active")) === 0) break;
          await completed;
        }
        const pings = tg.messagesInThread(DESK, thread).filter(neglected).length;
        for (;;) {
          // Listen before looking, so a completion between the two is not missed.
          const completed = new Promise((r) => events.once("completed", r));
          if ((await pending()) === 0) break;
          await completed;
        }
        expect(tg.messagesInThread(DESK, thread).filter(neglected)).toHaveLength(pings);
      } finally {
        await timers.close();
        await events.close();
      }
    } finally {
      await stop();
      await tg.close();
    }
  });
});

describe("outside working hours (VK only, the service in-process)", () => {
  it("tells a queued customer when agents are back, with the phone and panel-ticket routes", async () => {
    const vk = await FakeVkApi.start();
    // Every day but today, in UTC: closed now, open from the coming midnight. (Run across midnight
    // UTC, the day flips and the test fails: the only clock it depends on.)
    const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const today = new Date().getUTCDay();
    const tomorrow = days[(today + 1) % 7];
    const hours = `${tomorrow}-${days[(today + 6) % 7]} 00:00-24:00`;
    const service = await runService(
      loadConfig(await envFor(2, { vk }, { WORK_HOURS: hours, WORK_TZ: "UTC" })),
    );
    try {
      const peer = 7201;
      const said = (text: string, reply: RegExp, payload?: string) => {
        const answer = vk.nextMessage(peer, (m) => reply.test(m.text));
        vk.push(vk.messageNew(peer, { text, ...(payload !== undefined ? { payload } : {}) }));
        return answer;
      };
      await said("Начать", /логин/i, START_PAYLOAD);
      await said("orlov", /Опишите ситуацию/);
      const queued = await said("оператор", /нерабочее время/);
      // The weekday in the customer's language (ru): «пн», «вт»…
      const ruDay = new Intl.DateTimeFormat("ru-RU", { weekday: "short", timeZone: "UTC" }).format(
        Date.UTC(2026, 10, 22 + ((today + 1) % 7)),
      );
      expect(queued.text).toContain(
        `Сейчас нерабочее время: специалисты вернутся ${ruDay} 00:00 (UTC) и ответят здесь.`,
      );
      expect(queued.text).toMatch(/позвоните нам по телефону поддержки/);
      expect(queued.text).not.toMatch(/Вы в очереди/); // no queue promise after hours
      expect(queued.text).toMatch(/заявкой из панели\s+управления/);
      expect(vkButtons(queued).map((b) => b.label)).toContain("Отменить ожидание");
    } finally {
      await service.stop();
      await vk.close();
    }
  });
});

describe("a desk worker killed mid-job (the service as a child process)", () => {
  const services: ServiceProcess[] = [];
  afterAll(async () => {
    for (const s of services) {
      if (s.proc.exitCode === null && s.proc.signalCode === null) {
        s.kill("SIGKILL");
        await s.exited;
      }
    }
  });

  async function started(env: Record<string, string>): Promise<ServiceProcess> {
    const service = startService(env);
    services.push(service);
    await service.waitForLog((l) => l.msg === "channels started");
    return service;
  }

  it("is retried by the next process: one topic, one card", async () => {
    const tg = await FakeTelegramApi.start();
    tg.addSupergroup(DESK);
    try {
      const env = await envFor(
        3,
        { tg },
        // A killed worker's job lock runs out after 2× this; conversation locks after LOCK_LEASE_MS.
        { DESK_STALLED_MS: "1000", LOCK_LEASE_MS: "2000", LOG_LEVEL: "info" },
      );
      const first = await started(env);
      const chat = 5301;
      // Telegram does not answer the card's post before the process dies.
      const held = tg.hold(
        "sendMessage",
        (p) => p.message_thread_id !== undefined && p.reply_markup !== undefined,
      );
      const say = (text: string, reply: RegExp) => {
        const answer = tg.nextMessage(chat, (m) => reply.test(m.text));
        tg.sendText(chat, text);
        return answer;
      };
      await say("/start", /логин/i);
      await say("volkov", /Опишите ситуацию/);
      await say("/operator", QUEUED);
      await held.reached;
      expect(tg.topicsOf(DESK)).toHaveLength(1);
      first.kill("SIGKILL");
      await first.exited;
      await held.clientGone;
      held.release();

      const card = tg.nextMessage(DESK, isCard("volkov"));
      // The card is recorded in Redis after Telegram answers: wait for the job itself to finish.
      const events = new QueueEvents("handoffs", { connection: redis.client(3), prefix: queuePrefix("sb") });
      await events.waitUntilReady();
      const finished = new Promise<string>((resolve) =>
        events.on("completed", ({ jobId }) => {
          if (jobId.startsWith(`tg-${chat}-1-`)) resolve(jobId);
        }),
      );
      await started(env);
      const posted = await card;
      const handoffId = await finished;
      await events.close();
      expect(tg.callsOf("createForumTopic")).toHaveLength(1);
      expect(tg.topicsOf(DESK)).toHaveLength(1);
      const [topic] = tg.topicsOf(DESK);
      expect(posted.threadId).toBe(topic?.message_thread_id);
      expect(tg.messagesTo(DESK).filter((m) => m.text.startsWith("Обращение #"))).toHaveLength(1);
      const record = await new HandoffRecords(redis.client(3), { prefix: "sb" }).read(handoffId);
      expect(record?.topic).toBe(topic?.message_thread_id);
      expect(record?.card).toBe(posted.message_id);
    } finally {
      for (const s of services) s.kill("SIGTERM");
      await Promise.all(services.map((s) => s.exited));
      await tg.close();
    }
  });
});
