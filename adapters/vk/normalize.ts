import { z } from "zod";
import { CHANNEL_PREFIX, type GlobalCommand, type InboundEvent } from "../../flows/model.js";
import { decodeButtonPayload } from "./payload.js";

/** Peer ids from here on are group chats (multi-user conversations), which the bot does not serve. */
export const VK_CHAT_PEER_BASE = 2_000_000_000;

/** What a `message_event` (a callback button press) needs to be answered with `sendMessageEventAnswer`. */
export interface MessageEventAnswer {
  eventId: string;
  userId: number;
  peerId: number;
}

/**
 * The outcome of normalizing one VK update: an event for the core, or a reason it is ignored. Either
 * may come with a callback-button press to answer (VK keeps the button spinning until it is).
 */
export type Normalized =
  | { event: InboundEvent; answer?: MessageEventAnswer }
  | { ignored: string; answer?: MessageEventAnswer };

/** Options for `normalizeUpdate`. */
export interface VkNormalizeOptions {
  /** The clock for events that carry no date of their own (button presses). @defaultValue Date.now */
  now?: () => number;
}

const Attachment = z.object({ type: z.string() });

/** The fields of a VK message object (API 5.199) the adapter reads; the rest is dropped. */
const Message = z.object({
  id: z.number().int().optional(),
  date: z.number().optional(),
  peer_id: z.number().int(),
  from_id: z.number().int(),
  text: z.string().default(""),
  out: z.number().int().optional(),
  conversation_message_id: z.number().int().optional(),
  payload: z.string().optional(),
  attachments: z.array(Attachment).default([]),
  geo: z.unknown().optional(),
  fwd_messages: z.array(z.unknown()).optional(),
  action: z.object({ type: z.string() }).optional(),
});

const ClientInfo = z.object({ lang_id: z.number().int().optional() });

/** `message_new` object: `{ message, client_info }` since API 5.103. */
const MessageNewObject = z.object({ message: Message, client_info: ClientInfo.optional() });

/** `message_event` object: a callback button press. `payload` arrives parsed, not as a string. */
const MessageEventObject = z.object({
  user_id: z.number().int(),
  peer_id: z.number().int(),
  event_id: z.string().min(1),
  payload: z.unknown().optional(),
  conversation_message_id: z.number().int().optional(),
});

/** One update from Bots Long Poll or the Callback API. */
const Update = z.object({
  type: z.string(),
  object: z.unknown(),
  group_id: z.number().int().optional(),
  event_id: z.string().optional(),
});

/** VK `lang_id` values → language codes, for the flow's locale hint. */
const LANG_IDS: Record<number, string> = {
  0: "ru",
  1: "uk",
  2: "be",
  3: "en",
  4: "es",
  5: "fi",
  6: "de",
  7: "it",
};

/**
 * Plain-text commands: VK has no command menu, so customers type them, and the «Начать» start button
 * of an old client may arrive without its payload. «оператор» / «отмена» as words are left to the
 * flow, which understands them in context; only the slash forms are commands here.
 */
const TEXT_COMMANDS: Record<string, GlobalCommand> = {
  начать: "start",
  start: "start",
  "/start": "start",
  "/начать": "start",
  "/operator": "operator",
  "/оператор": "operator",
  "/cancel": "cancel",
  "/отмена": "cancel",
};

/** The VK conversation key of a peer: `vk-<peer id>`, as the core expects. */
export function conversationKeyOf(peerId: number | string): string {
  return `${CHANNEL_PREFIX.vk}-${peerId}`;
}

/** A global command typed as text («Начать», «/start», «/operator», «/cancel»), if the text is one. */
export function textCommandOf(text: string): GlobalCommand | undefined {
  const word = text
    .trim()
    .toLowerCase()
    .replace(/[!.…\s]+$/u, "");
  return TEXT_COMMANDS[word];
}

/**
 * Turns one VK update (Bots Long Poll or Callback API, API 5.199) into a channel-neutral event.
 *
 * Ignored: updates other than `message_new`, `message_edit` and `message_event`, the community's own messages
 * (`out`, a negative author), group chats (peer ids from 2000000000) and chat service messages.
 * A message with text is a text event even when it carries attachments (a photo with a caption): the
 * flow can read the caption. Without text, the first attachment names the `unsupported` kind.
 *
 * The update id for dedupe is VK's `event_id`, or the peer id plus `conversation_message_id` when an
 * older API version sends none.
 */
export function normalizeUpdate(raw: unknown, options: VkNormalizeOptions = {}): Normalized {
  const update = Update.safeParse(raw);
  if (!update.success) return { ignored: "malformed" };
  const { type, object, event_id: eventId } = update.data;
  if (type === "message_new") return fromMessageNew(object, eventId);
  if (type === "message_edit") return fromMessageEdit(object, eventId);
  if (type === "message_event") return fromMessageEvent(object, eventId, options.now ?? Date.now);
  return { ignored: type };
}

