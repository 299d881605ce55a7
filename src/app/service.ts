import type { Logger } from "pino";
import { toDeskUpdate } from "../../adapters/telegram/desk-updates.js";
import { createTelegramChannel, type TelegramChannel } from "../../adapters/telegram/bot.js";
import { createVkChannel, type VkChannel } from "../../adapters/vk/channel.js";
import { RedisChoices } from "../../adapters/vk/choices.js";
import { vkDeskMedia } from "../../adapters/vk/desk-media.js";
import { agentReplyPrefix } from "../../flows/index.js";
import type { Config } from "../config.js";
import { Desk } from "../desk/desk.js";
import { grammyDeskApi, telegramProfiles } from "../../adapters/telegram/desk-api.js";
import { handoffKeys, queuePrefix } from "../handoff/keys.js";
import { moveLegacyJobs } from "../handoff/legacy-queues.js";
import { DESK_INBOX_QUEUE, HANDOFF_QUEUE } from "../handoff/queue-gateway.js";
import { OUTBOUND_QUEUE } from "../desk/delivery.js";
import { TIMERS_QUEUE } from "../desk/waiting-room.js";
import { parseWorkingHours } from "../handoff/working-hours.js";
import { createHttpServer, type HttpServer, type Route } from "../http/server.js";
import { createLogger } from "../logger.js";
import { type ChannelFault, ChannelFaults } from "../ops/channel-faults.js";
import { healthRoutes, metricsRoute } from "../ops/health-routes.js";
import { createMetrics, metricsObserver } from "../ops/metrics.js";
import { describeTarget } from "../redis/connection.js";
import { connectProducer, createCore, workerConnection } from "./core.js";

/** A running service, for tests and for the signal handlers. */
export interface RunningService {
  server: HttpServer;
  /** The server of /metrics alone, when METRICS_PORT is set. */
  metricsServer: HttpServer | undefined;
  logger: Logger;
  /**
   * Resolves when a channel has been deaf (revoked token, 409, VK error 5) for CHANNEL_FAULT_EXIT_MS:
   * the process should then stop and exit non-zero. /readyz is 503 from the fault's first moment.
   */
  gaveUp: Promise<{ channel: string; fault: ChannelFault }>;
  /** Graceful stop: not ready, stop taking updates, finish in-flight work (bounded), close everything. */
  stop(): Promise<void>;
}

/**
 * Runs the bot as a service: the channels whose variables are set, the desk when AGENT_CHAT_ID is
 * set, and the HTTP server (webhooks, /healthz, /readyz, /metrics) in every mode.
 */
