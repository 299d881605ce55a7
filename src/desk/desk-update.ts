/** Who acted in the desk: told apart by their Telegram id; the name is for people to read. */
export interface DeskAgent {
  agentId: string;
  agentName: string;
  /** The Telegram @username (without @), when they have one: escalations mention it. */
  username?: string;
}

/** An update from the agents' supergroup, already taken out of the platform's form. */
export type DeskUpdate =
  | ({
      kind: "callback";
      callbackId: string;
      data: string;
      /** The message whose button was pressed. */
      messageId?: number;
    } & DeskAgent)
  | ({
      kind: "message";
      /** The topic; undefined for a post in «General». */
      threadId?: number;
      messageId: number;
      /** The text or the media's caption; a command addressed to this bot has its `@bot` removed. */
      text?: string;
      /** A photo, document or other media the post carries. */
      media?: { kind: string; fileId?: string; fileName?: string };
      /** True for an edit of an earlier post (`edited_message`). */
      edited?: boolean;
    } & DeskAgent)
  /** The service message of a topic the bot created (to adopt a topic after a crash). */
  | { kind: "topic_created"; threadId: number; name: string };