function fromMessageNew(object: unknown, eventId: string | undefined): Normalized {
  // Before API 5.103 the object was the message itself; accept both shapes.
  const parsed = MessageNewObject.safeParse(object);
  const legacy = parsed.success ? undefined : Message.safeParse(object);
  const message = parsed.success ? parsed.data.message : legacy?.success ? legacy.data : undefined;
  if (!message) return { ignored: "malformed" };
  const langId = parsed.success ? parsed.data.client_info?.lang_id : undefined;
  if (message.out === 1 || message.from_id <= 0) return { ignored: "own_message" };
  if (message.peer_id >= VK_CHAT_PEER_BASE || message.peer_id <= 0) return { ignored: "group_chat" };
  if (message.action) return { ignored: "service_message" };

  const updateId =
    eventId ??
    (message.conversation_message_id !== undefined
      ? `${message.peer_id}-${message.conversation_message_id}`
      : `${message.peer_id}-m${message.id ?? 0}`);
  const chatId = String(message.peer_id);
  const languageHint = langId !== undefined ? LANG_IDS[langId] : undefined;
  const base = {
    channel: "vk" as const,
    conversationKey: conversationKeyOf(chatId),
    chatId,
    userId: String(message.from_id),
    updateId,
    ...(message.id ? { messageId: String(message.id) } : {}),
    at: (message.date ?? 0) * 1000,
    ...(languageHint ? { languageHint } : {}),
  };

  const text = message.text.trim();
  const decoded = message.payload !== undefined ? decodeButtonPayload(message.payload) : undefined;
  if (decoded?.kind === "command")
    return { event: { ...base, kind: "command", command: decoded.command, text } };
  if (decoded?.kind === "button")
    return { event: { ...base, kind: "button", payload: decoded.payload, text } };
  if (text !== "") {
    const command = textCommandOf(text);
    if (command) return { event: { ...base, kind: "command", command, text } };
    // A photo with a caption: the flow reads the text, and the desk fetches the attachments too.
    const attached = message.attachments.length > 0 ? { withAttachments: true } : {};
    return { event: { ...base, kind: "text", text: message.text, ...attached } };
  }
  const unsupportedKind =
    message.attachments[0]?.type ??
    (message.geo !== undefined ? "geo" : message.fwd_messages?.length ? "forward" : undefined);
  if (unsupportedKind) return { event: { ...base, kind: "unsupported", unsupportedKind } };
  return { ignored: "empty" };
}

/**
 * `message_edit`: the object is the edited message itself. It travels as an `edited_message` with the
 * new text, which the flow masks and relays to the agent while a person handles the conversation.
 */
function fromMessageEdit(object: unknown, eventId: string | undefined): Normalized {
  const parsed = Message.safeParse(object);
  if (!parsed.success) return { ignored: "malformed" };
  const message = parsed.data;
  if (message.out === 1 || message.from_id <= 0) return { ignored: "own_message" };
  if (message.peer_id >= VK_CHAT_PEER_BASE || message.peer_id <= 0) return { ignored: "group_chat" };
  const chatId = String(message.peer_id);
  const text = message.text.trim();
  const event: InboundEvent = {
    channel: "vk",
    conversationKey: conversationKeyOf(chatId),
    chatId,
    userId: String(message.from_id),
    // Each edit is its own update: the same message may be edited more than once.
    updateId:
      eventId ??
      `${message.peer_id}-edit-${message.conversation_message_id ?? message.id ?? 0}-${message.date ?? 0}`,
    ...(message.id ? { messageId: String(message.id) } : {}),
    at: (message.date ?? 0) * 1000,
    kind: "unsupported",
    unsupportedKind: "edited_message",
    ...(text !== "" ? { editedText: message.text } : {}),
  };
  return { event };
}

function fromMessageEvent(object: unknown, eventId: string | undefined, now: () => number): Normalized {
  const parsed = MessageEventObject.safeParse(object);
  if (!parsed.success) return { ignored: "malformed" };
  const press = parsed.data;
  const answer: MessageEventAnswer = {
    eventId: press.event_id,
    userId: press.user_id,
    peerId: press.peer_id,
  };
  if (press.peer_id >= VK_CHAT_PEER_BASE || press.peer_id <= 0) return { ignored: "group_chat", answer };
  const decoded = decodeButtonPayload(press.payload);
  // Not our payload (an old keyboard, another bot's): still answered, so the button stops spinning.
  if (!decoded) return { ignored: "unknown_payload", answer };
  const chatId = String(press.peer_id);
  const base = {
    channel: "vk" as const,
    conversationKey: conversationKeyOf(chatId),
    chatId,
    userId: String(press.user_id),
    // The press's own event_id is unique per press, so it dedupes too when the update has none.
    updateId: eventId ?? `${press.peer_id}-e${press.event_id}`,
    // A press carries no date of its own; the time of receipt is the honest answer.
    at: now(),
  };
  const event: InboundEvent =
    decoded.kind === "command"
      ? { ...base, kind: "command", command: decoded.command }
      : { ...base, kind: "button", payload: decoded.payload };
  return { event, answer };
}
