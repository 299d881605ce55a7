/**
 * The channel-neutral model: what adapters turn platform updates into, and what the engine
 * hands back to them to render. Nothing here knows about Telegram, VK or Redis.
 */

/** A customer-facing channel. `console` is the terminal playground. */
export type ChannelId = "telegram" | "vk" | "console";

/** Short prefixes used in conversation keys and job ids (never contain `:`). */
export const CHANNEL_PREFIX: Record<ChannelId, string> = { telegram: "tg", vk: "vk", console: "cli" };

/** Languages the texts exist in. Russian first. */
export type Locale = "ru" | "en";

/** Global commands understood at any step (VK: the same words as text or buttons). */
export type GlobalCommand = "start" | "operator" | "cancel";

/** What the desk tells a conversation about its handoff; produced by the desk, never by a customer. */
export type SystemSignal =
  | { type: "agent_claimed"; handoffId: string; agentName: string }
  | { type: "agent_closed"; handoffId: string }
  | { type: "agent_message"; handoffId: string };

/** Kinds of inbound event. `unsupported` is anything the flow cannot read (sticker, photo, voice…). */
export type InboundKind = "text" | "button" | "command" | "unsupported" | "system";

/**
 * One inbound event, normalized from a platform update.
 *
 * `conversationKey` identifies the conversation across instances: `${prefix}-${chatId}`
 * (e.g. `tg-12345`, `vk-2000123`); it never contains `:` so it can be part of a BullMQ job id.
 * `updateId` is the platform's own id used for dedupe (Telegram `update_id`; VK `event_id`, or
 * peer id plus `conversation_message_id`).
 */
export interface InboundEvent {
  channel: ChannelId;
  conversationKey: string;
  /** The platform chat or peer id replies are sent to. */
  chatId: string;
  /** The platform user id of the author. */
  userId: string;
  kind: InboundKind;
  /** Message text (for `text`), the button label if known (for `button`), the raw command text. */
  text?: string;
  /** Button payload (for `button`), as produced by a reply's `Button.payload`. */
  payload?: string;
  /** The command (for `command`). */
  command?: GlobalCommand;
  /** What the platform sent that the flow cannot read, e.g. `sticker`, `photo` (for `unsupported`). */
  unsupportedKind?: string;
  /**
   * The caption of a photo, document or video (for `unsupported`), as the customer wrote it. Kept
   * apart from `text` so a caption is never read as a login or a question; masked before it goes on.
   */
  caption?: string;
  /** The new text of a message the customer edited (for `unsupported` of kind `edited_message`). */
  editedText?: string;
  /** True when a text message also carried attachments (VK: a photo with a caption). */
  withAttachments?: boolean;
  /** The desk's signal (for `system`). */
  signal?: SystemSignal;
  /** Platform id used for dedupe; unique per channel. */
  updateId: string;
  /** The platform's message id, when the event is a message (used to relay or copy it). */
  messageId?: string;
  /** Milliseconds since the epoch, when the platform says the event happened. */
  at: number;
  /** Language hint from the platform (Telegram `language_code`). */
  languageHint?: string;
}

/** One button: a label the customer sees and the payload that comes back when pressed. */
export interface Button {
  label: string;
  /** At most 48 ASCII bytes so it fits Telegram's 64-byte callback data and VK's 255. */
  payload: string;
}

/**
 * One outbound reply. Adapters render `buttons` as inline keyboards (or a numbered list where they
 * do not fit) and split long text at line or word boundaries.
 *
 * `tag` names the message so it can be edited in place later; with `edit: true`, the message sent
 * earlier under the same tag is edited instead of a new one being sent (a new one is sent when
 * there is none, or the platform refuses the edit).
 */
export interface OutboundReply {
  text: string;
  buttons?: Button[][];
  tag?: string;
  edit?: boolean;
}
