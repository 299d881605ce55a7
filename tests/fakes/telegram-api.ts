import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Update } from "grammy/types";

/** One message the fake holds, as the bot sent (and maybe edited) it. */
export interface FakeMessage {
  message_id: number;
  chatId: number;
  text: string;
  /** The inline keyboard as sent (JSON-decoded), if any. */
  reply_markup?: { inline_keyboard: { text: string; callback_data?: string }[][] };
  /** What the bot asked for; the adapter must never set one. */
  parse_mode?: string;
  date: number;
  edits: number;
  /** The forum topic it was posted in (`message_thread_id`), in a supergroup with topics. */
  threadId?: number;
  /** For a copyMessage result: the message it copies, and the kind of media it carried. */
  copyOf?: { chatId: number; messageId: number; kind: string };
}

/** A forum topic of a supergroup, as createForumTopic made it. */
export interface FakeTopic {
  chatId: number;
  /** Telegram's id of the topic: the id of the service message that created it. */
  message_thread_id: number;
  name: string;
  icon_color: number;
  closed: boolean;
}

/** A person in the agents' supergroup. */
export interface FakeAgent {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
}

/** A call held before the fake handles it (see `hold`). */
export interface HeldCall {
  /** Resolves with the call's parameters once such a call arrives. */
  reached: Promise<Record<string, unknown>>;
  /** Resolves once the client dropped the held connection (the bot was killed while waiting). */
  clientGone: Promise<void>;
  /**
   * Lets the call through. If the client went away while it was held, the call is dropped
   * unhandled, as a request Telegram never received.
   */
  release(): void;
}

/** One call to the fake, successful or not. */
export interface ApiCall {
  method: string;
  params: Record<string, unknown>;
  /** `ok`, or the error code answered, or `network` for a dropped connection. */
  outcome: "ok" | number | "network";
  at: number;
}

/** A failure to answer instead of the real result, once. */
export type InjectedFailure =
  | { kind: "retry_after"; seconds: number }
  | { kind: "error"; code: number; description: string }
  /** The connection is dropped without an answer (grammY sees a network error). */
  | { kind: "network" }
  /** The call is carried out, then the connection is dropped before the answer (a lost response). */
  | { kind: "answer_lost" };

/** The colours Telegram picks a new topic's icon from (createForumTopic's `icon_color`). */
export const TOPIC_COLORS = [0x6fb9f0, 0xffd67e, 0xcb86db, 0x8eee98, 0xff93b2, 0xfb6f5f] as const;

/** The 403 Telegram answers when the customer blocked the bot. */
export const BLOCKED: InjectedFailure = {
  kind: "error",
  code: 403,
  description: "Forbidden: bot was blocked by the user",
};

type Params = Record<string, unknown>;
type Outcome =
  | { ok: true; result: unknown }
  | { ok: false; code: number; description: string; retryAfter?: number };

class ApiFailure extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
  ) {
    super(description);
  }
}

/**
 * A fake Telegram Bot API on 127.0.0.1, faithful enough to drive the real grammY client: it serves
 * `/bot<token>/<method>` with JSON, form and multipart bodies, answers `{ ok, result }` or
 * `{ ok: false, error_code, description, parameters }` with the matching HTTP status, holds long polls
 * until an update arrives, confirms updates by `offset`, and rejects what Telegram rejects (empty or
 * over-long text, callback data over 64 bytes, markup that does not parse under a `parse_mode`, a
 * getUpdates while a webhook is set). Tests wait on events, never on sleeps.
 */
export class FakeTelegramApi {
  /** Every call, in order. */
  readonly calls: ApiCall[] = [];
  /** The current webhook, as set by setWebhook. */
  webhook: { url: string; secret_token?: string; allowed_updates?: string[] } | undefined;
  /** Command menus by language code (`""` for the default). */
  readonly commands = new Map<string, unknown>();
  /** Ids of callback queries answered. */
  readonly answeredCallbacks = new Set<string>();
  /** Pinned messages by chat (pinChatMessage), newest last. */
  readonly pinned = new Map<number, number[]>();

  private readonly events = new EventEmitter();
  private readonly failures = new Map<string, InjectedFailure[]>();
  private readonly messages = new Map<number, FakeMessage[]>();
  private readonly pendingQueries = new Set<string>();
  private readonly goneChats = new Set<number>();
  private readonly blockedChats = new Set<number>();
  /** Supergroups the bot is an admin of, by id. */
  private readonly groups = new Map<number, { title: string; isForum: boolean }>();
  private readonly topics = new Map<number, Map<number, FakeTopic>>();
  /** Messages people sent (updates the fake made), by `chat:message`, so copyMessage can find them. */
  private readonly sentByPeople = new Map<string, Record<string, unknown>>();
  private holds: {
    method: string;
    match: (p: Params) => boolean;
    arrive(p: Params): void;
    gone(): void;
    gate: Promise<void>;
  }[] = [];
  private queue: Update[] = [];
  private nextUpdateId = 1000;
  private nextMessageId = 1;
  private nextQueryId = 1;
  private allowedUpdates: string[] | undefined;
  private poller: { terminate(failure?: ApiFailure): void } | undefined;
  private revoked = false;

