import type { Redis } from "ioredis";
import { pino } from "pino";
import { ChannelRegistry } from "../../src/channel-registry.js";
import { Desk, type DeskOptions } from "../../src/desk/desk.js";
import type { Engine } from "../../src/engine/engine.js";
import { HandoffRecords } from "../../src/handoff/handoff-record.js";
import { QueueGateway } from "../../src/handoff/queue-gateway.js";
import { ConversationStore } from "../../src/store/conversation-store.js";
import { FakeDeskApi } from "./fake-desk-api.js";
import { type RecordingSender, recordingEngine, recordingFlow } from "./fake-flow.js";
import type { TestRedis } from "./redis-server.js";

/** A desk over its own Redis database, an in-memory supergroup and the recording flow. */
export interface Harness {
  api: FakeDeskApi;
  desk: Desk;
  engine: Engine;
  sender: RecordingSender;
  gateway: QueueGateway;
  records: HandoffRecords;
  client: Redis;
  store: ConversationStore;
  options: DeskOptions;
}

/** Makes harnesses (each test its own db, so queues don't mix) and closes them after each test. */
export interface HarnessFactory {
  (options?: { start?: boolean; retentionMs?: number; desk?: Partial<DeskOptions> }): Promise<Harness>;
  /** Closes every harness made (or tracked) so far. */
  closeAll(): Promise<void>;
  /** Closes this one too at `closeAll`. */
  track(h: Harness): void;
}

/** The desk's parts without Telegram, VK or the service: what desk integration tests build on. */
export function deskHarnesses(redis: TestRedis): HarnessFactory {
  const open: Harness[] = [];
  let nextDb = 1;
  const make = async (
    options: { start?: boolean; retentionMs?: number; desk?: Partial<DeskOptions> } = {},
  ): Promise<Harness> => {
    const db = nextDb++;
    const client = redis.client(db);
    await client.flushdb(); // this db belongs to this test alone
    const store = new ConversationStore(client, { prefix: "sb" });
    const records = new HandoffRecords(client, { prefix: "sb", retentionMs: options.retentionMs });
    const gateway = new QueueGateway({ redis: client, prefix: "sb", records });
    const { engine, sender } = recordingEngine(store, gateway);
    const senders = new ChannelRegistry();
    senders.register(sender);
    const api = new FakeDeskApi();
    const deskOptions: DeskOptions = {
      api,
      records,
      store,
      senders,
      sink: engine,
      gateway,
      flow: recordingFlow,
      redis: client,
      workerConnection: () => redis.client(db),
      logger: pino({ level: "silent" }),
      neglectMs: 60_000,
      agentPrefix: () => "Специалист: ",
      stalledIntervalMs: 500,
      ...options.desk,
    };
    const desk = new Desk(deskOptions);
    if (options.start !== false) await desk.start();
    const h = { api, desk, engine, sender, gateway, records, client, store, options: deskOptions };
    open.push(h);
    return h;
  };
  return Object.assign(make, {
    async closeAll() {
      for (const h of open.splice(0)) {
        await h.desk.stop({ force: true });
        await h.gateway.close();
      }
    },
    track(h: Harness) {
      open.push(h);
    },
  });
}

/** Agents of the desk tests. */
export const ANNA = { agentId: "7", agentName: "Анна" };
export const BORIS = { agentId: "8", agentName: "Борис" };

/** An agent presses a desk button. */
export const press = (h: Harness, id: string, data: string, agent = ANNA) =>
  h.desk.handleUpdate({ kind: "callback", callbackId: id, data, ...agent });

/** An agent posts in a topic. */
export const post = (h: Harness, threadId: number, messageId: number, text: string, agent = ANNA) =>
  h.desk.handleUpdate({ kind: "message", threadId, messageId, text, ...agent });

/** What the recording flow saw in a conversation. */
export const seen = async (h: Harness, conv: string) =>
  JSON.parse((await h.client.hget(h.store.keys(conv)[0], "s")) ?? "{}").seen as string[];

/** The card of topic number `n`. */
export const isCard = (n: number) => (p: { text: string }) =>
  p.text.startsWith(`Обращение #${n} `) || p.text.startsWith(`Handoff #${n} `);
