import type { DeskInboxJob } from "../handoff/queue-gateway.js";
import type { DeskContext } from "./desk-context.js";
import type { Topics } from "./topics.js";

/** Where the desk reads a customer's attachments on a platform it cannot copy from (VK). */
export interface AttachmentSource {
  /** The message's attachments, each with a link an agent can open when there is one. */
  of(chatId: string, messageId: string): Promise<{ kind: string; url?: string }[]>;
}

/**
 * The customer's side in the topic: their messages (text; Telegram media copied; VK attachments as
 * links), their edits announced, their rating, and their leaving.
 */
export class CustomerPosts {
  constructor(
    private readonly c: DeskContext,
    private readonly topics: Topics,
    private readonly sources: Partial<Record<string, AttachmentSource>> = {},
  ) {}

  /** One customer-side event (a message, a rating, leaving) posted into the topic, in order. */
  async inbox(job: DeskInboxJob): Promise<void> {
    const t = this.c.texts;
    if (job.type === "cancelled") return this.topics.finish(job.handoffId, t.cancelled);
    const topic = await this.topics.ensure(job.handoffId);
    const record = await this.c.records.read(job.handoffId);
    if (topic === undefined || !record) return;
    if (job.type === "rating") {
      await this.c.api.post(topic, t.rated(job.score));
      if (record.agentId)
        await this.c.directory.count(record.agentId, { ratingTotal: job.score, ratings: 1 });
      return;
    }
    const relay = job.relay;
    // An edit comes with its new text, masked by the flow; without text (a photo swapped) it is announced.
    if (relay.edited && relay.text !== undefined)
      return void (await this.c.api.post(topic, `${t.customer} ${t.edited}: ${relay.text}`));
    if (relay.unsupportedKind === "edited_message")
      return void (await this.c.api.post(topic, t.customerEdited));
    if (relay.text !== undefined) await this.c.api.post(topic, `${t.customer}: ${relay.text}`);
    if (relay.messageId && record.channel === "telegram" && relay.text === undefined) {
      // The flow's masked caption, never the original: a caption can hold a password too.
      await this.c.api.copyFrom(topic, record.chatId, Number(relay.messageId), relay.caption ?? "");
      return;
    }
    // Asked about only when there is something to fetch (one API call): a message without text, or a
    // text that the platform said came with attachments.
    const source =
      relay.text === undefined || relay.withAttachments ? this.sources[record.channel] : undefined;
    const attachments = source && relay.messageId ? await source.of(record.chatId, relay.messageId) : [];
    for (const a of attachments)
      await this.c.api.post(topic, a.url ? t.attachment(a.kind, a.url) : t.nonText(a.kind));
    if (relay.text === undefined && attachments.length === 0)
      await this.c.api.post(topic, t.nonText(relay.unsupportedKind ?? "?"));
  }
}
