import type { DeskApi } from "../../src/desk/desk-api.js";
import type { Button } from "../../flows/model.js";

/** One post the fake desk recorded. */
export interface DeskPost {
  id: number;
  /** The topic, or 0 for «General». */
  threadId: number;
  text: string;
  buttons?: Button[][];
}

/**
 * An in-memory agents' supergroup for desk tests: topics, posts, edits, closes; waiters resolve when
 * a matching post appears (no sleeps).
 */
export class FakeDeskApi implements DeskApi {
  readonly topics = new Map<number, { name: string; closed: boolean }>();
  readonly posts: DeskPost[] = [];
  readonly callbacks: { id: string; text?: string }[] = [];
  readonly copies: { threadId: number; fromChatId: string; messageId: number; caption: string }[] = [];
  /** Agents' posts copied to Telegram customers. */
  readonly copiesOut: { toChatId: string; messageId: number }[] = [];
  readonly pinned: number[] = [];
  /** Files `download` returns, by file id. */
  readonly files = new Map<string, Buffer>();
  private nextId = 100;
  private waiters: { match: (p: DeskPost) => boolean; resolve: (p: DeskPost) => void }[] = [];
  /** When set, `post` of a card waits on this before answering (to kill a worker mid-job). */
  holdCards?: Promise<void>;

  async createTopic(name: string): Promise<number> {
    const id = this.nextId++;
    this.topics.set(id, { name, closed: false });
    return id;
  }
  async editTopic(threadId: number, name: string): Promise<void> {
    const t = this.topics.get(threadId);
    if (t) t.name = name;
  }
  async closeTopic(threadId: number): Promise<void> {
    const t = this.topics.get(threadId);
    if (t) t.closed = true;
  }
  async post(threadId: number | undefined, text: string, buttons?: Button[][]): Promise<number> {
    if (buttons && this.holdCards) await this.holdCards;
    const p: DeskPost = { id: this.nextId++, threadId: threadId ?? 0, text, ...(buttons ? { buttons } : {}) };
    this.posts.push(p);
    this.waiters = this.waiters.filter((w) => {
      if (!w.match(p)) return true;
      w.resolve(p);
      return false;
    });
    return p.id;
  }
  async edit(messageId: number, text: string, buttons?: Button[][]): Promise<void> {
    const p = this.posts.find((x) => x.id === messageId);
    if (!p) throw new Error(`Bad Request: message to edit not found (${messageId})`);
    p.text = text;
    if (buttons) p.buttons = buttons;
    else delete p.buttons;
  }
  async pin(messageId: number): Promise<void> {
    this.pinned.push(messageId);
  }
  async copyTo(toChatId: string, messageId: number): Promise<string> {
    this.copiesOut.push({ toChatId, messageId });
    return String(this.nextId++);
  }
  async download(fileId: string): Promise<Buffer> {
    const file = this.files.get(fileId);
    if (!file) throw new Error(`no file ${fileId}`);
    return file;
  }
  async copyFrom(threadId: number, fromChatId: string, messageId: number, caption: string): Promise<void> {
    this.copies.push({ threadId, fromChatId, messageId, caption });
  }
  async answerCallback(id: string, text?: string): Promise<void> {
    this.callbacks.push({ id, ...(text ? { text } : {}) });
  }

  topicLink(threadId: number): string {
    return `https://t.me/c/1/${threadId}`;
  }

  /** The posts in «General» (no topic). */
  general(): DeskPost[] {
    return this.posts.filter((p) => p.threadId === 0);
  }

  /** Resolves with the first post (already made or future) that matches. */
  waitForPost(match: (p: DeskPost) => boolean): Promise<DeskPost> {
    const found = this.posts.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }
}
