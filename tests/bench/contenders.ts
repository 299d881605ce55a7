/**
 * The three bots the benchmark compares, each behind the same `handle(update)` seam and the same fake
 * Bot API transport:
 * - floor: a bare grammY bot that echoes each text and keeps no state;
 * - peer: the three-step support flow written the standard grammY way, with @grammyjs/conversations v2
 *   persisted by @grammyjs/storage-redis;
 * - ours: the Telegram adapter's own bot (normalize + sender) in front of the core (dedupe → lock →
 *   state → support flow → reply) on the same Redis.
 */
import {
  type Conversation,
  type ConversationFlavor,
  conversations,
  createConversation,
} from "@grammyjs/conversations";
import { RedisAdapter } from "@grammyjs/storage-redis";
import { Bot, type Context } from "grammy";
import type { Update } from "grammy/types";
import type { Redis } from "ioredis";
import { type Logger, pino } from "pino";
import { createTelegramChannel } from "../../adapters/telegram/bot.js";
import type { Core } from "../../src/app/core.js";
import { FAKE_ME, FAKE_TOKEN, type FakeTransport } from "./fake-telegram.js";

/** One bot under test. */
export interface Contender {
  name: "floor" | "peer" | "ours";
  /** Feeds one update; resolves when the bot is done with it (replies sent, state saved). */
  handle(update: Update): Promise<void>;
  close(): Promise<void>;
}

/**
 * The customer's side of one conversation: start, the login, a general question. The texts are the
 * same for every contender; the question is one the knowledge base answers.
 */
export const SCRIPT = ["/start", "client-12345", "Сколько ждать ответа на заявку?"] as const;

/** The floor: grammY alone, one reply per text, no state. */
export function createFloor(transport: FakeTransport): Contender {
  const bot = new Bot(FAKE_TOKEN, { botInfo: FAKE_ME, client: { fetch: transport.fetch as never } });
  bot.on("message:text", (ctx) => ctx.reply(ctx.message.text));
  return { name: "floor", handle: (update) => bot.handleUpdate(update), close: async () => {} };
}

type PeerContext = ConversationFlavor<Context>;

/** The same login rule as a simple bot would have: a login, a contract number or a domain. */
const PEER_LOGIN = /^(?:[a-z][a-z0-9._-]{2,31}|\d{4,12}|(?:[a-z0-9-]+\.)+[a-z]{2,})$/i;

/** A small knowledge base for the peer: keyword → answer, the way a hand-written bot would do it. */
const PEER_KB: { words: string[]; answer: string }[] = [
  {
    words: ["тикет", "заявк", "обращени"],
    answer:
      "Обычно тикет рассматривается в течение рабочего дня; сложные вопросы — дольше. Ответ придёт в " +
      "панель управления и на контактный e-mail. Статус тикета виден в разделе «Обращения».",
  },
  {
    words: ["канал", "связ", "написать"],
    answer: "Вопросы по аккаунту — тикетом из панели управления. Общие вопросы можно задать здесь, в чате.",
  },
];

/** The peer: @grammyjs/conversations v2 with its state in Redis through @grammyjs/storage-redis. */
export function createPeer(transport: FakeTransport, redis: Redis): Contender {
  const bot = new Bot<PeerContext>(FAKE_TOKEN, {
    botInfo: FAKE_ME,
    client: { fetch: transport.fetch as never },
  });

  async function support(conversation: Conversation<PeerContext, Context>, ctx: Context) {
    await ctx.reply(
      "Здравствуйте! Я бот поддержки хостинга. Никогда не присылайте сюда пароли и данные карт.\n\n" +
        "Напишите логин аккаунта, номер договора или домен.",
    );
    let login = await conversation.waitFor("message:text");
    while (!PEER_LOGIN.test(login.message.text.trim())) {
      await login.reply("Это не похоже на логин. Пример: client-12345, 123456 или example.ru");
      login = await conversation.waitFor("message:text");
    }
    await login.reply("Спасибо! Опишите ситуацию одним сообщением.");
    const question = await conversation.waitFor("message:text");
    const text = question.message.text.toLowerCase();
    const entry = PEER_KB.find((e) => e.words.some((w) => text.includes(w)));
    await question.reply(entry?.answer ?? "Передаю вопрос специалисту.");
  }

  // Order matters: the conversations plugin first, then the conversation, then the entry command.
  bot.use(conversations({ storage: new RedisAdapter({ instance: redis }) }));
  bot.use(createConversation(support, "support"));
  bot.command("start", (ctx) => ctx.conversation.enter("support"));
  return { name: "peer", handle: (update) => bot.handleUpdate(update), close: async () => {} };
}

/** A logger as production runs it (level info, JSON), writing nowhere, so its cost is counted. */
export function benchLogger(): Logger {
  return pino(
    { level: "info", base: { svc: "support-bot" } },
    pino.destination({ dest: "/dev/null", sync: false }),
  );
}

/**
 * Ours: the Telegram adapter's bot exactly as `createTelegramChannel` builds it (its middleware,
 * normalize, retries and sender), wired to the core, on the same fake transport.
 */
export function createOurs(core: Core, logger: Logger, transport: FakeTransport): Contender {
  const channel = createTelegramChannel({
    token: FAKE_TOKEN,
    mode: "polling",
    sink: core.sink,
    logger,
    fetch: transport.fetch as never,
  });
  channel.bot.botInfo = FAKE_ME;
  core.registerSender(channel.sender);
  return {
    name: "ours",
    handle: (update) => channel.handleUpdate(update),
    close: () => core.close(),
  };
}
