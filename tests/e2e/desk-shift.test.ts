import { QueueEvents } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DESK_INBOX_QUEUE } from "../../src/handoff/queue-gateway.js";
import type { FakeAgent, FakeMessage, FakeTelegramApi } from "../fakes/telegram-api.js";
import type { FakeVkApi, FakeVkMessage } from "../fakes/vk-api.js";
import { type DeskService, deskActors, labels, startDeskService } from "../helpers/desk-e2e.js";
import { queuePrefix } from "../../src/handoff/keys.js";

/**
 * A shift at the desk, end to end: the whole service in-process with the real grammY and vk-io
 * clients against the fake Bot API (a forum supergroup) and the fake VK API. Two agents, customers
 * on both platforms, media and edits both ways, a transfer, a cancel and a ban; at the end, what
 * each customer and each agent saw is checked. Every wait is on an event of the fakes.
 */

const DESK = -1001234567000;
const ANNA: FakeAgent = { id: 9101, first_name: "Анна", username: "anna_support" };
const BORIS: FakeAgent = { id: 9102, first_name: "Борис" };
const START_PAYLOAD = '{"command":"start"}';
const QUEUED = /Вы в очереди: (\d+)-й\./;

let running: DeskService;
let tg: FakeTelegramApi;
let vk: FakeVkApi;

beforeAll(async () => {
  running = await startDeskService(DESK, { withVk: true, title: "Поддержка — агенты" });
  tg = running.tg;
  vk = running.vk as FakeVkApi;
});
afterAll(async () => {
  await running?.stop();
});

// The fakes exist once beforeAll ran; the actors are made when first used.
const actors = () => deskActors(tg, vk, DESK);
const tgSays = (chat: number, text: string, reply: RegExp) => actors().tgSays(chat, text, reply);
const vkSays = (peer: number, text: string, reply: RegExp, payload?: string) =>
  actors().vkSays(peer, text, reply, payload);
const press = (agent: FakeAgent, card: FakeMessage, button: { label: string } | { data: string }) =>
  actors().press(agent, card, button);
const isCard = (login: string) => (m: FakeMessage) =>
  m.chatId === DESK &&
  m.text.startsWith("Обращение #") &&
  m.text.includes(login) &&
  labels(m).includes("Взять");

/** A Telegram customer logs in and asks for a person; resolves with their card in the desk. */
async function tgAsks(chat: number, login: string): Promise<FakeMessage> {
  await tgSays(chat, "/start", /логин/i);
  await tgSays(chat, login, /Опишите ситуацию/);
  const card = tg.nextMessage(DESK, isCard(login));
  await tgSays(chat, "/operator", QUEUED);
  return card;
}

async function vkAsks(peer: number, login: string): Promise<FakeMessage> {
  await vkSays(peer, "Начать", /логин/i, START_PAYLOAD);
  await vkSays(peer, login, /Опишите ситуацию/);
  const card = tg.nextMessage(DESK, isCard(login));
  await vkSays(peer, "оператор", QUEUED);
  return card;
}

/** An agent posts in a topic (or «General»); resolves with the post's message id. */
const postAs = (agent: FakeAgent, text: string, thread?: number) =>
  tg.postAsAgent(DESK, agent, text, thread).message?.message_id ?? 0;

/** The payload of a VK keyboard button by its label. */
const dataOfVk = (m: FakeVkMessage, label: string) =>
  m.keyboard?.buttons.flat().find((b) => b.action.label === label)?.action.payload ?? "";

const inTopic = (thread: number, match: (m: FakeMessage) => boolean) => tg.nextInThread(DESK, thread, match);

