import type { Logger } from "pino";
import type { API } from "vk-io";
import { type ChannelSender, DeliveryError, type SendOptions, type SentMessage } from "../../src/channel.js";
import type { OutboundReply } from "../../flows/model.js";
import type { ChoiceMemory } from "./choices.js";
import { classifyVkError, hideRequestParams, type VkFailure, VkTransientError } from "./errors.js";
import { randomIdFor } from "./random-id.js";
import { numberedList, type RenderedReply, renderReply, type VkButtonType } from "./render.js";
import { VK_TEXT_LIMIT } from "./split.js";

/**
 * Bounds on the sender's own retries of transient errors (9, 10, 29; vk-io handles 6 itself). When
 * they are spent the send fails with `VkTransientError` and the engine keeps the reply for later.
 */
export interface VkRetryOptions {
  /** Tries in all, the first included. @defaultValue 4 */
  attempts?: number;
  /** First backoff; doubled each time. @defaultValue 1000 */
  baseMs?: number;
  /** Longest backoff. @defaultValue 8000 */
  maxMs?: number;
}

/** Options for `VkSender`. */
export interface VkSenderOptions {
  api: API;
  logger: Logger;
  choices: ChoiceMemory;
  /** @defaultValue "text" */
  buttonType?: VkButtonType;
  retry?: VkRetryOptions;
  /** Waits between retries (tests pass a fast one). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The VK side of `ChannelSender`: `messages.send` to the peer with a deterministic `random_id` per
 * chunk (a resend after a crash is dropped by VK, not posted twice), the inline keyboard on the last
 * chunk, and `messages.edit` when the engine asks to edit a tagged message.
 *
 * Edits use the `message_id` that `messages.send` with a single `peer_id` returns; an edit VK refuses
 * (too old, deleted, not found) falls back to a new message. A reply longer than one message is
 * always sent anew, since one message cannot be edited into several.
 */
export class VkSender implements ChannelSender {
  readonly channel = "vk" as const;
  private readonly attempts: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: VkSenderOptions) {
    this.attempts = Math.max(1, options.retry?.attempts ?? 4);
    this.baseMs = options.retry?.baseMs ?? 1000;
    this.maxMs = options.retry?.maxMs ?? 8000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Sends (or edits) one reply; throws `DeliveryError` when VK says it can never be delivered. */
  async send(chatId: string, reply: OutboundReply, options: SendOptions): Promise<SentMessage> {
    const peerId = Number(chatId);
    if (!Number.isSafeInteger(peerId) || peerId <= 0) {
      throw new DeliveryError("vk", chatId, "rejected", undefined, {
        cause: new Error(`VK peer id must be a positive integer, got ${JSON.stringify(chatId)}`),
      });
    }
    const rendered = renderReply(reply, { buttonType: this.options.buttonType });
    if (options.editMessageId !== undefined && rendered.chunks.length === 1) {
      if (await this.tryEdit(chatId, peerId, Number(options.editMessageId), rendered)) {
        await this.noteChoices(chatId, rendered.choices, true);
        return { messageId: options.editMessageId };
      }
    }
    let messageId = "";
    let choices = rendered.choices;
    for (const [index, chunk] of rendered.chunks.entries()) {
      const last = index === rendered.chunks.length - 1;
      const randomId = randomIdFor(chatId, options.idempotencyKey, index);
      if (!last || rendered.keyboard === undefined) {
        messageId = await this.sendOne(chatId, { peer_id: peerId, random_id: randomId, message: chunk });
        continue;
      }
      try {
        messageId = await this.sendOne(chatId, {
          peer_id: peerId,
          random_id: randomId,
          message: chunk,
          keyboard: rendered.keyboard,
        });
      } catch (err) {
        if (!(err instanceof KeyboardRefused)) throw err;
        // Bot abilities off, or a keyboard this client cannot take: the buttons become a numbered list.
        this.options.logger.warn(
          { peer: chatId, code: err.code },
          "vk refused the keyboard; sending a numbered list",
        );
        const buttons = (reply.buttons ?? []).flat();
        const list = numberedList(buttons);
        choices = buttons.map((b) => b.payload);
        const joined = `${chunk}\n\n${list}`;
        if (joined.length <= VK_TEXT_LIMIT) {
          // The refused request posted nothing, so its random_id is free for the replacement.
          messageId = await this.sendOne(chatId, { peer_id: peerId, random_id: randomId, message: joined });
        } else {
          await this.sendOne(chatId, { peer_id: peerId, random_id: randomId, message: chunk });
          const listId = randomIdFor(chatId, options.idempotencyKey, rendered.chunks.length);
          messageId = await this.sendOne(chatId, { peer_id: peerId, random_id: listId, message: list });
        }
      }
    }
    await this.noteChoices(chatId, choices, false);
    return { messageId };
  }

  /** `messages.send` with retries; returns the new message's id. */
  private async sendOne(chatId: string, params: Record<string, string | number>): Promise<string> {
    const response = await this.call(chatId, "messages.send", params, "keyboard" in params);
    return messageIdOf(response);
  }

  /** Edits a message in place; false when VK refuses the edit and a new message should be sent. */
  private async tryEdit(
    chatId: string,
    peerId: number,
    messageId: number,
    rendered: RenderedReply,
  ): Promise<boolean> {
    if (!Number.isSafeInteger(messageId) || messageId <= 0) return false;
    const params: Record<string, string | number> = { peer_id: peerId, message_id: messageId };
    params.message = rendered.chunks[0] ?? "…";
    if (rendered.keyboard !== undefined) params.keyboard = rendered.keyboard;
    try {
      await this.call(chatId, "messages.edit", params, false);
      return true;
    } catch (err) {
      // Only a verdict on this edit falls back to a new message; a network failure is thrown so the
      // engine tries the whole reply again later.
      if (err instanceof DeliveryError && err.reason === "rejected") {
        this.options.logger.info(
          { peer: chatId, code: err.platformCode },
          "vk refused the edit; sending a new message",
        );
        return false;
      }
      throw err;
    }
  }

  /**
   * Calls a method, retrying transient errors with a bounded exponential backoff (then
   * `VkTransientError`); turns VK's final word into `DeliveryError`, and a refused keyboard into
   * `KeyboardRefused` when `keyboardSent`.
   */
  private async call(
    chatId: string,
    method: string,
    params: Record<string, string | number>,
    keyboardSent: boolean,
  ): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      let failure: VkFailure;
      try {
        return await this.options.api.call(method, params);
      } catch (err) {
        // Whoever logs this error (the engine does) must not print the message text VK echoes back.
        hideRequestParams(err);
        failure = classifyVkError(err);
        if (failure.action === "raise") throw err;
        if (failure.action === "keyboard" && keyboardSent) throw new KeyboardRefused(failure.code, err);
        if (failure.action === "retry") {
          if (attempt >= this.attempts)
            throw new VkTransientError(method, chatId, failure.code, attempt, { cause: err });
          const waitMs = Math.min(this.baseMs * 2 ** (attempt - 1), this.maxMs);
          this.options.logger.warn(
            { peer: chatId, method, code: failure.code, attempt, waitMs },
            "vk transient error; retrying",
          );
          await this.sleep(waitMs);
          continue;
        }
        const reason = failure.action === "final" ? failure.reason : "rejected";
        this.options.logger.warn(
          { peer: chatId, method, code: failure.code, reason, attempt },
          "vk delivery failed",
        );
        throw new DeliveryError("vk", chatId, reason, failure.code, { cause: err });
      }
    }
  }

  /** Keeps the peer's numbered list answerable, or clears it; a convenience, so failures are logged. */
  private async noteChoices(chatId: string, choices: string[] | undefined, edit: boolean): Promise<void> {
    try {
      if (choices) await this.options.choices.remember(chatId, choices);
      // An edit changes an older message (the queue status); the latest message is still what it was.
      else if (!edit) await this.options.choices.forget(chatId);
    } catch (err) {
      this.options.logger.warn({ err, peer: chatId }, "numbered-list memory unavailable");
    }
  }
}

/** VK refused a message's keyboard (911, 912); the caller sends it again without one. */
class KeyboardRefused extends Error {
  override readonly name = "KeyboardRefused";
  constructor(
    readonly code: number,
    cause: unknown,
  ) {
    super(`VK refused the keyboard (code ${code})`, { cause });
  }
}

/**
 * The message id from a `messages.send` response: a number for `peer_id`, an array of
 * `{ peer_id, message_id }` for `peer_ids`.
 */
export function messageIdOf(response: unknown): string {
  if (typeof response === "number") return String(response);
  const first: unknown = Array.isArray(response) ? response[0] : response;
  if (typeof first === "object" && first !== null) {
    const id = (first as Record<string, unknown>).message_id;
    if (typeof id === "number") return String(id);
  }
  return "";
}