  private constructor(
    private readonly server: Server,
    readonly token: string,
    readonly apiRoot: string,
  ) {
    this.events.setMaxListeners(100);
  }

  /** Starts the fake on a free loopback port. */
  static async start(token = "123456:TEST-token_for-the-fake"): Promise<FakeTelegramApi> {
    let api: FakeTelegramApi | undefined;
    const server = createServer((req, res) => {
      void api?.serve(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    api = new FakeTelegramApi(server, token, `http://127.0.0.1:${port}`);
    return api;
  }

  /** The bot's own user id: the digits before the colon, as in a real token. */
  get botId(): number {
    return Number(this.token.split(":")[0]);
  }

  /**
   * The token is revoked in @BotFather: every call, a held long poll included, answers 401
   * «Unauthorized» from now on.
   */
  revokeToken(): void {
    this.revoked = true;
    this.poller?.terminate(new ApiFailure(401, "Unauthorized"));
  }

  /** Makes the next `times` calls of `method` fail as given, then behave normally again. */
  failNext(method: string, failure: InjectedFailure, times = 1): void {
    const list = this.failures.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push(failure);
    this.failures.set(method, list);
  }

  /** From now on, sends to this chat fail with 400 «chat not found». */
  markChatGone(chatId: number): void {
    this.goneChats.add(chatId);
  }

  /** The customer blocks the bot (`true`) or unblocks it: sends to the chat answer 403 meanwhile. */
  setBlocked(chatId: number, blocked = true): void {
    if (blocked) this.blockedChats.add(chatId);
    else this.blockedChats.delete(chatId);
  }

  /**
   * Holds the next call of `method` that matches, before the fake handles it, until `release`. A test
   * uses it to kill the bot while Telegram has not answered yet.
   */
  hold(method: string, match: (params: Record<string, unknown>) => boolean = () => true): HeldCall {
    let arrive: (p: Params) => void = () => undefined;
    let gone: () => void = () => undefined;
    let release: () => void = () => undefined;
    const reached = new Promise<Params>((resolve) => {
      arrive = resolve;
    });
    const clientGone = new Promise<void>((resolve) => {
      gone = resolve;
    });
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.holds.push({ method, match, arrive, gone, gate });
    return { reached, clientGone, release };
  }

  // ---- the agents' supergroup --------------------------------------------------------------------

  /**
   * Makes a supergroup (negative id, e.g. -1001234567890) the bot is an admin of; `isForum` turns
   * topics on, as the agents' desk needs.
   */
  addSupergroup(chatId: number, options: { title?: string; isForum?: boolean } = {}): void {
    if (chatId >= 0) throw new Error("a supergroup's id is negative, e.g. -1001234567890");
    this.groups.set(chatId, {
      title: options.title ?? "Поддержка — агенты",
      isForum: options.isForum ?? true,
    });
  }

  /** The topics of a supergroup, in the order they were created. */
  topicsOf(chatId: number): FakeTopic[] {
    return [...(this.topics.get(chatId)?.values() ?? [])];
  }

  /** Messages the bot posted in one topic, oldest first. */
  messagesInThread(chatId: number, threadId: number): FakeMessage[] {
    return this.messagesTo(chatId).filter((m) => m.threadId === threadId);
  }

  /** A message from `agent` in the supergroup: in a topic when `threadId` is given, else in «General». */
  agentMessageUpdate(
    chatId: number,
    agent: FakeAgent,
    text: string,
    threadId?: number,
  ): Omit<Update, "update_id"> {
    return {
      message: {
        message_id: this.nextMessageId++,
        date: Math.floor(Date.now() / 1000),
        chat: this.chatObject(chatId),
        from: { is_bot: false, language_code: "ru", ...agent },
        ...(threadId !== undefined ? { message_thread_id: threadId, is_topic_message: true } : {}),
        text,
        ...(text.startsWith("/")
          ? { entities: [{ type: "bot_command", offset: 0, length: text.split(/\s/)[0]?.length ?? 1 }] }
          : {}),
      },
    } as Omit<Update, "update_id">;
  }

  /** Queues an agent's post in a topic (or in «General» without `threadId`). */
  postAsAgent(chatId: number, agent: FakeAgent, text: string, threadId?: number): Update {
    return this.queueUpdate(this.agentMessageUpdate(chatId, agent, text, threadId));
  }

  /** Queues an agent's press on a button of a message the bot posted in the supergroup. */
  pressAsAgent(chatId: number, agent: FakeAgent, messageId: number, data: string): Update {
    const message = this.messagesTo(chatId).find((m) => m.message_id === messageId);
    if (!message) throw new Error(`the bot posted no message ${messageId} in chat ${chatId}`);
    const id = `cq${this.nextQueryId++}`;
    this.pendingQueries.add(id);
    return this.queueUpdate({
      callback_query: {
        id,
        from: { is_bot: false, language_code: "ru", ...agent },
        chat_instance: `ci${chatId}`,
        data,
        message: this.asTelegramMessage(message),
      },
    } as Omit<Update, "update_id">);
  }

  /** Queues an agent's photo (or document, with `fileName`) in a topic, with an optional caption. */
  postMediaAsAgent(
    chatId: number,
    agent: FakeAgent,
    threadId: number,
    options: { caption?: string; fileName?: string } = {},
  ): Update {
    const base = this.agentMessageUpdate(chatId, agent, "", threadId).message as unknown as Record<
      string,
      unknown
    >;
    delete base.text;
    delete base.entities;
    const id = `file-${this.nextMessageId}`;
    const media = options.fileName
      ? { document: { file_id: id, file_unique_id: `u${id}`, file_name: options.fileName } }
      : {
          photo: [
            { file_id: `${id}-s`, file_unique_id: `u${id}s`, width: 90, height: 90 },
            { file_id: id, file_unique_id: `u${id}`, width: 800, height: 800 },
          ],
        };
    return this.queueUpdate({
      message: { ...base, ...media, ...(options.caption !== undefined ? { caption: options.caption } : {}) },
    } as unknown as Omit<Update, "update_id">);
  }

  /** Queues an agent's edit of their earlier post (an `edited_message`). */
  editAsAgent(chatId: number, agent: FakeAgent, messageId: number, text: string, threadId?: number): Update {
    const base = this.agentMessageUpdate(chatId, agent, text, threadId).message as unknown as Record<
      string,
      unknown
    >;
    return this.queueUpdate({
      edited_message: { ...base, message_id: messageId, edit_date: Math.floor(Date.now() / 1000) },
    } as unknown as Omit<Update, "update_id">);
  }

  /** Queues a customer's edit of their earlier private message (an `edited_message`). */
  editAsCustomer(chatId: number, messageId: number, text: string): Update {
    return this.queueUpdate({
      edited_message: {
        ...this.messageBase(chatId),
        message_id: messageId,
        edit_date: Math.floor(Date.now() / 1000),
        text,
      },
    } as unknown as Omit<Update, "update_id">);
  }

  /** The bytes `getFile` + download serve for a file id. */
  fileBytes(fileId: string): Buffer {
    return Buffer.from(`fake-file:${fileId}`);
  }

  // ---- updates -------------------------------------------------------------------------------

  /** Gives an update its id without queueing it (for posting to a webhook). */
  makeUpdate(body: Omit<Update, "update_id">): Update {
    const message = body.message as { chat: { id: number }; message_id: number } | undefined;
    if (message) this.sentByPeople.set(`${message.chat.id}:${message.message_id}`, message);
    return { update_id: this.nextUpdateId++, ...body } as Update;
  }

  /** Queues an update for getUpdates, waking a waiting long poll. */
  queueUpdate(body: Omit<Update, "update_id">): Update {
    const update = this.makeUpdate(body);
    this.queue.push(update);
    this.events.emit("update");
    return update;
  }

  /** A private text message from user `chatId` (private chats share the user's id). */
  textUpdate(
    chatId: number,
    text: string,
    options: { languageCode?: string } = {},
  ): Omit<Update, "update_id"> {
    return { message: { ...this.messageBase(chatId, options.languageCode), text } } as Omit<
      Update,
      "update_id"
    >;
  }

  /** Queues a private text message. */
  sendText(chatId: number, text: string, options: { languageCode?: string } = {}): Update {
    return this.queueUpdate(this.textUpdate(chatId, text, options));
  }

  /** Queues a sticker. */
  sendSticker(chatId: number): Update {
    const sticker = {
      file_id: "CAACAgIAAxkBAAEfake",
      file_unique_id: "AgADfake",
      type: "regular",
      width: 512,
      height: 512,
      is_animated: false,
      is_video: false,
      emoji: "😀",
    };
    return this.queueUpdate({ message: { ...this.messageBase(chatId), sticker } } as Omit<
      Update,
      "update_id"
    >);
  }

  /** Queues a photo (with an optional caption) from a customer. */
  sendPhoto(chatId: number, caption?: string): Update {
    const photo = [
      { file_id: "AgACAgIAAxkBAAEphoto-s", file_unique_id: "AQADphoto-s", width: 90, height: 90 },
      { file_id: "AgACAgIAAxkBAAEphoto-m", file_unique_id: "AQADphoto-m", width: 800, height: 800 },
    ];
    return this.queueUpdate({
      message: { ...this.messageBase(chatId), photo, ...(caption !== undefined ? { caption } : {}) },
    } as Omit<Update, "update_id">);
  }

  /**
   * A press by user `chatId` on a button of a message the bot sent, with a fresh callback query id.
   * `inChat` puts the message in another chat (e.g. a group), as a stale or foreign button would be.
   */
  buttonUpdate(
    chatId: number,
    messageId: number,
    data: string,
    options: { inChat?: { id: number; type: string; title?: string } } = {},
  ): Omit<Update, "update_id"> {
    const message = this.messagesTo(chatId).find((m) => m.message_id === messageId);
    const id = `cq${this.nextQueryId++}`;
    this.pendingQueries.add(id);
    return {
      callback_query: {
        id,
        from: this.user(chatId),
        chat_instance: `ci${chatId}`,
        data,
        message: {
          message_id: messageId,
          date: Math.floor(Date.now() / 1000),
          chat: options.inChat ?? { id: chatId, type: "private", first_name: "Клиент" },
          from: { id: this.botId, is_bot: true, first_name: "Support", username: "support_test_bot" },
          text: message?.text ?? "",
          ...(message?.reply_markup ? { reply_markup: message.reply_markup } : {}),
        },
      },
    } as Omit<Update, "update_id">;
  }

  /** Queues a button press. */
  pressButton(chatId: number, messageId: number, data: string): Update {
    return this.queueUpdate(this.buttonUpdate(chatId, messageId, data));
  }

  /** Resolves when a getUpdates is being held open (at once if one is). */
  heldPoll(timeoutMs = 10_000): Promise<void> {
    if (this.poller) return Promise.resolve();
    return this.waitFor(
      "held",
      () => true,
      timeoutMs,
      () => "a held getUpdates",
    ).then(() => undefined);
  }

  /** Updates queued and not yet confirmed by an `offset`. */
  get unconfirmed(): readonly Update[] {
    return this.queue;
  }

  // ---- what the bot did ----------------------------------------------------------------------

  /** Messages in a chat, oldest first, as they stand now (edits applied). */
  messagesTo(chatId: number): FakeMessage[] {
    return this.messages.get(chatId) ?? [];
  }

  /** Calls of one method, optionally to one chat. */
  callsOf(method: string, chatId?: number): ApiCall[] {
    return this.calls.filter(
      (c) => c.method === method && (chatId === undefined || Number(c.params.chat_id) === chatId),
    );
  }

  /** Resolves with the next `count` messages sent to the chat after this call. */
  nextMessages(chatId: number, count: number, timeoutMs = 10_000): Promise<FakeMessage[]> {
    const got: FakeMessage[] = [];
    return this.waitFor(
      "message",
      (m: FakeMessage) => {
        if (m.chatId === chatId) got.push(m);
        return got.length >= count ? got : undefined;
      },
      timeoutMs,
      () => `${count} message(s) to chat ${chatId}; got ${got.length}`,
    );
  }

  /** Resolves with the next message the bot sends to the chat (after this call) that matches. */
  nextMessage(
    chatId: number,
    match: (m: FakeMessage) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<FakeMessage> {
    return this.waitFor(
      "message",
      (m: FakeMessage) => (m.chatId === chatId && match(m) ? m : undefined),
      timeoutMs,
      () => `a matching message to chat ${chatId}`,
    );
  }

  /** Resolves with the next message the bot posts in a forum topic (after this call) that matches. */
  nextInThread(
    chatId: number,
    threadId: number,
    match: (m: FakeMessage) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<FakeMessage> {
    return this.waitFor(
      "message",
      (m: FakeMessage) => (m.chatId === chatId && m.threadId === threadId && match(m) ? m : undefined),
      timeoutMs,
      () => `a matching message in topic ${threadId} of chat ${chatId}`,
    );
  }

  /** Resolves with the message once an edit (after this call) makes it match. */
  nextEdit(
    chatId: number,
    match: (m: FakeMessage) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<FakeMessage> {
    return this.waitFor(
      "edit",
      (m: FakeMessage) => (m.chatId === chatId && match(m) ? m : undefined),
      timeoutMs,
      () => `a matching edit in chat ${chatId}`,
    );
  }

  /** Resolves with the next call of `method` (answered or failed) that matches. */
  nextCall(
    method: string,
    match: (call: ApiCall) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<ApiCall> {
    return this.waitFor(
      "call",
      (c: ApiCall) => (c.method === method && match(c) ? c : undefined),
      timeoutMs,
      () => `a ${method} call`,
    );
  }

  /** Stops the server, ending held long polls and open connections. */
  async close(): Promise<void> {
    this.poller?.terminate();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private waitFor<E, R>(event: string, step: (e: E) => R | undefined, timeoutMs: number, what: () => string) {
    return new Promise<R>((resolve, reject) => {
      const onEvent = (e: E) => {
        const done = step(e);
        if (done === undefined) return;
        clearTimeout(timer);
        this.events.off(event, onEvent);
        resolve(done);
      };
      const timer = setTimeout(() => {
        this.events.off(event, onEvent);
        reject(new Error(`fake Telegram: timed out after ${timeoutMs} ms waiting for ${what()}`));
      }, timeoutMs);
      this.events.on(event, onEvent);
    });
  }

  private user(chatId: number, languageCode = "ru") {
    return { id: chatId, is_bot: false, first_name: "Клиент", language_code: languageCode };
  }

  private messageBase(chatId: number, languageCode?: string) {
    return {
      message_id: this.nextMessageId++,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: "private", first_name: "Клиент" },
      from: this.user(chatId, languageCode),
    };
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    const reply = (o: Outcome) => {
      if (res.headersSent || res.destroyed) return;
      const body = o.ok
        ? { ok: true, result: o.result }
        : {
            ok: false,
            error_code: o.code,
            description: o.description,
            ...(o.retryAfter !== undefined ? { parameters: { retry_after: o.retryAfter } } : {}),
          };
      res.writeHead(o.ok ? 200 : o.code, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const file = /^\/file\/bot([^/]+)\/(?:photos|documents)\/(file-[\w-]+)\.jpg$/.exec(url.pathname);
    if (file && file[1] === this.token) {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.end(this.fileBytes(file[2] ?? ""));
      return;
    }
    if (!match) return reply({ ok: false, code: 404, description: "Not Found" });
    if (match[1] !== this.token || this.revoked) {
      return reply({ ok: false, code: 401, description: "Unauthorized" });
    }
    const method = match[2] ?? "";
    let params: Params;
    try {
      params = { ...Object.fromEntries(url.searchParams), ...(await readParams(req)) };
    } catch {
      return reply({ ok: false, code: 400, description: "Bad Request: can't parse request body" });
    }
    const record = (outcome: ApiCall["outcome"]) => {
      const call: ApiCall = { method, params, outcome, at: Date.now() };
      this.calls.push(call);
      this.events.emit("call", call);
    };
    const held = this.holds.find((h) => h.method === method && h.match(params));
    if (held) {
      this.holds = this.holds.filter((h) => h !== held);
      let gone = false;
      res.once("close", () => {
        if (res.writableFinished) return;
        gone = true;
        held.gone();
      });
      held.arrive(params);
      await held.gate;
      if (gone) {
        // The bot died while waiting: Telegram never handled this request.
        record("network");
        return;
      }
    }
    const failure = this.failures.get(method)?.shift();
    if (failure) {
      if (failure.kind === "network") {
        record("network");
        req.socket.destroy();
        return;
      }
      if (failure.kind === "answer_lost") {
        // Telegram did the work; the answer never reaches the bot.
        await this.dispatch(method, params, req, res);
        record("network");
        req.socket.destroy();
        return;
      }
      const outcome: Outcome =
        failure.kind === "retry_after"
          ? {
              ok: false,
              code: 429,
              description: `Too Many Requests: retry after ${failure.seconds}`,
              retryAfter: failure.seconds,
            }
          : { ok: false, code: failure.code, description: failure.description };
      record(outcome.ok ? "ok" : outcome.code);
      return reply(outcome);
    }
    let outcome: Outcome;
    try {
      outcome = { ok: true, result: await this.dispatch(method, params, req, res) };
    } catch (err) {
      if (!(err instanceof ApiFailure)) throw err;
      outcome = { ok: false, code: err.code, description: err.description };
    }
    record(outcome.ok ? "ok" : outcome.code);
    reply(outcome);
  }

  private async dispatch(
    method: string,
    p: Params,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<unknown> {
    switch (method) {
      case "getChat": {
        // A private chat is the customer's own; their username is made up from their id.
        const chatId = this.chatIdOf(p);
        if (chatId < 0) return this.chatObject(chatId);
        return { id: chatId, type: "private", first_name: "Клиент", username: `client${chatId}` };
      }
      case "getMe":
        return {
          id: this.botId,
          is_bot: true,
          first_name: "Support",
          username: "support_test_bot",
          can_join_groups: true,
          can_read_all_group_messages: false,
          supports_inline_queries: false,
        };
      case "getUpdates":
        return this.getUpdates(p, req, res);
      case "sendMessage":
        return this.sendMessage(p);
      case "copyMessage":
        return this.copyMessage(p);
      case "editMessageText":
        return this.editMessageText(p);
      case "createForumTopic":
        return this.createForumTopic(p);
      case "editForumTopic": {
        const topic = this.topicOf(p);
        const name = p.name === undefined ? undefined : String(p.name);
        if (name !== undefined) checkTopicName(name);
        if (name === undefined || name === topic.name)
          throw new ApiFailure(400, "Bad Request: TOPIC_NOT_MODIFIED");
        topic.name = name;
        return true;
      }
      case "closeForumTopic":
      case "reopenForumTopic": {
        const topic = this.topicOf(p);
        const close = method === "closeForumTopic";
        if (topic.closed === close) throw new ApiFailure(400, "Bad Request: TOPIC_NOT_MODIFIED");
        topic.closed = close;
        return true;
      }
      case "pinChatMessage": {
        const chatId = this.chatIdOf(p);
        const id = Number(p.message_id);
        if (!this.messagesTo(chatId).some((m) => m.message_id === id))
          throw new ApiFailure(400, "Bad Request: message to pin not found");
        this.pinned.set(chatId, [...(this.pinned.get(chatId) ?? []), id]);
        return true;
      }
      case "getFile": {
        const fileId = String(p.file_id ?? "");
        if (!fileId.startsWith("file-")) throw new ApiFailure(400, "Bad Request: invalid file_id");
        return {
          file_id: fileId,
          file_unique_id: `u${fileId}`,
          file_size: this.fileBytes(fileId).length,
          file_path: `photos/${fileId}.jpg`,
        };
      }
      case "answerCallbackQuery": {
        const id = String(p.callback_query_id ?? "");
        if (!this.pendingQueries.delete(id)) {
          throw new ApiFailure(
            400,
            "Bad Request: query is too old and response timeout expired or query ID is invalid",
          );
        }
        this.answeredCallbacks.add(id);
        return true;
      }
      case "setWebhook": {
        const url = String(p.url ?? "");
        if (url !== "" && !/^https?:\/\//.test(url))
          throw new ApiFailure(400, "Bad Request: bad webhook: invalid URL");
        const secret = p.secret_token === undefined ? undefined : String(p.secret_token);
        if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) {
          throw new ApiFailure(400, "Bad Request: secret token contains unallowed characters");
        }
        this.webhook =
          url === ""
            ? undefined
            : {
                url,
                ...(secret !== undefined ? { secret_token: secret } : {}),
                ...(Array.isArray(p.allowed_updates)
                  ? { allowed_updates: p.allowed_updates as string[] }
                  : {}),
              };
        return true;
      }
      case "deleteWebhook":
        this.webhook = undefined;
        if (p.drop_pending_updates === true || p.drop_pending_updates === "true") this.queue = [];
        return true;
      case "setMyCommands":
        this.commands.set(String(p.language_code ?? ""), p.commands);
        return true;
      default:
        throw new ApiFailure(404, "Not Found: method not found");
    }
  }

  private async getUpdates(p: Params, req: IncomingMessage, res: ServerResponse): Promise<Update[]> {
    if (this.webhook) {
      throw new ApiFailure(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    }
    if (Array.isArray(p.allowed_updates)) this.allowedUpdates = p.allowed_updates as string[];
    const offset = p.offset === undefined ? undefined : Number(p.offset);
    if (offset !== undefined && offset > 0) this.queue = this.queue.filter((u) => u.update_id >= offset);
    const limit = Math.min(100, Math.max(1, Number(p.limit ?? 100)));
    const timeoutSeconds = Math.max(0, Number(p.timeout ?? 0));
    const take = () => {
      const allowed = this.allowedUpdates;
      // Telegram never creates updates of types the bot did not ask for.
      if (allowed && allowed.length > 0) {
        this.queue = this.queue.filter((u) =>
          Object.keys(u).some((k) => k !== "update_id" && allowed.includes(k)),
        );
      }
      return this.queue.slice(0, limit);
    };
    // A second long poll ends the first, as on the real server.
    this.poller?.terminate();
    const ready = take();
    if (ready.length > 0 || timeoutSeconds === 0) return ready;
    return new Promise<Update[]>((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        this.events.off("update", onUpdate);
        res.off("close", onClose);
        if (this.poller === poller) this.poller = undefined;
      };
      const onUpdate = () => {
        const got = take();
        if (got.length === 0) return;
        finish();
        resolve(got);
      };
      const onClose = () => {
        finish();
        resolve([]);
      };
      const timer = setTimeout(() => {
        finish();
        resolve([]);
      }, timeoutSeconds * 1000);
      const poller = {
        terminate: (failure?: ApiFailure) => {
          finish();
          reject(
            failure ??
              new ApiFailure(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
              ),
          );
        },
      };
      this.poller = poller;
      this.events.emit("held");
      this.events.on("update", onUpdate);
      // The client gave up (aborted on stop): release the hold.
      res.on("close", onClose);
      void req;
    });
  }

  private sendMessage(p: Params): FakeMessage {
    const chatId = this.chatIdOf(p);
    const threadId = this.threadOf(chatId, p);
    const text = String(p.text ?? "");
    checkText(text, p.parse_mode);
    const markup = parseMarkup(p.reply_markup);
    const message = this.store({
      message_id: this.nextMessageId++,
      chatId,
      text,
      ...(markup ? { reply_markup: markup } : {}),
      ...(p.parse_mode !== undefined ? { parse_mode: String(p.parse_mode) } : {}),
      date: Math.floor(Date.now() / 1000),
      edits: 0,
      ...(threadId !== undefined ? { threadId } : {}),
    });
    return this.asTelegramMessage(message) as unknown as FakeMessage;
  }

  /** copyMessage: a person's message (or the bot's own) copied without a link to the original. */
  private copyMessage(p: Params): { message_id: number } {
    const fromChatId = Number(p.from_chat_id);
    const sourceId = Number(p.message_id);
    const own = this.messagesTo(fromChatId).find((m) => m.message_id === sourceId);
    const theirs = this.sentByPeople.get(`${fromChatId}:${sourceId}`);
    if (!own && !theirs) throw new ApiFailure(400, "Bad Request: message to copy not found");
    const chatId = this.chatIdOf(p);
    const threadId = this.threadOf(chatId, p);
    const kind = theirs
      ? (["photo", "document", "sticker", "voice", "video", "audio", "animation"].find((k) => k in theirs) ??
        "text")
      : "text";
    // As in the Bot API, a `caption` parameter replaces the original's caption ("" removes it).
    const caption =
      p.caption !== undefined ? String(p.caption) : theirs ? (theirs.text ?? theirs.caption) : own?.text;
    const message = this.store({
      message_id: this.nextMessageId++,
      chatId,
      text: typeof caption === "string" ? caption : "",
      date: Math.floor(Date.now() / 1000),
      edits: 0,
      ...(threadId !== undefined ? { threadId } : {}),
      copyOf: { chatId: fromChatId, messageId: sourceId, kind },
    });
    return { message_id: message.message_id };
  }

  private createForumTopic(p: Params): Omit<FakeTopic, "chatId" | "closed"> {
    const chatId = this.chatIdOf(p);
    if (!this.groups.get(chatId)?.isForum) throw new ApiFailure(400, "Bad Request: the chat is not a forum");
    const name = String(p.name ?? "");
    checkTopicName(name);
    const color = Number(p.icon_color ?? TOPIC_COLORS[this.topicsOf(chatId).length % TOPIC_COLORS.length]);
    if (!(TOPIC_COLORS as readonly number[]).includes(color))
      throw new ApiFailure(400, "Bad Request: TOPIC_ICON_COLOR_INVALID");
    // The topic's id is the id of the service message that opened it.
    const topic: FakeTopic = {
      chatId,
      message_thread_id: this.nextMessageId++,
      name,
      icon_color: color,
      closed: false,
    };
    const topics = this.topics.get(chatId) ?? new Map<number, FakeTopic>();
    topics.set(topic.message_thread_id, topic);
    this.topics.set(chatId, topics);
    this.events.emit("topic", topic);
    // Telegram posts the service message «topic created» (its id is the topic's) and sends it as an update.
    this.queueUpdate({
      message: {
        message_id: topic.message_thread_id,
        message_thread_id: topic.message_thread_id,
        is_topic_message: true,
        date: Math.floor(Date.now() / 1000),
        chat: this.chatObject(chatId),
        from: { id: this.botId, is_bot: true, first_name: "Support", username: "support_test_bot" },
        forum_topic_created: { name, icon_color: color },
      },
    } as unknown as Omit<Update, "update_id">);
    return { message_thread_id: topic.message_thread_id, name: topic.name, icon_color: topic.icon_color };
  }

  /** The topic a forum call names, or Telegram's 400. */
  private topicOf(p: Params): FakeTopic {
    const chatId = this.chatIdOf(p);
    if (!this.groups.get(chatId)?.isForum) throw new ApiFailure(400, "Bad Request: the chat is not a forum");
    const topic = this.topics.get(chatId)?.get(Number(p.message_thread_id));
    if (!topic) throw new ApiFailure(400, "Bad Request: message thread not found");
    return topic;
  }

  /**
   * The topic a message goes to: `message_thread_id` in a forum must name an existing topic. A closed
   * topic takes posts from admins only; the bot is an admin of every group the fake knows.
   */
  private threadOf(chatId: number, p: Params): number | undefined {
    if (p.message_thread_id === undefined || !this.groups.get(chatId)?.isForum) return undefined;
    return this.topicOf(p).message_thread_id;
  }

  private store(message: FakeMessage): FakeMessage {
    const list = this.messages.get(message.chatId) ?? [];
    list.push(message);
    this.messages.set(message.chatId, list);
    this.events.emit("message", message);
    return message;
  }

  private editMessageText(p: Params): unknown {
    const chatId = this.chatIdOf(p);
    const message = this.messagesTo(chatId).find((m) => m.message_id === Number(p.message_id));
    if (!message) throw new ApiFailure(400, "Bad Request: message to edit not found");
    const text = String(p.text ?? "");
    checkText(text, p.parse_mode);
    const markup = parseMarkup(p.reply_markup);
    if (message.text === text && JSON.stringify(message.reply_markup) === JSON.stringify(markup)) {
      throw new ApiFailure(
        400,
        "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
      );
    }
    message.text = text;
    if (markup) message.reply_markup = markup;
    else delete message.reply_markup;
    message.edits++;
    this.events.emit("edit", message);
    return this.asTelegramMessage(message);
  }

  private chatIdOf(p: Params): number {
    const chatId = Number(p.chat_id);
    if (!Number.isSafeInteger(chatId) || this.goneChats.has(chatId)) {
      throw new ApiFailure(400, "Bad Request: chat not found");
    }
    if (chatId < 0 && !this.groups.has(chatId)) throw new ApiFailure(400, "Bad Request: chat not found");
    if (this.blockedChats.has(chatId)) throw new ApiFailure(403, "Forbidden: bot was blocked by the user");
    return chatId;
  }

  /** The `chat` object of a message: a private chat with the user, or a known supergroup. */
  private chatObject(chatId: number) {
    const group = this.groups.get(chatId);
    return group
      ? { id: chatId, type: "supergroup", title: group.title, ...(group.isForum ? { is_forum: true } : {}) }
      : { id: chatId, type: "private", first_name: "Клиент" };
  }

  private asTelegramMessage(m: FakeMessage) {
    return {
      message_id: m.message_id,
      date: m.date,
      chat: this.chatObject(m.chatId),
      ...(m.threadId !== undefined ? { message_thread_id: m.threadId, is_topic_message: true } : {}),
      from: { id: this.botId, is_bot: true, first_name: "Support", username: "support_test_bot" },
      text: m.text,
      ...(m.edits > 0 ? { edit_date: Math.floor(Date.now() / 1000) } : {}),
      ...(m.reply_markup ? { reply_markup: m.reply_markup } : {}),
    };
  }
}

/** A topic name is 1–128 characters. */
function checkTopicName(name: string): void {
  if (name.trim() === "" || name.length > 128) throw new ApiFailure(400, "Bad Request: TOPIC_NAME_INVALID");
}

/** Rejects text as Telegram does: empty, too long, or markup that does not parse under the parse mode. */
function checkText(text: string, parseMode: unknown): void {
  if (text.trim() === "") throw new ApiFailure(400, "Bad Request: message text is empty");
  if (text.length > 4096) throw new ApiFailure(400, "Bad Request: message is too long");
  const bad =
    (parseMode === "HTML" && /<(?![a-z/])|&(?![a-z]+;|#\d+;)/i.test(text)) ||
    (parseMode === "MarkdownV2" && /(?<!\\)[_*[\]()~`>#+\-=|{}.!]/.test(text)) ||
    (parseMode === "Markdown" && unbalanced(text));
  if (bad) {
    throw new ApiFailure(
      400,
      "Bad Request: can't parse entities: can't find end of the entity starting at byte offset 0",
    );
  }
}

/** Legacy Markdown fails on an unclosed `*`, `_`, `` ` `` or `[`. */
function unbalanced(text: string): boolean {
  const count = (c: string) => text.split(c).length - 1;
  return count("*") % 2 === 1 || count("_") % 2 === 1 || count("`") % 2 === 1 || count("[") > count("]");
}

/** Decodes and checks `reply_markup` (an object in JSON bodies, a JSON string in form bodies). */
function parseMarkup(raw: unknown): FakeMessage["reply_markup"] {
  if (raw === undefined) return undefined;
  let markup: unknown = raw;
  if (typeof raw === "string") {
    try {
      markup = JSON.parse(raw);
    } catch {
      throw new ApiFailure(400, "Bad Request: can't parse reply keyboard markup JSON object");
    }
  }
  const keyboard = (markup as { inline_keyboard?: unknown }).inline_keyboard;
  if (!Array.isArray(keyboard))
    throw new ApiFailure(400, 'Bad Request: field "inline_keyboard" must be an Array');
  for (const row of keyboard) {
    if (!Array.isArray(row))
      throw new ApiFailure(400, 'Bad Request: field "inline_keyboard" must be an Array of Arrays');
    for (const b of row as { text?: unknown; callback_data?: unknown }[]) {
      if (typeof b.text !== "string" || b.text === "")
        throw new ApiFailure(400, "Bad Request: text buttons are unallowed in the inline keyboard");
      const data = b.callback_data;
      if (typeof data === "string" && (Buffer.byteLength(data) === 0 || Buffer.byteLength(data) > 64)) {
        throw new ApiFailure(400, "Bad Request: BUTTON_DATA_INVALID");
      }
    }
  }
  return markup as FakeMessage["reply_markup"];
}

/** Reads a request body as grammY sends it: JSON, urlencoded form, or multipart form (text parts). */
async function readParams(req: IncomingMessage): Promise<Params> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString("utf8");
  if (body === "") return {};
  const type = (req.headers["content-type"] ?? "").toLowerCase();
  if (type.startsWith("application/json")) return JSON.parse(body) as Params;
  if (type.startsWith("application/x-www-form-urlencoded")) {
    return decodeForm([...new URLSearchParams(body)]);
  }
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(type);
  if (type.startsWith("multipart/form-data") && boundary) {
    const marker = `--${boundary[1] ?? boundary[2]}`;
    const fields: [string, string][] = [];
    for (const part of body.split(marker)) {
      const name = /name="([^"]+)"/.exec(part)?.[1];
      const split = part.indexOf("\r\n\r\n");
      if (!name || split < 0 || /filename="/.test(part.slice(0, split))) continue;
      fields.push([name, part.slice(split + 4).replace(/\r\n$/, "")]);
    }
    return decodeForm(fields);
  }
  throw new Error("unsupported content type");
}

/** Form values are strings; objects and arrays arrive JSON-encoded, as Telegram accepts them. */
function decodeForm(fields: [string, string][]): Params {
  const out: Params = {};
  for (const [k, v] of fields) {
    out[k] = /^[[{]/.test(v) ? JSON.parse(v) : v;
  }
  return out;
}
