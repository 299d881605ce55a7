import { pino } from "pino";
import { expect } from "vitest";
import { createTelegramChannel, type TelegramChannel } from "../../adapters/telegram/bot.js";
import { grammyDeskApi } from "../../adapters/telegram/desk-api.js";
import { toDeskUpdate } from "../../adapters/telegram/desk-updates.js";
import { agentReplyPrefix, supportFlowModule } from "../../flows/index.js";
import { type Core, createCore, workerConnection } from "../../src/app/core.js";
import { Desk, type DeskOptions } from "../../src/desk/desk.js";
import { type RunningService, runService } from "../../src/app/service.js";
import { loadConfig } from "../../src/config.js";
import { type FakeAgent, type FakeMessage, FakeTelegramApi } from "../fakes/telegram-api.js";
import { FakeVkApi, type FakeVkMessage } from "../fakes/vk-api.js";
import { freePort, startTestRedis, type TestRedis } from "./redis-server.js";

/** The whole service in-process with the desk on, against the fakes and a test Redis of its own. */
export interface DeskService {
  redis: TestRedis;
  tg: FakeTelegramApi;
  /** Set when VK was asked for. */
  vk: FakeVkApi | undefined;
  service: RunningService;
  stop(): Promise<void>;
}

/**
 * Starts a test Redis, the fake Bot API with the agents' forum supergroup, the fake VK API when
 * `withVk`, and the service with Telegram, the desk and (then) VK on.
 */
export async function startDeskService(
  deskChat: number,
  options: { withVk?: boolean; title?: string } = {},
): Promise<DeskService> {
  const redis = await startTestRedis();
  const tg = await FakeTelegramApi.start();
  tg.addSupergroup(deskChat, options.title ? { title: options.title, isForum: true } : {});
  const vk = options.withVk ? await FakeVkApi.start() : undefined;
  const service = await runService(
    loadConfig({
      NODE_ENV: "production",
      LOG_LEVEL: "silent",
      REDIS_URL: `${redis.url}/1`,
      PORT: String(await freePort()),
      FLOOD_MAX: "0",
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      AGENT_CHAT_ID: String(deskChat),
      ...(vk
        ? { VK_GROUP_TOKEN: vk.token, VK_GROUP_ID: String(vk.groupId), VK_API_BASE_URL: vk.apiBaseUrl }
        : {}),
    }),
  );
  return {
    redis,
    tg,
    vk,
    service,
    async stop() {
      await service.stop();
      await tg.close();
      await vk?.close();
      await redis.stop();
    },
  };
}

/** A desk assembled in-process (core, Telegram channel, desk) when a test needs options the service does not take. */
export interface InProcessDesk {
  core: Core;
  channel: TelegramChannel;
  desk: Desk;
  stop(): Promise<void>;
}

/** Builds and starts the core, the Telegram channel with the agents' chat, and the desk. */
export async function startDeskInProcess(
  tg: FakeTelegramApi,
  deskChat: number,
  redisUrl: string,
  options: Partial<DeskOptions> = {},
): Promise<InProcessDesk> {
  const logger = pino({ level: "silent" });
  const core = await createCore({ redisUrl, logger });
  let desk: Desk | undefined;
  const channel = createTelegramChannel({
    token: tg.token,
    apiRoot: tg.apiRoot,
    mode: "polling",
    sink: core.sink,
    logger,
    agentChat: {
      chatId: deskChat,
      handle: async (update) => {
        const me = channel.bot.botInfo;
        const deskUpdate = toDeskUpdate(update, deskChat, { id: me.id, username: me.username });
        if (deskUpdate) await desk?.handleUpdate(deskUpdate);
      },
    },
  });
  core.registerSender(channel.sender);
  desk = new Desk({
    api: grammyDeskApi(channel.bot.api, deskChat, { token: tg.token, apiRoot: tg.apiRoot }),
    records: core.records,
    senders: core.senders,
    sink: core.sink,
    store: core.store,
    gateway: core.gateway,
    flow: supportFlowModule,
    redis: core.redis,
    workerConnection: () => workerConnection(redisUrl, logger),
    logger,
    agentPrefix: agentReplyPrefix,
    ...options,
  });
  await desk.start();
  await channel.start();
  const started = desk;
  return {
    core,
    channel,
    desk: started,
    async stop() {
      await channel.stop();
      await started.stop();
      await core.close();
    },
  };
}

/** Button labels of a message. */
export const labels = (m: FakeMessage) => m.reply_markup?.inline_keyboard.flat().map((b) => b.text) ?? [];

/** The callback data of a message's button, by its label. */
export const dataOf = (m: FakeMessage, label: string) =>
  m.reply_markup?.inline_keyboard.flat().find((b) => b.text === label)?.callback_data ?? "";

/** What customers and agents do in desk e2e tests, against the fakes. */
export function deskActors(tg: FakeTelegramApi, vk: FakeVkApi | undefined, deskChat: number) {
  return {
    /** A Telegram customer writes; resolves with the bot's next message to them that matches. */
    tgSays(chat: number, text: string, reply: RegExp): Promise<FakeMessage> {
      const answer = tg.nextMessage(chat, (m) => reply.test(m.text));
      tg.sendText(chat, text);
      return answer;
    },
    /** A VK customer writes (or presses a text button: `payload`); resolves with the matching answer. */
    vkSays(peer: number, text: string, reply: RegExp, payload?: string): Promise<FakeVkMessage> {
      if (!vk) throw new Error("no fake VK in this test");
      const answer = vk.nextMessage(peer, (m) => reply.test(m.text));
      vk.push(vk.messageNew(peer, { text, ...(payload !== undefined ? { payload } : {}) }));
      return answer;
    },
    /**
     * An agent presses a button (by its label, or with the data of a button shown earlier); resolves
     * with the desk's answer to the callback query.
     */
    async press(agent: FakeAgent, card: FakeMessage, button: { label: string } | { data: string }) {
      const data = "data" in button ? button.data : dataOf(card, button.label);
      expect(data).not.toBe("");
      let id = "";
      const answered = tg.nextCall("answerCallbackQuery", (c) => c.params.callback_query_id === id);
      id = tg.pressAsAgent(deskChat, agent, card.message_id, data).callback_query?.id ?? "";
      const call = await answered;
      expect(call.outcome).toBe("ok");
      return call.params.text as string | undefined;
    },
  };
}
