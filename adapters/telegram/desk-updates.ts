import type { Update, User } from "grammy/types";
import type { DeskUpdate } from "../../src/desk/desk.js";

/**
 * Turns an update from the agents' supergroup into a desk update, or `undefined` when it is not for
 * the desk: another chat, a bot's post (the desk's own cards included), a service message (topic
 * created, member joined), or an edit (an agent's reply has already been relayed as first sent).
 */
export function toDeskUpdate(update: Update, agentChatId: number): DeskUpdate | undefined {
  const query = update.callback_query;
  if (query) {
    if (query.message?.chat.id !== agentChatId || query.data === undefined || query.from.is_bot)
      return undefined;
    return { kind: "callback", callbackId: query.id, data: query.data, ...agentOf(query.from) };
  }
  const message = update.message;
  if (!message || message.chat.id !== agentChatId || !message.from || message.from.is_bot) return undefined;
  const isServicePost =
    message.forum_topic_created !== undefined ||
    message.forum_topic_edited !== undefined ||
    message.forum_topic_closed !== undefined ||
    message.forum_topic_reopened !== undefined ||
    message.new_chat_members !== undefined ||
    message.left_chat_member !== undefined ||
    message.pinned_message !== undefined;
  if (isServicePost) return undefined;
  return {
    kind: "message",
    // Only a topic message belongs to a handoff; a post in «General» carries no thread.
    ...(message.is_topic_message && message.message_thread_id !== undefined
      ? { threadId: message.message_thread_id }
      : {}),
    messageId: message.message_id,
    ...(message.text !== undefined ? { text: message.text } : {}),
    ...agentOf(message.from),
  };
}

function agentOf(user: User): { agentId: string; agentName: string } {
  const name = [user.first_name, user.last_name].filter(Boolean).join(" ");
  return { agentId: String(user.id), agentName: name || (user.username ?? String(user.id)) };
}