export async function runService(config: Config): Promise<RunningService> {
  const logger = createLogger({ level: config.LOG_LEVEL, pretty: config.NODE_ENV !== "production" });
  const redis = await connectProducer(config.redis, logger);
  logger.info({ redis: describeTarget(config.redis) }, "redis connected");
  const hours = config.workHours
    ? parseWorkingHours(config.workHours.spec, config.workHours.timeZone)
    : undefined;
  const metrics = createMetrics({ redis, waitingKey: handoffKeys("sb").waiting });
  const core = await createCore({
    redisUrl: config.redis,
    redis,
    logger,
    idleMs: config.IDLE_MINUTES * 60_000,
    defaultLocale: config.DEFAULT_LOCALE,
    floodLimit: { count: config.FLOOD_MAX, windowMs: config.FLOOD_WINDOW_SECONDS * 1000 },
    lockLeaseMs: config.LOCK_LEASE_MS,
    hours,
    profile: config.profile,
    handoffRetentionMs: config.HANDOFF_RETENTION_DAYS * 24 * 3600_000,
    observer: metricsObserver(metrics),
  });
  // An upgrade from a version that queued under BullMQ's default prefix: what it left waiting is moved.
  await moveLegacyJobs(
    redis,
    // Not the positions queue: its only job is a trigger the desk queues again whenever it is needed.
    [HANDOFF_QUEUE, DESK_INBOX_QUEUE, OUTBOUND_QUEUE, TIMERS_QUEUE],
    queuePrefix(core.prefix),
    logger,
  ).catch((err: unknown) => {
    // Not fatal: the jobs stay where they are, and the next start tries again.
    logger.error({ err }, "could not move jobs an earlier version left queued; the next start tries again");
  });

  let draining = false;
  let giveUp: (why: { channel: string; fault: ChannelFault }) => void = () => undefined;
  const gaveUp = new Promise<{ channel: string; fault: ChannelFault }>((resolve) => {
    giveUp = resolve;
  });
  const faults = new ChannelFaults({
    logger,
    exitAfterMs: config.CHANNEL_FAULT_EXIT_MS,
    onGiveUp: (channel, fault) => giveUp({ channel, fault }),
  });
  const started = new Set<string>();
  const expected: string[] = [];
  const routes: Route[] = [];
  let telegram: TelegramChannel | undefined;
  let vk: VkChannel | undefined;
  let desk: Desk | undefined;

  if (config.TELEGRAM_BOT_TOKEN) {
    const agentChatId = config.AGENT_CHAT_ID;
    telegram = createTelegramChannel({
      token: config.TELEGRAM_BOT_TOKEN,
      apiRoot: config.TELEGRAM_API_ROOT,
      mode: config.BOT_MODE,
      sink: core.sink,
      logger: logger.child({ channel: "telegram" }),
      onFault: (fault) => faults.set("telegram", fault),
      webhook:
        config.BOT_MODE === "webhook" && config.WEBHOOK_URL && config.WEBHOOK_SECRET
          ? { url: config.WEBHOOK_URL, secret: config.WEBHOOK_SECRET }
          : undefined,
      agentChat:
        agentChatId === undefined
          ? undefined
          : {
              chatId: agentChatId,
              handle: async (update) => {
                const me = telegram?.bot.botInfo;
                const deskUpdate =
                  me && toDeskUpdate(update, agentChatId, { id: me.id, username: me.username });
                if (deskUpdate && desk) await desk.handleUpdate(deskUpdate);
              },
            },
    });
    core.registerSender(telegram.sender);
    routes.push(...telegram.routes);
    expected.push("telegram");
  }
  if (config.VK_GROUP_TOKEN && config.VK_GROUP_ID) {
    vk = createVkChannel({
      token: config.VK_GROUP_TOKEN,
      groupId: config.VK_GROUP_ID,
      apiBaseUrl: config.VK_API_BASE_URL,
      mode: config.VK_MODE,
      callback:
        config.VK_MODE === "callback" && config.VK_CALLBACK_CONFIRMATION && config.VK_CALLBACK_SECRET
          ? {
              confirmation: config.VK_CALLBACK_CONFIRMATION,
              secret: config.VK_CALLBACK_SECRET,
              path: "/vk/callback",
            }
          : undefined,
      sink: core.sink,
      // In Redis, so a numbered answer may reach any instance behind the balancer.
      choices: new RedisChoices(core.redis, core.prefix),
      logger: logger.child({ channel: "vk" }),
      onFault: (fault) => faults.set("vk", fault),
    });
    core.registerSender(vk.sender);
    routes.push(...vk.routes);
    expected.push("vk");
  }
  if (telegram && config.AGENT_CHAT_ID !== undefined) {
    const vkMedia = vk ? vkDeskMedia(vk.api) : undefined;
    desk = new Desk({
      api: grammyDeskApi(telegram.bot.api, config.AGENT_CHAT_ID, {
        token: config.TELEGRAM_BOT_TOKEN ?? "",
        apiRoot: config.TELEGRAM_API_ROOT,
      }),
      records: core.records,
      store: core.store,
      // The gateway's queues' prefix: the desk's workers must serve the queues the gateway fills.
      bullPrefix: queuePrefix(core.prefix),
      senders: core.senders,
      sink: core.sink,
      gateway: core.gateway,
      flow: core.flow,
      redis,
      workerConnection: () => workerConnection(config.redis, logger),
      logger: logger.child({ part: "desk" }),
      metrics,
      neglectMs: config.NEGLECT_MINUTES * 60_000,
      stalledIntervalMs: config.DESK_STALLED_MS,
      agentPrefix: (locale) => agentReplyPrefix(locale, config.profile),
      locale: config.DESK_LOCALE,
      hours,
      templatesFile: config.DESK_TEMPLATES_FILE,
      ...(vkMedia
        ? { uploaders: { vk: vkMedia.uploader }, attachmentSources: { vk: vkMedia.attachments } }
        : {}),
      profileSources: {
        telegram: telegramProfiles(telegram.bot.api),
        ...(vkMedia ? { vk: vkMedia.profiles } : {}),
      },
    });
    await desk.start();
  }

  routes.push(
    ...healthRoutes({
      redis,
      queueKey: core.handoffQueue.toKey("meta"),
      started,
      expected,
      draining: () => draining,
      faults: () => faults.problems(),
    }),
  );
  // With METRICS_PORT, /metrics lives on its own server (loopback by default), off the public port.
  if (config.METRICS_PORT === undefined) routes.push(metricsRoute(metrics));
  const server = createHttpServer({ routes, logger });
  const port = await server.listen(config.PORT, config.HOST);
  logger.info({ port, channels: expected, desk: Boolean(desk) }, "http server listening");
  let metricsServer: HttpServer | undefined;
  if (config.METRICS_PORT !== undefined) {
    metricsServer = createHttpServer({ routes: [metricsRoute(metrics)], logger });
    const metricsPort = await metricsServer.listen(config.METRICS_PORT, config.METRICS_HOST);
    logger.info({ port: metricsPort, host: config.METRICS_HOST }, "metrics server listening");
  }

  if (telegram) {
    await telegram.start();
    started.add("telegram");
  }
  if (vk) {
    await vk.start();
    started.add("vk");
  }
  logger.info({ channels: [...started] }, "channels started");

  const stop = async () => {
    draining = true;
    faults.close();
    const bound = new Promise<"timeout">((resolve) =>
      setTimeout(() => resolve("timeout"), config.SHUTDOWN_TIMEOUT_MS).unref(),
    );
    const work = (async () => {
      // Stop taking updates first; polling loops finish and confirm what they took.
      await Promise.allSettled([telegram?.stop(), vk?.stop()]);
      await core.engine.idle();
      await desk?.stop();
    })();
    if ((await Promise.race([work, bound])) === "timeout")
      logger.warn({ ms: config.SHUTDOWN_TIMEOUT_MS }, "shutdown bound reached; closing with work in flight");
    await Promise.all([server.close(), metricsServer?.close()]);
    await core.close();
    redis.disconnect();
  };
  return { server, metricsServer, logger, gaveUp, stop };
}