describe("a shift at the desk", () => {
  it("two agents, both platforms: what every customer and every agent saw", async () => {
    const ivan = 6001; // Telegram
    const olga = 6002; // Telegram, leaves
    const petr = 8001; // VK
    const troll = 8002; // VK, banned

    const ivanCard = await tgAsks(ivan, "ivanov");
    const petrCard = await vkAsks(petr, "petrov");
    const olgaCard = await tgAsks(olga, "orlova");
    const trollCard = await vkAsks(troll, "trollev");
    // The cards say how to find each customer on their platform.
    expect(ivanCard.text).toContain("Профиль: @client6001");
    expect(petrCard.text).toContain("Профиль: https://vk.com/user8001 (Клиент ВК)");
    const ivanTopic = ivanCard.threadId ?? 0;
    const petrTopic = petrCard.threadId ?? 0;

    // The pinned overview in «General» counts four waiting; /queue shows it on demand.
    const overview = tg.nextMessage(DESK, (m) => m.threadId === undefined && /Очередь: ждут 4/.test(m.text));
    postAs(ANNA, "/queue");
    expect((await overview).text).toContain("#1 · TG · просит специалиста");
    expect(tg.pinned.get(DESK)?.length).toBe(1);

    // Anna chooses how customers see her, takes Ivan; Ivan is told, the topic shows her name.
    const aliasSet = tg.nextMessage(DESK, (m) => /будут видеть вас как «Анна К\.»/.test(m.text));
    postAs(ANNA, "/alias Анна К.");
    await aliasSet;
    const ivanClaimed = tg.nextMessage(ivan, (m) => /специалист Анна К\., ответ/.test(m.text));
    expect(await press(ANNA, ivanCard, { label: "Взять" })).toBe("Обращение ваше. Пишите ответ в этой теме.");
    await ivanClaimed;

    // Boris writes in Anna's topic: a note, and he is told; Ivan sees nothing of it.
    const told = inTopic(ivanTopic, (m) => m.text.startsWith("Борис: Это обращение у сотрудника Анна"));
    postAs(BORIS, "Я могу помочь", ivanTopic);
    await told;

    // Anna answers, edits her answer, sends a photo and a template.
    const reply = tg.nextMessage(ivan, (m) => m.text.startsWith("👤 Анна К.:"));
    const replyId = postAs(ANNA, "Здравствуйте! Смотрю.", ivanTopic);
    const delivered = await reply;
    expect(delivered.text).toBe("👤 Анна К.: Здравствуйте! Смотрю.");
    const edited = tg.nextEdit(ivan, (m) => m.message_id === delivered.message_id);
    tg.editAsAgent(DESK, ANNA, replyId, "Здравствуйте! Уже смотрю.", ivanTopic);
    expect((await edited).text).toBe("👤 Анна К.: Здравствуйте! Уже смотрю. (изменено)");
    const photo = tg.nextMessage(ivan, (m) => m.copyOf !== undefined);
    tg.postMediaAsAgent(DESK, ANNA, ivanTopic, { caption: "Вот здесь" });
    expect((await photo).copyOf?.kind).toBe("photo");
    const template = tg.nextMessage(ivan, (m) => m.text.includes("заявку из панели управления"));
    postAs(ANNA, "/t panel", ivanTopic);
    await template;

    // Ivan's photo reaches the topic.
    const copied = inTopic(ivanTopic, (m) => m.copyOf?.kind === "photo");
    tg.sendPhoto(ivan);
    await copied;

    // Anna hands Ivan to Boris; Boris answers, Anna's later post stays a note.
    expect(await press(ANNA, ivanCard, { label: "Передать" })).toBe("Кому передать обращение?");
    const pick = await inTopic(
      ivanTopic,
      (m) => m.text === "Кому передать обращение?" && labels(m).length > 0,
    );
    expect(labels(pick)).toEqual(["Борис"]);
    // The list of names becomes the notice, its buttons gone.
    const handed = tg.nextEdit(DESK, (m) => m.message_id === pick.message_id);
    const ivanHearsBoris = tg.nextMessage(ivan, (m) => /специалист Борис, ответ/.test(m.text));
    await press(ANNA, pick, { label: "Борис" });
    expect((await handed).text).toBe("Обращение передано: Анна → Борис.");
    expect(labels(pick)).toEqual([]);
    await ivanHearsBoris;
    const fromBoris = tg.nextMessage(ivan, (m) => m.text === "👤 Специалист: Продолжу я.");
    postAs(BORIS, "Продолжу я.", ivanTopic);
    await fromBoris;
    const annaTold = inTopic(ivanTopic, (m) => m.text.startsWith("Анна: Это обращение у сотрудника Борис"));
    postAs(ANNA, "И ещё одно", ivanTopic);
    await annaTold;

    // Boris takes Petr (VK): text, a document by upload, an edit; Petr's photo reaches the topic.
    await press(BORIS, petrCard, { label: "Взять" });
    const petrReply = vk.nextMessage(
      petr,
      (m) => m.text === "👤 Специалист: Пришлите, пожалуйста, скриншот.",
    );
    const petrReplyId = postAs(BORIS, "Пришлите, пожалуйста, скриншот.", petrTopic);
    const petrMessage = await petrReply;
    const link = inTopic(petrTopic, (m) => m.text.startsWith("Клиент прислал вложение (photo)"));
    vk.push(
      vk.messageNew(petr, {
        attachments: [
          {
            type: "photo",
            photo: { sizes: [{ type: "x", url: "https://sun9.userapi.com/s.jpg", width: 800 }] },
          },
        ],
      }),
    );
    expect((await link).text).toBe("Клиент прислал вложение (photo): https://sun9.userapi.com/s.jpg");
    // A photo with a caption: the words and the photo both reach the topic.
    const captionText = inTopic(petrTopic, (m) => m.text === "Клиент: вот ещё, с подписью");
    const captionPhoto = inTopic(petrTopic, (m) => m.text.endsWith("https://sun9.userapi.com/c.jpg"));
    const captioned = vk.messageNew(petr, {
      text: "вот ещё, с подписью",
      attachments: [
        {
          type: "photo",
          photo: { sizes: [{ type: "x", url: "https://sun9.userapi.com/c.jpg", width: 800 }] },
        },
      ],
    });
    vk.push(captioned);
    await captionText;
    await captionPhoto;
    // The customer edits that message: the agent sees the new words, masked, marked as an edit.
    const petrEdit = inTopic(petrTopic, (m) => m.text.startsWith("Клиент (изменено): вот ещё"));
    const captionedId = Number((captioned.object as { message: { id: number } }).message.id);
    vk.push(vk.messageEdit(petr, captionedId, "вот ещё, пароль: Qwerty123!"));
    expect((await petrEdit).text).not.toContain("Qwerty123");
    const doc = vk.nextMessage(petr, (m) => m.attachment?.startsWith("doc") === true);
    const docPost = tg.postMediaAsAgent(DESK, BORIS, petrTopic, {
      caption: "Инструкция",
      fileName: "howto.txt",
    });
    expect((await doc).text).toBe("👤 Специалист: Инструкция");
    const fileId =
      (docPost.message as { document?: { file_id: string } } | undefined)?.document?.file_id ?? "";
    expect(vk.uploads.at(-1)?.bytes.equals(tg.fileBytes(fileId))).toBe(true);
    const petrEdited = vk.nextEdit(petr, (m) => m.id === petrMessage.id);
    tg.editAsAgent(DESK, BORIS, petrReplyId, "Пришлите скриншот ошибки.", petrTopic);
    expect((await petrEdited).text).toBe("👤 Специалист: Пришлите скриншот ошибки. (изменено)");

    // Olga leaves: her topic closes, her card says so and loses its buttons.
    const olgaEnded = tg.nextEdit(
      DESK,
      (m) => m.message_id === olgaCard.message_id && labels(m).length === 0,
    );
    await tgSays(olga, "/cancel", /Ожидание отменено/);
    expect((await olgaEnded).text).toContain("✖️ Клиент ушёл");

    // The troll is taken and banned: told politely, not asked for a rating; then nothing is relayed.
    await press(ANNA, trollCard, { label: "Взять" });
    const politely = vk.nextMessage(troll, (m) => /не можем продолжить переписку/.test(m.text));
    postAs(ANNA, "/ban", trollCard.threadId);
    await politely;
    const inbox = new QueueEvents(DESK_INBOX_QUEUE, {
      connection: running.redis.client(1),
      prefix: queuePrefix("sb"),
    });
    await inbox.waitUntilReady();
    const trollHandled = new Promise<void>((resolve) =>
      inbox.on("completed", ({ jobId }) => {
        if (jobId.startsWith(`msg-vk-${troll}`)) resolve();
      }),
    );
    vk.push(vk.messageNew(troll, { text: "эй, ответьте" }));
    await trollHandled;
    await inbox.close();
    // Boris closes both of his; each customer is asked to rate.
    const ivanRate = tg.nextMessage(ivan, (m) => /Оцените/.test(m.text));
    const petrRate = vk.nextMessage(petr, (m) => /Оцените/.test(m.text));
    postAs(BORIS, "/close", ivanTopic);
    await ivanRate;
    expect(await press(BORIS, petrCard, { label: "Закрыть" })).toBe(
      "Обращение закрыто, клиенту предложено оценить помощь.",
    );
    const rated = inTopic(petrTopic, (m) => m.text === "Оценка клиента: 5 из 5.");
    vk.push(vk.messageNew(petr, { text: "5", payload: dataOfVk(await petrRate, "5") }));
    await rated;

    // What each customer saw, in order (queue and login steps before the handoff left out).
    const fromDesk = (texts: string[]) =>
      texts.filter((t) => /👤|занимается специалист|Оцените|не можем/.test(t));
    expect(fromDesk(tg.messagesTo(ivan).map((m) => m.text))).toEqual([
      "Вашим вопросом занимается специалист Анна К., ответ скоро будет здесь.",
      "👤 Анна К.: Здравствуйте! Уже смотрю. (изменено)",
      expect.stringContaining("заявку из панели управления"),
      "Вашим вопросом занимается специалист Борис, ответ скоро будет здесь.",
      "👤 Специалист: Продолжу я.",
      expect.stringMatching(/Оцените/),
    ]);
    expect(tg.messagesTo(ivan).some((m) => /Я могу помочь|И ещё одно/.test(m.text))).toBe(false);
    expect(fromDesk(vk.messagesTo(petr).map((m) => m.text))).toEqual([
      "Вашим вопросом занимается специалист Борис, ответ скоро будет здесь.",
      "👤 Специалист: Пришлите скриншот ошибки. (изменено)",
      "👤 Специалист: Инструкция",
      expect.stringMatching(/Оцените/),
    ]);
    expect(vk.messagesTo(troll).filter((m) => /не можем продолжить переписку/.test(m.text))).toHaveLength(1);
    expect(vk.messagesTo(troll).some((m) => /Оцените/.test(m.text))).toBe(false);
    expect(tg.messagesTo(olga).some((m) => m.text.startsWith("👤"))).toBe(false);
    expect(tg.messagesInThread(DESK, trollCard.threadId ?? 0).some((m) => m.text.includes("эй"))).toBe(false);

    // What the agents saw: the topics' names and the notices in them.
    const names = tg.topicsOf(DESK).map((t) => t.name);
    expect(names).toEqual([
      "✅ #1 · TG · ivanov · просит специалиста",
      "✅ #2 · VK · petrov · просит специалиста",
      "✖️ #3 · TG · orlova · просит специалиста",
      "✅ #4 · VK · trollev · просит специалиста",
    ]);
    const ivanNotices = tg.messagesInThread(DESK, ivanTopic).map((m) => m.text);
    expect(ivanNotices).toEqual(
      expect.arrayContaining([
        "Обращение передано: Анна → Борис.",
        "Обращение закрыто, клиенту предложено оценить помощь.",
        "Обращение закрыто (Борис).",
      ]),
    );
    expect(tg.messagesInThread(DESK, trollCard.threadId ?? 0).map((m) => m.text)).toContain(
      "Клиент заблокирован: бот больше не передаёт его сообщения.",
    );
  });
});
