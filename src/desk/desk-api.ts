import type { Button } from "../../flows/model.js";

/**
 * The Telegram calls the desk makes in the agents' supergroup. A seam: the desk's logic knows no
 * grammY; the implementation is `adapters/telegram/desk-api.ts` (tests use an in-memory fake).
 */
export interface DeskApi {
  createTopic(name: string): Promise<number>;
  editTopic(threadId: number, name: string): Promise<void>;
  closeTopic(threadId: number): Promise<void>;
  /**
   * Posts in a topic, or in «General» when `threadId` is undefined (in parts when longer than one
   * message; buttons on the last); the last part's id.
   */
  post(threadId: number | undefined, text: string, buttons?: Button[][]): Promise<number>;
  /** Edits a post; without `buttons` its buttons go. */
  edit(messageId: number, text: string, buttons?: Button[][]): Promise<void>;
  /** Pins a post (the queue overview in «General»), silently. */
  pin(messageId: number): Promise<void>;
  /**
   * Copies a customer's Telegram message (photo, document) into the topic with `caption` in place of
   * the original's, which was never masked ("" drops it).
   */
  copyFrom(threadId: number, fromChatId: string, messageId: number, caption: string): Promise<void>;
  /** Copies an agent's post (photo, document) to a Telegram customer; the copy's message id. */
  copyTo(toChatId: string, messageId: number): Promise<string>;
  /** Downloads a file of an agent's post (for a platform that cannot copy from Telegram). */
  download(fileId: string): Promise<Buffer>;
  answerCallback(callbackId: string, text?: string): Promise<void>;
  /** A link to a topic of the supergroup, for agents to open an earlier handoff. */
  topicLink(threadId: number): string;
}
