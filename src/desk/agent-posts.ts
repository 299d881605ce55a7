import type { AgentActions } from "./agent-actions.js";
import type { DeskCommands } from "./desk-commands.js";
import type { DeskContext } from "./desk-context.js";
import type { DeskUpdate } from "./desk-update.js";
import type { Delivery } from "./delivery.js";

type Post = Extract<DeskUpdate, { kind: "message" }>;

/**
 * Agents' posts: in a handoff's topic a post is the reply to the customer (taking an unclaimed
 * handoff), a `//` note, a command, or — from someone who does not own the handoff — a note whose
 * author is told why it stayed one. An edit of a delivered reply edits the customer's copy.
 */
export class AgentPosts {
  constructor(
    private readonly c: DeskContext,
    private readonly actions: AgentActions,
    private readonly delivery: Delivery,
    private readonly commands: DeskCommands,
  ) {}

  /** Handles one post (or edit) in the supergroup. */
  async handle(post: Post): Promise<void> {
    const text = post.text?.trim();
    if (post.threadId === undefined) {
      // «General»: only commands (/queue, /stats, /alias); agents talk there freely otherwise.
      if (!text?.startsWith("/")) return;
      await this.c.directory.seen(post);
      await this.commands.general(post, text);
      return;
    }
    const handoffId = await this.c.records.byTopic(post.threadId);
    if (!handoffId) return; // a topic the desk did not open: agents may talk there freely
    await this.c.directory.seen(post);
    if (text?.startsWith("//")) return; // an internal note: never sent to the customer
    // An edited command is not run again, nor sent: it was a command when it was written.
    if (text?.startsWith("/") && post.edited) return;
    if (text?.startsWith("/")) {
      const handled = await this.commands.inTopic(post, text, handoffId, (reply) =>
        this.reply(post, handoffId, reply),
      );
      if (handled) return;
    }
    await this.reply(post, handoffId, text);
  }

  /** The post is a reply to the customer, if its author may send one. */
  private async reply(post: Post, handoffId: string, text: string | undefined): Promise<void> {
    const t = this.c.texts;
    const thread = post.threadId as number;
    const record = await this.c.records.read(handoffId);
    // Closed by an agent, or left by the customer (/cancel, /start): a reply would reach someone
    // who is back with the bot or talking about something else.
    if (!record || record.closedAt !== undefined || record.cancelledAt !== undefined) {
      await this.c.api.post(thread, t.alreadyClosed);
      return;
    }
    if (record.agentId && record.agentId !== post.agentId) {
      await this.c.api.post(thread, `${post.agentName}: ${t.notYours(record.agentName ?? "?")}`);
      return;
    }
    if (!record.agentId && !post.edited) {
      const [answer, after] = await this.actions.take(handoffId, post);
      // Another agent took it a moment earlier: this post stays a note, and its author is told.
      if (!after && answer !== t.youHaveIt) return void (await this.c.api.post(thread, answer));
      await after?.();
    }
    if (text === undefined && !post.media) return;
    await this.delivery.enqueue({
      handoffId,
      agentId: post.agentId,
      messageId: post.messageId,
      ...(text !== undefined ? { text } : {}),
      ...(post.media ? { media: post.media } : {}),
      ...(post.edited ? { edit: true } : {}),
    });
  }
}
