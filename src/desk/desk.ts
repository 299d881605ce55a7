import type { HandoffRequest } from "../../flows/types.js";
import { KeyedSerializer } from "../engine/keyed-serializer.js";
import { queuePrefix } from "../handoff/keys.js";
import { DESK_INBOX_QUEUE, type DeskInboxJob, HANDOFF_QUEUE } from "../handoff/queue-gateway.js";
import { AgentActions } from "./agent-actions.js";
import { registerAgentMetrics } from "./agent-metrics.js";
import { AgentPosts } from "./agent-posts.js";
import { Bans } from "./bans.js";
import { parseDeskPayload } from "./card.js";
import { CustomerPosts } from "./customer-posts.js";
import { Delivery } from "./delivery.js";
import type { DeskOptions } from "./desk-options.js";
import { DeskCommands } from "./desk-commands.js";
import type { DeskContext } from "./desk-context.js";
import { deskTexts } from "./desk-texts.js";
import type { DeskUpdate } from "./desk-update.js";
import { DeskDirectory } from "./directory.js";
import { Templates } from "./templates.js";
import { Topics } from "./topics.js";
import { WaitingRoom } from "./waiting-room.js";
import { DeskWorkers } from "./workers.js";

export type { DeskOptions } from "./desk-options.js";
export type { DeskUpdate } from "./desk-update.js";
export { OUTBOUND_QUEUE } from "./delivery.js";
export { POSITIONS_QUEUE, TIMERS_QUEUE } from "./waiting-room.js";

/**
 * The agent desk, wired from its parts: `Topics` (a topic and card per handoff, the customer's side
 * posted in), `AgentActions` and `AgentPosts` (buttons, replies, commands), `Delivery` (agent →
 * customer) and `WaitingRoom` (queue positions, overview, neglect pings). Actions on one handoff run
 * in order; different handoffs never wait for each other.
 */
export class Desk {
  readonly topics: Topics;
  readonly room: WaitingRoom;
  readonly actions: AgentActions;
  private readonly delivery: Delivery;
  private readonly posts: AgentPosts;
  private readonly workers: DeskWorkers;
  private readonly bans: Bans;
  private readonly customers: CustomerPosts;
  private readonly serializer = new KeyedSerializer();
  private readonly c: DeskContext;

  constructor(private readonly o: DeskOptions) {
    const now = o.now ?? Date.now;
    // The desk's queues live beside the gateway's, under the same hash-tagged prefix (one Cluster slot).
    const bullPrefix = o.bullPrefix ?? queuePrefix("sb");
    this.c = {
      ...o,
      bullPrefix,
      directory: new DeskDirectory(o.redis, o.records.keys),
      status: (id) => o.gateway.status(id),
      texts: deskTexts(o.locale ?? "ru"),
      timeZone: o.hours?.timeZone ?? "Europe/Moscow",
      now,
    };
    if (o.metrics) registerAgentMetrics(o.metrics.registry, this.c.directory);
    this.workers = new DeskWorkers({
      connection: o.workerConnection,
      stalledIntervalMs: o.stalledIntervalMs ?? 30_000,
      logger: o.logger,
      prefix: bullPrefix,
    });
    this.topics = new Topics(this.c, o.profileSources);
    this.customers = new CustomerPosts(this.c, this.topics, o.attachmentSources);
    this.bans = new Bans(this.c, this.topics);
    this.room = new WaitingRoom(this.c, o.redis, { neglectMs: o.neglectMs ?? 600_000, ...o.neglect });
    this.actions = new AgentActions(this.c, this.topics, this.room);
    this.delivery = new Delivery(this.c, this.topics, o.redis, o.uploaders);
    const commands = new DeskCommands(
      this.c,
      this.actions,
      this.room,
      new Templates(o.templatesFile),
      this.bans,
    );
    this.posts = new AgentPosts(this.c, this.actions, this.delivery, commands);
  }

  /** Starts the workers. */
  async start(): Promise<void> {
    this.workers.start<HandoffRequest>(HANDOFF_QUEUE, (job) => this.openTopic(job.data));
    // Per handoff in order (a customer's messages reach the topic as written); handoffs side by side.
    this.workers.start<DeskInboxJob>(
      DESK_INBOX_QUEUE,
      async ({ data }) => {
        if (data.type === "customer_message" && (await this.bans.refuse(data.handoffId))) return;
        await this.customers.inbox(data);
      },
      { keyOf: (d) => d.handoffId, concurrency: 8 },
    );
    this.delivery.start(this.workers);
    await this.room.start(this.workers);
  }

  /**
   * Stops the workers and the queues. Normally waits for jobs and actions in progress; `force` drops
   * jobs at once (as a crash would: their locks expire and another worker retries them).
   */
  async stop(options: { force?: boolean } = {}): Promise<void> {
    if (!options.force) await this.serializer.idle();
    await this.workers.stop(options.force);
    await Promise.all([this.delivery.close(), this.room.close()]);
  }

  /** Resolves when every desk action accepted so far has finished (tests; graceful stop). */
  idle(): Promise<void> {
    return this.serializer.idle();
  }

  /** A queued handoff: its topic and card, then its neglect timer. */
  private async openTopic(request: HandoffRequest): Promise<void> {
    if (await this.bans.refuse(request.handoffId)) return;
    if (await this.topics.open(request)) await this.room.scheduleNeglect(request.handoffId);
    await this.room.changed();
  }

  /**
   * Handles one update from the agents' supergroup. Resolves once it is handled, or — for a button —
   * once the button is answered: the card, the name and the customer's signal follow in order with
   * the handoff's other actions, without holding up other handoffs.
   */
  async handleUpdate(update: DeskUpdate): Promise<void> {
    if (update.kind === "topic_created") return this.topics.adopt(update.threadId, update.name);
    if (update.kind === "message") {
      const id = update.threadId === undefined ? undefined : await this.o.records.byTopic(update.threadId);
      return this.serializer.run(id ?? "general", () => this.posts.handle(update));
    }
    let answered: () => void = () => undefined;
    const answer = new Promise<void>((r) => {
      answered = r;
    });
    const done = this.serializer.run(parseDeskPayload(update.data)?.handoffId ?? "general", () =>
      this.actions.button(update, answered),
    );
    done.catch((err: unknown) => this.o.logger.warn({ err }, "desk action failed after its answer"));
    await Promise.race([answer, done]);
  }
}
