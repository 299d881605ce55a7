import type { HandoffRequest } from "../../flows/types.js";
import { cardButtons, firstDescription, numberInTitle, renderCard, topicTitle } from "./card.js";
import { courtesy, type DeskContext } from "./desk-context.js";

/** Where the desk looks up how agents can find a customer (Telegram @username, VK profile). */
export interface ProfileSource {
  /** A short text such as `@ivan` or `https://vk.com/ivan (Иван П.)`, or undefined. */
  of(chatId: string): Promise<string | undefined>;
}

/** How long a retry waits for the service message of a topic an earlier attempt may have created. */
const ADOPT_WAIT_MS = 3000;

/**
 * The handoff's topic: opened once (adopted after a crash, never doubled), its card and name kept in
 * step with the handoff's state, and notices for the agents in it.
 */
export class Topics {
  constructor(
    private readonly c: DeskContext,
    private readonly profiles: Partial<Record<string, ProfileSource>> = {},
  ) {}

  /**
   * Opens the topic of a handoff and posts its card, once: each step is recorded in the handoff's
   * record before the next, so a worker killed mid-job and retried continues instead of repeating.
   * True when the card was posted by this call.
   */
  async open(request: HandoffRequest): Promise<boolean> {
    const topic = await this.ensure(request.handoffId);
    if (topic === undefined) return false;
    let record = await this.c.records.read(request.handoffId);
    if (!record || record.card !== undefined) return false;
    const profile = await this.profileOf(record.channel, record.chatId);
    if (profile) {
      await this.c.records.setProfile(record.id, profile);
      record = { ...record, profile };
    }
    const history = await this.c.records.history(record.conversationKey, record.id);
    const text = renderCard(record, this.c.texts, {
      history,
      timeZone: this.c.timeZone,
      link: (t) => this.c.api.topicLink(t),
    });
    const card = await this.c.api.post(topic, text, cardButtons(record, this.c.texts));
    await this.c.records.setCard(request.handoffId, card);
    // A description too long for the card (one message, to be edited) follows it whole.
    const first = firstDescription(record);
    if (first && !text.includes(first)) await this.c.api.post(topic, `${this.c.texts.customer}: ${first}`);
    return true;
  }

  /** The customer's profile for the card; a failed lookup only leaves the link by id. */
  private async profileOf(channel: string, chatId: string): Promise<string | undefined> {
    try {
      return await this.profiles[channel]?.of(chatId);
    } catch (err) {
      this.c.logger.warn({ err, channel }, "customer profile lookup failed");
      return undefined;
    }
  }

  /**
   * The topic of a handoff, created at most once. A short lock keeps two workers from creating it
   * side by side; an attempt that may have succeeded before a crash is looked for first: the
   * `forum_topic_created` service message carries the name with its unique `#n`, and `adopt` records it.
   */
  async ensure(handoffId: string): Promise<number | undefined> {
    for (let i = 0; i < 100; i++) {
      const record = await this.c.records.read(handoffId);
      if (!record) return undefined;
      if (record.topic !== undefined) return record.topic;
      if (record.cancelledAt !== undefined) return undefined; // the customer left before anyone saw it
      if (await this.c.records.lockCreation(handoffId, 30_000)) {
        try {
          if (record.topicAttemptAt !== undefined) {
            const adopted = await this.waitForAdoption(handoffId);
            if (adopted !== undefined) return adopted;
          }
          const n = await this.c.records.number(handoffId);
          await this.c.records.noteTopicAttempt(handoffId);
          const thread = await this.c.api.createTopic(topicTitle({ ...record, n }, this.c.texts));
          return await this.c.records.adoptTopic(handoffId, thread);
        } finally {
          await this.c.records.unlockCreation(handoffId);
        }
      }
      // Another worker is creating it right now.
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(
      `Topic of handoff ${handoffId} is still being created after 10 s; the job will be retried.`,
    );
  }

  private async waitForAdoption(handoffId: string): Promise<number | undefined> {
    const until = this.c.now() + ADOPT_WAIT_MS;
    for (;;) {
      const topic = (await this.c.records.read(handoffId))?.topic;
      if (topic !== undefined || this.c.now() >= until) return topic;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** A `forum_topic_created` the bot caused: adopts the topic for the handoff its name numbers. */
  async adopt(threadId: number, name: string): Promise<void> {
    const n = numberInTitle(name);
    const handoffId = n === undefined ? undefined : await this.c.records.byNumber(n);
    if (handoffId) await this.c.records.adoptTopic(handoffId, threadId);
  }

  /** Brings the topic's name and the card (text and buttons) in line with the handoff's state. */
  async refresh(handoffId: string): Promise<void> {
    const record = await this.c.records.read(handoffId);
    if (!record) return;
    const jobs: Promise<unknown>[] = [];
    if (record.topic !== undefined)
      jobs.push(
        courtesy(
          this.c,
          "topic rename",
          handoffId,
          this.c.api.editTopic(record.topic, topicTitle(record, this.c.texts)),
        ),
      );
    if (record.card !== undefined) {
      const history = await this.c.records.history(record.conversationKey, record.id);
      const text = renderCard(record, this.c.texts, {
        history,
        timeZone: this.c.timeZone,
        link: (t) => this.c.api.topicLink(t),
      });
      jobs.push(
        courtesy(
          this.c,
          "card edit",
          handoffId,
          this.c.api.edit(record.card, text, cardButtons(record, this.c.texts)),
        ),
      );
    }
    await Promise.all(jobs);
  }

  /** Posts a notice for the agents in the handoff's topic. */
  async tell(handoffId: string, text: string): Promise<void> {
    const topic = (await this.c.records.read(handoffId))?.topic;
    if (topic !== undefined) await this.c.api.post(topic, text);
  }

  /** Ends the topic after the handoff ended: a last notice, the card and name updated, closed. */
  async finish(handoffId: string, notice: string): Promise<void> {
    const record = await this.c.records.read(handoffId);
    if (record?.topic === undefined) return;
    await this.c.api.post(record.topic, notice);
    await this.refresh(handoffId);
    await courtesy(this.c, "closeForumTopic", handoffId, this.c.api.closeTopic(record.topic));
  }
}
