import type { AgentActions } from "./agent-actions.js";
import type { Bans } from "./bans.js";
import type { DeskContext } from "./desk-context.js";
import type { DeskUpdate } from "./desk-update.js";
import type { Templates } from "./templates.js";
import type { WaitingRoom } from "./waiting-room.js";

type Post = Extract<DeskUpdate, { kind: "message" }>;

/** Splits `/name args` (the adapter has already removed this bot's `@username`). */
function parse(text: string): { name: string; args: string } {
  const m = /^\/(\w+)\s*([\s\S]*)$/.exec(text);
  return { name: (m?.[1] ?? "").toLowerCase(), args: (m?.[2] ?? "").trim() };
}

const seconds = (ms: number, n: number) => (n > 0 ? `${Math.round(ms / n / 1000)} с` : "—");

/**
 * The desk's commands: /close, /t <key>, /ban, /unban in a handoff's topic; /queue, /stats and
 * /alias anywhere.
 */
export class DeskCommands {
  constructor(
    private readonly c: DeskContext,
    private readonly actions: AgentActions,
    private readonly room: WaitingRoom,
    private readonly templates: Templates,
    private readonly bans: Bans,
  ) {}

  /** A command in «General»; an unknown one is left alone (it may be for another bot). */
  async general(post: Post, text: string): Promise<void> {
    await this.anywhere(post, parse(text), undefined);
  }

  /**
   * A command in a handoff's topic. True when it was handled; false for text that only looks like a
   * command (it is then a reply). `reply` sends text to the customer as the agent's reply.
   */
  async inTopic(
    post: Post,
    text: string,
    handoffId: string,
    reply: (text: string) => Promise<void>,
  ): Promise<boolean> {
    const t = this.c.texts;
    const thread = post.threadId;
    const { name, args } = parse(text);
    switch (name) {
      case "take": {
        const [answer, after] = await this.actions.takeOver(handoffId, post);
        await this.c.api.post(thread, answer);
        await after?.();
        return true;
      }
      case "close": {
        const [answer, after] = await this.actions.close(handoffId, post);
        await this.c.api.post(thread, answer);
        await after?.();
        return true;
      }
      case "t": {
        const template = this.templates.get(args);
        if (template === undefined)
          await this.c.api.post(thread, t.templateUnknown(this.templates.keys().join(", ")));
        else await reply(template);
        return true;
      }
      case "ban":
        await this.bans.ban(handoffId, post.agentName);
        return true;
      case "unban": {
        const record = await this.c.records.read(handoffId);
        if (record) await this.c.directory.setBanned(record.conversationKey, false, this.c.now());
        await this.c.api.post(thread, t.unbanned);
        return true;
      }
      default:
        return this.anywhere(post, { name, args }, thread);
    }
  }

  private async anywhere(
    post: Post,
    cmd: { name: string; args: string },
    thread: number | undefined,
  ): Promise<boolean> {
    const t = this.c.texts;
    switch (cmd.name) {
      case "queue":
        await this.c.api.post(thread, await this.room.overview());
        return true;
      case "alias":
        if (cmd.args === "") await this.c.api.post(thread, t.aliasUsage);
        else {
          const alias = cmd.args.slice(0, 40);
          await this.c.directory.setAlias(post.agentId, alias);
          await this.c.api.post(thread, t.aliasSet(alias));
        }
        return true;
      case "stats": {
        const figures = await this.c.directory.figures();
        const lines = figures.map(
          (f) =>
            `${f.name}: ${f.handled} · ${seconds(f.claimMsTotal, f.claims)} · ${seconds(f.firstReplyMsTotal, f.firstReplies)} · ${
              f.ratings > 0 ? (f.ratingTotal / f.ratings).toFixed(1) : "—"
            }`,
        );
        await this.c.api.post(thread, figures.length === 0 ? t.noStats : [t.stats, ...lines].join("\n"));
        return true;
      }
      default:
        return false;
    }
  }
}
