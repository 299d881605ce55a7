import type { Locale } from "../../flows/model.js";
import type { DeskContext } from "./desk-context.js";
import type { Topics } from "./topics.js";

/**
 * What a banned customer is told, once per handoff, in their language. Customer-facing, so it follows
 * flows/texts' tone: polite, no blame, and the route that still works.
 */
const NOTICE: Record<Locale, string> = {
  ru: "К сожалению, мы не можем продолжить переписку в этом чате. Если вопрос остался, оформите, пожалуйста, заявку из панели управления.",
  en: "Unfortunately we cannot continue this conversation in this chat. If your question is still open, please file a ticket from the control panel.",
};

/**
 * `/ban`: a banned customer's handoffs are not relayed. A new handoff of theirs is ended before it
 * gets a topic, and a message is not posted; they are told politely, once per handoff.
 */
export class Bans {
  constructor(
    private readonly c: DeskContext,
    private readonly topics: Topics,
  ) {}

  /**
   * `/ban` in a handoff's topic: the customer is banned, the handoff ends without asking for a rating,
   * and they are told politely.
   */
  async ban(handoffId: string, by: string): Promise<void> {
    const record = await this.c.records.read(handoffId);
    if (!record) return;
    await this.c.directory.setBanned(record.conversationKey, true, this.c.now());
    await this.c.records.close(handoffId, by);
    await this.topics.finish(handoffId, this.c.texts.banned);
    await this.notify(handoffId);
  }

  /** True (and the customer told) when the handoff's customer is banned: the caller relays nothing. */
  async refuse(handoffId: string): Promise<boolean> {
    const record = await this.c.records.read(handoffId);
    if (!record || !(await this.c.directory.isBanned(record.conversationKey))) return false;
    // Told once: the first refusal ends the handoff; later messages to it are dropped quietly.
    if (!(await this.c.records.cancel(handoffId))) return true;
    await this.topics.finish(handoffId, this.c.texts.banned);
    await this.notify(handoffId);
    return true;
  }

  private async notify(handoffId: string): Promise<void> {
    const record = await this.c.records.read(handoffId);
    if (!record) return;
    const sender = this.c.senders.get(record.channel);
    await sender
      ?.send(record.chatId, { text: NOTICE[record.locale] }, { idempotencyKey: `ban-${handoffId}` })
      .catch((err: unknown) => {
        // A courtesy to someone who was abusive; a failure changes nothing.
        this.c.logger.warn({ err, handoff: handoffId }, "ban notice not delivered");
      });
  }
}
