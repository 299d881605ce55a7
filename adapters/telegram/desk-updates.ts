import type { Message, Update, User } from "grammy/types";
import type { DeskAgent, DeskUpdate } from "../../src/desk/desk-update.js";

/** This bot, as getMe describes it. */
export interface DeskBot {
  id: number;
  username: string;
}

/**
 * Turns an update from the agents' supergroup into a desk update, or `undefined` when it is not for
 * the desk: another chat, another bot's post (the desk's own cards included), a service message other
 * than the bot's own topic creation, or a command addressed to another bot (`/close@OtherBot`).
 */
export function toDeskUpdate(update: Update, agentChatId: number, bot: DeskBot): DeskUpdate | undefined {
  const query = update.callback_query;
  if (query) {
    if (query.message?.chat.id !== agentChatId || query.data === undefined || query.from.is_bot)
      return undefined;
    return {
      kind: "callback",
      callbackId: query.id,
      data: query.data,
      messageId: query.message.message_id,
      ...agentOf(query.from),
    };
  }
  const edited = update.edited_message !== undefined;
  const message = update.message ?? update.edited_message;
  if (!message || message.chat.id !== agentChatId || !message.from) return undefined;
  // The service message of a topic this bot created: the desk adopts the topic by the number in its name.
  if (message.forum_topic_created && message.from.id === bot.id && message.message_thread_id !== undefined)
    return {
      kind: "topic_created",
      threadId: message.message_thread_id,
      name: message.forum_topic_created.name,
    };
  if (message.from.is_bot || isService(message)) return undefined;
  const raw = message.text ?? message.caption;
  const text = raw === undefined ? undefined : ownCommand(raw, bot.username);
  if (text === null) return undefined;
  const media = mediaOf(message);
  return {
    kind: "message",
    // Only a topic message belongs to a handoff; a post in «General» carries no thread.
    ...(message.is_topic_message && message.message_thread_id !== undefined
      ? { threadId: message.message_thread_id }
      : {}),
    messageId: message.message_id,
    ...(text !== undefined ? { text } : {}),
    ...(media ? { media } : {}),
    ...(edited ? { edited: true } : {}),
    ...agentOf(message.from),
  };
}

function isService(message: Message): boolean {
  return (
    message.forum_topic_created !== undefined ||
    message.forum_topic_edited !== undefined ||
    message.forum_topic_closed !== undefined ||
    message.forum_topic_reopened !== undefined ||
    message.new_chat_members !== undefined ||
    message.left_chat_member !== undefined ||
    message.pinned_message !== undefined
  );
}

/**
 * A command's text with this bot's `@username` removed; `null` for a command addressed to another
 * bot (it is not for this desk at all). Other text is returned as is.
 */
function ownCommand(text: string, username: string): string | null {
  const m = /^(\/\w+)@(\w+)/.exec(text);
  if (!m) return text;
  if (m[2]?.toLowerCase() !== username.toLowerCase()) return null;
  return `${m[1]}${text.slice(m[0].length)}`;
}

function mediaOf(message: Message): { kind: string; fileId?: string; fileName?: string } | undefined {
  const photo = message.photo?.at(-1);
  if (photo) return { kind: "photo", fileId: photo.file_id, fileName: "photo.jpg" };
  const doc = message.document;
  if (doc) return { kind: "document", fileId: doc.file_id, fileName: doc.file_name ?? "document" };
  for (const kind of ["video", "voice", "audio", "animation", "sticker", "video_note"] as const)
    if (message[kind]) return { kind };
  return undefined;
}

function agentOf(user: User): DeskAgent {
  const name = [user.first_name, user.last_name].filter(Boolean).join(" ");
  return {
    agentId: String(user.id),
    agentName: name || (user.username ?? String(user.id)),
    ...(user.username ? { username: user.username } : {}),
  };
}
