// Any topology: a single Redis, a Sentinel-managed primary or a Cluster.
import type { RedisClient as Redis } from "../redis/connection.js";
import type { Logger } from "pino";
import type { Locale } from "../../flows/model.js";
import type { FlowModule } from "../../flows/types.js";
import type { ChannelRegistry } from "../channel-registry.js";
import type { InboundSink } from "../engine/inbound-sink.js";
import type { HandoffRecords } from "../handoff/handoff-record.js";
import type { QueueGateway } from "../handoff/queue-gateway.js";
import type { WorkingHours } from "../handoff/working-hours.js";
import type { Metrics } from "../ops/metrics.js";
import type { ConversationStore } from "../store/conversation-store.js";
import type { MediaUploader } from "./delivery.js";
import type { DeskApi } from "./desk-api.js";
import type { AttachmentSource } from "./customer-posts.js";
import type { ProfileSource } from "./topics.js";

/** Options of the desk. */
export interface DeskOptions {
  api: DeskApi;
  records: HandoffRecords;
  /** The conversation store's methods the desk needs, and nothing more. */
  store: Pick<ConversationStore, "markUndeliverable" | "taggedMessageId">;
  /** The channel registry shared with the engine. */
  senders: ChannelRegistry;
  /** Where desk signals enter conversations (the engine, behind its inbound interface). */
  sink: InboundSink;
  gateway: Pick<QueueGateway, "status">;
  flow: Pick<FlowModule, "renderQueueStatus">;
  /** The producer connection (shared, fails fast). */
  redis: Redis;
  /** Makes a connection for a BullMQ worker (`maxRetriesPerRequest: null`). */
  workerConnection: () => Redis;
  logger: Logger;
  metrics?: Metrics;
  /** A handoff nobody took for this long is pinged again in its topic. @defaultValue 10 minutes */
  neglectMs?: number;
  /** The prefix of agent replies as the customer sees them. */
  agentPrefix: (locale: Locale) => string;
  /** The desk's language. @defaultValue "ru" */
  locale?: Locale;
  hours?: WorkingHours;
  /** Neglect pings per handoff before escalation, and escalations to «General» per hour. */
  neglect?: { maxPings?: number; escalationsPerHour?: number };
  /** Operator-editable canned replies (see `Templates`). */
  templatesFile?: string;
  /** Media upload for customers on platforms that cannot copy from Telegram (VK). */
  uploaders?: Partial<Record<string, MediaUploader>>;
  /** Where a customer's attachments are read on platforms the desk cannot copy from (VK). */
  attachmentSources?: Partial<Record<string, AttachmentSource>>;
  /** Where the card finds the customer's @username or profile, per channel. */
  profileSources?: Partial<Record<string, ProfileSource>>;
  /** BullMQ's key prefix of every queue (the gateway's too). @defaultValue `{sb}`, the gateway's default */
  bullPrefix?: string;
  /** BullMQ stalled-job check interval; a killed worker's job is retried after about this long. @defaultValue 30000 */
  stalledIntervalMs?: number;
  now?: () => number;
}
