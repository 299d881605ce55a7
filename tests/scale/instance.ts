/**
 * One engine instance for the scale test, run as its own process:
 * `node --import tsx tests/scale/instance.ts <redis> <prefix> <instanceId>`, where `<redis>` is a URL or
 * a `RedisTarget` as JSON (a Cluster, Sentinels).
 *
 * It takes inbound events from the Redis list `<prefix>:in:<instanceId>` (as a load balancer would
 * hand it webhooks), handles each with the recording flow on a real `Engine`, and pushes every outcome
 * to `<prefix>:out`. Replies are recorded in `<prefix>:replies:<chatId>`. A `{ "stop": true }` message
 * makes it finish what it has in flight and exit.
 */
import { pino } from "pino";
import type { ChannelSender } from "../../src/channel.js";
import { Engine } from "../../src/engine/engine.js";
import type { InboundEvent } from "../../flows/model.js";
import { createRedisClient, type RedisTarget, singleTarget } from "../../src/redis/connection.js";
import { ConversationStore } from "../../src/store/conversation-store.js";
import { RecordingGateway, recordingFlow, stubClassifier } from "../helpers/fake-flow.js";

/** A message on an instance's input list. */
export type InstanceMessage = { stop: true } | { event: InboundEvent; copy: number };

/** One outcome an instance reports on `<prefix>:out`. */
export interface InstanceOutcome {
  updateId: string;
  copy: number;
  instance: string;
  status: "handled" | "duplicate" | "dropped" | "error";
  error?: string;
}

async function main(): Promise<void> {
  const [where, prefix, id] = process.argv.slice(2);
  if (!where || !prefix || !id)
    throw new Error("usage: instance.ts <redisUrl|targetJson> <prefix> <instanceId>");
  const target = where.startsWith("{") ? (JSON.parse(where) as RedisTarget) : singleTarget(where);
  const logger = pino({ level: "silent" });
  const redis = createRedisClient(target, "worker", logger);
  // BLPOP blocks its connection, so it gets one of its own.
  const inbox = createRedisClient(target, "worker", logger);
  const store = new ConversationStore(redis, { prefix, leaseMs: 5_000 });
  const sender: ChannelSender = {
    channel: "console",
    async send(chatId, reply) {
      const length = await redis.rpush(`${prefix}:replies:${chatId}`, reply.text);
      return { messageId: String(length) };
    },
  };
  const engine = new Engine({
    store,
    flow: recordingFlow,
    context: {
      idleMs: 3_600_000,
      defaultLocale: "ru",
      classifier: stubClassifier,
    },
    handoffs: new RecordingGateway(),
    logger,
    maxLockWaitMs: 20_000,
  });
  engine.registerSender(sender);

  const inFlight = new Set<Promise<unknown>>();
  const report = (outcome: InstanceOutcome) => redis.rpush(`${prefix}:out`, JSON.stringify(outcome));
  await redis.rpush(`${prefix}:ready`, id);
  for (;;) {
    const popped = await inbox.blpop(`${prefix}:in:${id}`, 0);
    if (!popped) continue;
    const message = JSON.parse(popped[1]) as InstanceMessage;
    if ("stop" in message) break;
    const { event, copy } = message;
    // Not awaited: an instance handles many conversations at once, as it would behind a webhook.
    const handled = engine.accept(event).then(
      (status) => report({ updateId: event.updateId, copy, instance: id, status }),
      (err: unknown) =>
        report({ updateId: event.updateId, copy, instance: id, status: "error", error: String(err) }),
    );
    inFlight.add(handled);
    void handled.finally(() => inFlight.delete(handled));
  }
  await Promise.all(inFlight);
  await Promise.all([redis.quit(), inbox.quit()]);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
