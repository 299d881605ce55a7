import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One message the community posted through the fake (`messages.send`). */
export interface FakeVkMessage {
  id: number;
  peerId: number;
  conversationMessageId: number;
  text: string;
  /** The keyboard as VK would store it (parsed JSON), if one was sent. */
  keyboard?: FakeKeyboard;
  randomId: number;
  /** How many times `messages.edit` changed it. */
  edits: number;
  /** The `attachment` parameter as sent (e.g. `photo-123_4`), if any. */
  attachment?: string;
}

/** A file uploaded through the messages upload servers (photos.* / docs.*). */
export interface FakeVkUpload {
  kind: "photo" | "doc";
  /** The attachment string a message then carries, e.g. `photo-123_4`. */
  attachment: string;
  fileName: string;
  bytes: Buffer;
}

/** A VK keyboard as sent in `messages.send`'s `keyboard` parameter. */
export interface FakeKeyboard {
  inline?: boolean;
  one_time?: boolean;
  buttons: { action: { type: string; label?: string; payload?: string }; color?: string }[][];
}

/** One API call the fake received (after authentication), with its form parameters. */
export interface FakeVkCall {
  method: string;
  params: Record<string, string>;
}

/** One `a_check` request to the long-poll server, as received. */
export interface FakeVkPoll {
  key: string;
  ts: string;
}

/** A `messages.sendMessageEventAnswer` call. */
export interface FakeEventAnswer {
  eventId: string;
  userId: number;
  peerId: number;
  eventData?: string;
}

/** Options for `FakeVkApi.start`. */
export interface FakeVkOptions {
  /** @defaultValue "vk1.a.fake-community-token" */
  token?: string;
  /** @defaultValue 218000001 */
  groupId?: number;
}

/** VK's error texts for the codes the fake can produce. */
const ERROR_TEXTS: Record<number, string> = {
  3: "Unknown method passed",
  5: "User authorization failed: invalid access_token (4).",
  6: "Too many requests per second",
  8: "Invalid request: v (version) is required",
  9: "Flood control",
  10: "Internal server error",
  29: "Rate limit reached",
  100: "One of the parameters specified was missing or invalid",
  900: "Can't send messages for users from blacklist",
  901: "Can't send messages for users without permission",
  902: "Can't send messages to this user due to their privacy settings",
  911: "Keyboard format is invalid",
  912: "This is a chat bot feature, change this status in settings",
  914: "Message is too long",
};

/** Thrown inside a method handler to answer `{ error: … }`. */
class VkError extends Error {
  constructor(
    readonly code: number,
    detail?: string,
  ) {
    super(detail ? `${ERROR_TEXTS[code] ?? "Error"}: ${detail}` : (ERROR_TEXTS[code] ?? "Error"));
  }
}

interface HeldPoll {
  res: ServerResponse;
  key: string;
  ts: number;
  timer?: NodeJS.Timeout;
}

interface Waiter {
  peerId: number;
  count: number;
  resolve: (messages: FakeVkMessage[]) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * A fake VK API on 127.0.0.1 that speaks the protocol vk-io and the adapter use:
 * - methods under `/method/<name>`, form-encoded, answering `{ response }` or
 *   `{ error: { error_code, error_msg, request_params } }`; the token is checked;
 * - `groups.getById`, `groups.getLongPollServer` (its `server` is this fake's long-poll URL);
 * - the Bots Long Poll endpoint `?act=a_check&key&ts&wait`, holding the request until an update is
 *   pushed or `wait` passes, and answering `{ failed: 2 }` to an expired key (as VK does);
 * - `messages.send` with `peer_id` / `peer_ids` and a required `random_id`, deduplicated like VK: the
 *   same `random_id` to the same peer returns the first message's id and posts nothing;
 * - `messages.edit`, `messages.sendMessageEventAnswer`;
 * - keyboard limits (inline: 10 buttons, 6 rows, 5 a row; payload ≤ 255) → 911; text > 4096 → 914;
 * - injected one-shot errors per method (`failNext`) and long-poll failures (`failNextPoll`).
 */
export class FakeVkApi {
  readonly token: string;
  readonly groupId: number;
  /** Every authenticated API call, in order. */
  readonly calls: FakeVkCall[] = [];
  /** Every message posted, in order. */
  readonly messages: FakeVkMessage[] = [];
  readonly eventAnswers: FakeEventAnswer[] = [];
  /** Every `a_check` received, in order. */
  readonly polls: FakeVkPoll[] = [];
  /** Every `groups.getLongPollServer` answer, in order. */
  readonly pollServers: { key: string; ts: string }[] = [];

  private server!: Server;
  private port = 0;
  private key = newKey();
  /** Files uploaded for messages, in order. */
  readonly uploads: FakeVkUpload[] = [];
  private readonly pendingUploads = new Map<string, FakeVkUpload>();
  /** Long-poll history: update `i` has ts `firstTs + i`. */
  private readonly history: unknown[] = [];
  private readonly firstTs = 1000;
  /** Polls below this ts were lost on VK's side (after a `failed: 3`) and get `failed: 1`. */
  private floorTs = 1000;
  private held: HeldPoll[] = [];
  private pendingPollFailure: 1 | 2 | 3 | undefined;
  private readonly failures: { method: string; code: number; peerId?: number }[] = [];
  private readonly byRandomId = new Map<string, number>();
  private readonly cmid = new Map<number, number>();
  private readonly cursors = new Map<number, number>();
  private waiters: Waiter[] = [];
  private pollWaiters: ((poll: FakeVkPoll) => boolean)[] = [];
  private answerWaiters: ((answer: FakeEventAnswer) => boolean)[] = [];
  /** Watchers of posts and edits (`nextMessage`, `nextEdit`): true when done. */
  private watchers: ((event: "send" | "edit", message: FakeVkMessage) => boolean)[] = [];
  private nextMessageId = 100;

  private constructor(options: FakeVkOptions) {
    this.token = options.token ?? "vk1.a.fake-community-token";
    this.groupId = options.groupId ?? 218000001;
  }

  /** Starts the fake on a free loopback port. */
  static async start(options: FakeVkOptions = {}): Promise<FakeVkApi> {
    const fake = new FakeVkApi(options);
    fake.server = createServer((req, res) => {
      fake.route(req, res).catch((err: unknown) => {
        res.writeHead(500).end(String(err));
      });
    });
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  /** The base URL for vk-io's `apiBaseUrl` (`VK_API_BASE_URL`). */
  get apiBaseUrl(): string {
    return `http://127.0.0.1:${this.port}/method`;
  }

  /** The ts the next pushed update gets. */
  get currentTs(): number {
    return this.firstTs + this.history.length;
  }

  /** Answers all held polls and stops the server. */
  async close(): Promise<void> {
    for (const poll of this.held) {
      clearTimeout(poll.timer);
      answer(poll.res, { ts: String(this.currentTs), updates: [] });
    }
    this.held = [];
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new Error("fake VK API closed"));
    }
    this.waiters = [];
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- injection ----

  /** The next call to `method` (for `peerId` only, when given) fails with `code`, `times` times. */
  failNext(method: string, code: number, options: { times?: number; peerId?: number } = {}): void {
    for (let i = 0; i < (options.times ?? 1); i++)
      this.failures.push({ method, code, peerId: options.peerId });
  }

  /**
   * The next `a_check` (a held one at once) answers `{ failed: code }`. As on VK, 2 and 3 also expire
   * the key, and 3 loses the history: a poll with an older ts then gets `failed: 1`.
   */
  failNextPoll(code: 1 | 2 | 3): void {
    if (code !== 1) this.key = newKey();
    if (code === 3) {
      // Events VK lost: they take ts numbers nobody can read, so a client that keeps its old ts gets
      // `failed: 1`, and only one that takes the new server's ts is back in step at once.
      for (let i = 0; i < 5; i++) this.history.push({ type: "lost" });
      this.floorTs = this.currentTs;
    }
    const poll = this.held.shift();
    if (poll) {
      clearTimeout(poll.timer);
      answer(poll.res, this.failure(code));
    } else {
      this.pendingPollFailure = code;
    }
  }

  /**
   * The next `a_check` that arrives with the current key (so after the client took a new key, when
   * one was just expired): lets a test wait for the client to resync before pushing.
   */
  nextPoll(timeoutMs = 10_000): Promise<FakeVkPoll> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no a_check with the current key within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.pollWaiters.push((poll) => {
        if (poll.key !== this.key) return false;
        clearTimeout(timer);
        resolve(poll);
        return true;
      });
    });
  }

  /** The `sendMessageEventAnswer` for a button press (its `object.event_id`), once it arrives. */
  eventAnswer(eventId: string, timeoutMs = 10_000): Promise<FakeEventAnswer> {
    const done = this.eventAnswers.find((a) => a.eventId === eventId);
    if (done) return Promise.resolve(done);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`press ${eventId} not answered within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.answerWaiters.push((answer) => {
        if (answer.eventId !== eventId) return false;
        clearTimeout(timer);
        resolve(answer);
        return true;
      });
    });
  }

  /** Expires the long-poll key without answering anything: the next `a_check` with it gets `failed: 2`. */
  expireKey(): void {
    this.key = newKey();
  }

  // ---- updates ----

  /** A `message_new` update as VK 5.199 sends it (not pushed). */
  messageNew(
    peerId: number,
    options: {
      text?: string;
      payload?: string;
      attachments?: ({ type: string } & Record<string, unknown>)[];
      out?: 0 | 1;
      fromId?: number;
      langId?: number;
    } = {},
  ): Record<string, unknown> {
    const id = this.nextMessageId++;
    const message: Record<string, unknown> = {
      date: Math.floor(Date.now() / 1000),
      from_id: options.fromId ?? (options.out ? -this.groupId : peerId),
      id,
      out: options.out ?? 0,
      version: id,
      attachments: options.attachments ?? [],
      conversation_message_id: this.nextCmid(peerId),
      fwd_messages: [],
      important: false,
      is_hidden: false,
      peer_id: peerId,
      random_id: 0,
      text: options.text ?? "",
    };
    if (options.payload !== undefined) message.payload = options.payload;
    return {
      group_id: this.groupId,
      type: "message_new",
      event_id: randomBytes(20).toString("hex"),
      v: "5.199",
      object: {
        message,
        client_info: {
          button_actions: [
            "text",
            "vkpay",
            "open_app",
            "location",
            "open_link",
            "callback",
            "intent_subscribe",
          ],
          keyboard: true,
          inline_keyboard: true,
          carousel: true,
          lang_id: options.langId ?? 0,
        },
      },
    };
  }

  /** A `message_edit` update (not pushed): the object is the edited message itself, as VK 5.199 sends it. */
  messageEdit(peerId: number, messageId: number, text: string): Record<string, unknown> {
    return {
      group_id: this.groupId,
      type: "message_edit",
      event_id: randomBytes(20).toString("hex"),
      v: "5.199",
      object: {
        date: Math.floor(Date.now() / 1000),
        update_time: Math.floor(Date.now() / 1000),
        from_id: peerId,
        id: messageId,
        out: 0,
        attachments: [],
        conversation_message_id: messageId,
        peer_id: peerId,
        text,
      },
    };
  }

  /** A `message_event` update (a callback button press), payload as VK sends it: parsed JSON. */
  messageEvent(peerId: number, payload: unknown, options: { userId?: number } = {}): Record<string, unknown> {
    return {
      group_id: this.groupId,
      type: "message_event",
      event_id: randomBytes(20).toString("hex"),
      v: "5.199",
      object: {
        user_id: options.userId ?? peerId,
        peer_id: peerId,
        event_id: randomBytes(6).toString("hex"),
        payload,
        conversation_message_id: this.cmid.get(peerId) ?? 1,
      },
    };
  }

  /** Adds an update to the long-poll history and wakes the held polls. */
  push(update: Record<string, unknown>): Record<string, unknown> {
    this.history.push(update);
    const held = this.held;
    this.held = [];
    for (const poll of held) {
      clearTimeout(poll.timer);
      this.answerCheck(poll.res, poll.key, poll.ts);
    }
    return update;
  }

  // ---- messages posted ----

  /** Messages to a peer, all of them. */
  messagesTo(peerId: number): FakeVkMessage[] {
    return this.messages.filter((m) => m.peerId === peerId);
  }

  /** API calls to a method, for one peer when given. */
  callsTo(method: string, peerId?: number): FakeVkCall[] {
    return this.calls.filter(
      (c) => c.method === method && (peerId === undefined || c.params.peer_id === String(peerId)),
    );
  }

  /**
   * The next `count` messages to a peer that no earlier `nextMessages` / `takeMessages` returned;
   * waits for them (an event, not a sleep) and rejects after `timeoutMs` saying what did arrive.
   */
  nextMessages(peerId: number, count: number, timeoutMs = 10_000): Promise<FakeVkMessage[]> {
    const ready = this.take(peerId, count);
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        peerId,
        count,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          const got = this.messagesTo(peerId).slice(this.cursors.get(peerId) ?? 0);
          reject(
            new Error(
              `expected ${count} message(s) to peer ${peerId} within ${timeoutMs} ms, got ${got.length}: ` +
                JSON.stringify(got.map((m) => m.text.slice(0, 80))),
            ),
          );
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /**
   * The next message the community posts to a peer (after this call) that matches; independent of
   * the `nextMessages` / `takeMessages` cursor.
   */
  nextMessage(
    peerId: number,
    match: (m: FakeVkMessage) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<FakeVkMessage> {
    return this.watch("send", peerId, match, timeoutMs, "message");
  }

  /** Resolves with a message to the peer once a `messages.edit` (after this call) makes it match. */
  nextEdit(
    peerId: number,
    match: (m: FakeVkMessage) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<FakeVkMessage> {
    return this.watch("edit", peerId, match, timeoutMs, "edit");
  }

  private watch(
    kind: "send" | "edit",
    peerId: number,
    match: (m: FakeVkMessage) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<FakeVkMessage> {
    return new Promise((resolve, reject) => {
      const watcher = (event: "send" | "edit", message: FakeVkMessage) => {
        if (event !== kind || message.peerId !== peerId || !match(message)) return false;
        clearTimeout(timer);
        resolve(message);
        return true;
      };
      const timer = setTimeout(() => {
        this.watchers = this.watchers.filter((w) => w !== watcher);
        reject(new Error(`no matching ${what} to peer ${peerId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.watchers.push(watcher);
    });
  }

  private notify(event: "send" | "edit", message: FakeVkMessage): void {
    this.watchers = this.watchers.filter((w) => !w(event, message));
  }

  /** Every message to a peer not yet returned by `nextMessages` / `takeMessages`, now. */
  takeMessages(peerId: number): FakeVkMessage[] {
    const all = this.messagesTo(peerId);
    const from = this.cursors.get(peerId) ?? 0;
    this.cursors.set(peerId, all.length);
    return all.slice(from);
  }

  private take(peerId: number, count: number): FakeVkMessage[] | undefined {
    const all = this.messagesTo(peerId);
    const from = this.cursors.get(peerId) ?? 0;
    if (all.length - from < count) return undefined;
    this.cursors.set(peerId, from + count);
    return all.slice(from, from + count);
  }

  private nextCmid(peerId: number): number {
    const next = (this.cmid.get(peerId) ?? 0) + 1;
    this.cmid.set(peerId, next);
    return next;
  }

  // ---- HTTP ----

  /** An upload server: takes one multipart file and answers what the matching save method expects. */
  private async receiveUpload(url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const kind = url.pathname.endsWith("/photo") ? "photo" : "doc";
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(req.headers["content-type"] ?? "");
    const marker = Buffer.from(`--${boundary?.[1] ?? boundary?.[2] ?? "?"}`);
    const start = body.indexOf(marker);
    const headEnd = body.indexOf("\r\n\r\n", start);
    const end = body.indexOf(marker, headEnd);
    const head = body.subarray(start, headEnd).toString("utf8");
    const fileName = /filename="([^"]*)"/.exec(head)?.[1];
    if (start < 0 || headEnd < 0 || end < 0 || !fileName) {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ error: "no file" }));
      return;
    }
    const bytes = body.subarray(headEnd + 4, end - 2);
    const token = randomBytes(6).toString("hex");
    const attachment = `${kind}-${this.groupId}_${this.nextMessageId++}`;
    this.pendingUploads.set(`${kind}:${token}`, { kind, attachment, fileName, bytes });
    const answer = kind === "photo" ? { server: 1, photo: token, hash: "h" } : { file: token };
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname === "/longpoll") return this.longPoll(url, res);
    if (url.pathname.startsWith("/upload/")) return this.receiveUpload(url, req, res);
    const method = /^\/method\/([a-zA-Z]+\.[a-zA-Z]+|execute)$/.exec(url.pathname)?.[1];
    if (!method) {
      res.writeHead(404).end("not found");
      return;
    }
    const body = await readBody(req);
    const params: Record<string, string> = Object.fromEntries(url.searchParams);
    const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim();
    if (type === "application/x-www-form-urlencoded")
      Object.assign(params, Object.fromEntries(new URLSearchParams(body)));
    let payload: unknown;
    try {
      if (params.access_token !== this.token) throw new VkError(5);
      if (!params.v) throw new VkError(8);
      const { access_token: _token, ...rest } = params;
      this.calls.push({ method, params: rest });
      payload = { response: this.call(method, rest) };
    } catch (err) {
      if (!(err instanceof VkError)) throw err;
      payload = {
        error: {
          error_code: err.code,
          error_msg: err.message,
          request_params: Object.entries(params)
            .filter(([k]) => k !== "access_token")
            .map(([key, value]) => ({ key, value })),
        },
      };
    }
    res.writeHead(200, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(payload));
  }

  private call(method: string, params: Record<string, string>): unknown {
    const peer = params.peer_id !== undefined ? Number(params.peer_id) : undefined;
    const injected = this.failures.findIndex(
      (f) => f.method === method && (f.peerId === undefined || f.peerId === peer),
    );
    if (injected >= 0) {
      const [failure] = this.failures.splice(injected, 1);
      throw new VkError(failure?.code ?? 1);
    }
    switch (method) {
      case "users.get":
        return (params.user_ids ?? "")
          .split(",")
          .map(Number)
          .map((id) => ({ id, first_name: "Клиент", last_name: "ВК", screen_name: `user${id}` }));
      case "groups.getById":
        return {
          groups: [
            {
              id: this.groupId,
              name: "Хостинг — поддержка",
              screen_name: `club${this.groupId}`,
              type: "group",
              is_closed: 0,
            },
          ],
          profiles: [],
        };
      case "groups.getLongPollServer": {
        if (Number(params.group_id) !== this.groupId) throw new VkError(100, "group_id is invalid");
        const answer = {
          key: this.key,
          server: `http://127.0.0.1:${this.port}/longpoll`,
          ts: String(this.currentTs),
        };
        this.pollServers.push({ key: answer.key, ts: answer.ts });
        return answer;
      }
      case "messages.send":
        return this.send(params);
      case "messages.getById": {
        // What a customer sent (pushed as message_new) or the group sent, by message id.
        const ids = (params.message_ids ?? "").split(",").map(Number);
        const items = this.history
          .map((u) => (u as { type?: string; object?: { message?: { id?: number } } }).object?.message)
          .filter((m): m is { id: number } => m !== undefined && ids.includes(Number(m.id)));
        return { count: items.length, items };
      }
      case "photos.getMessagesUploadServer":
      case "docs.getMessagesUploadServer": {
        if (!params.peer_id) throw new VkError(100, "peer_id is required");
        const kind = method.startsWith("photos") ? "photo" : "doc";
        return {
          upload_url: `http://127.0.0.1:${this.port}/upload/${kind}`,
          album_id: -3,
          group_id: this.groupId,
        };
      }
      case "photos.saveMessagesPhoto": {
        const upload = this.pendingUploads.get(`photo:${params.photo}`);
        if (!upload || !params.server || !params.hash) throw new VkError(100, "photo is undefined");
        this.uploads.push(upload);
        const id = Number(upload.attachment.split("_")[1]);
        return [{ id, owner_id: -this.groupId, album_id: -3, date: 0, sizes: [], text: "" }];
      }
      case "docs.save": {
        const upload = this.pendingUploads.get(`doc:${params.file}`);
        if (!upload) throw new VkError(100, "file is undefined");
        this.uploads.push(upload);
        const id = Number(upload.attachment.split("_")[1]);
        return {
          type: "doc",
          doc: { id, owner_id: -this.groupId, title: params.title ?? upload.fileName, ext: "txt", url: "" },
        };
      }
      case "messages.edit":
        return this.edit(params);
      case "messages.sendMessageEventAnswer": {
        const { event_id: eventId, user_id: userId, peer_id: peerId } = params;
        if (!eventId || !userId || !peerId)
          throw new VkError(100, "event_id, user_id and peer_id are required");
        const answer: FakeEventAnswer = {
          eventId,
          userId: Number(userId),
          peerId: Number(peerId),
          eventData: params.event_data,
        };
        this.eventAnswers.push(answer);
        this.answerWaiters = this.answerWaiters.filter((w) => !w(answer));
        return 1;
      }
      default:
        throw new VkError(3);
    }
  }

  private send(params: Record<string, string>): unknown {
    const peers = params.peer_ids
      ? params.peer_ids.split(",").map(Number)
      : params.peer_id
        ? [Number(params.peer_id)]
        : params.user_id
          ? [Number(params.user_id)]
          : [];
    if (peers.length === 0 || peers.some((p) => !Number.isInteger(p)))
      throw new VkError(100, "peer_id is undefined");
    if (params.random_id === undefined) throw new VkError(100, "random_id is a required parameter");
    const text = params.message ?? "";
    if (
      params.attachment &&
      !params.attachment.split(",").every((a) => this.uploads.some((u) => u.attachment === a))
    )
      throw new VkError(100, "attachment is invalid");
    if (text.trim() === "" && !params.attachment) throw new VkError(100, "message is empty or invalid");
    if (text.length > 4096) throw new VkError(914);
    const keyboard = params.keyboard ? parseKeyboard(params.keyboard) : undefined;
    const randomId = Number(params.random_id);
    const sent = peers.map((peerId) => {
      const dedupeKey = `${peerId}:${randomId}`;
      const earlier = randomId !== 0 ? this.byRandomId.get(dedupeKey) : undefined;
      if (earlier !== undefined) {
        const message = this.messages.find((m) => m.id === earlier);
        return {
          peer_id: peerId,
          message_id: earlier,
          conversation_message_id: message?.conversationMessageId ?? 0,
        };
      }
      const message: FakeVkMessage = {
        id: this.nextMessageId++,
        peerId,
        conversationMessageId: this.nextCmid(peerId),
        text,
        ...(keyboard ? { keyboard } : {}),
        randomId,
        edits: 0,
        ...(params.attachment ? { attachment: params.attachment } : {}),
      };
      this.messages.push(message);
      if (randomId !== 0) this.byRandomId.set(dedupeKey, message.id);
      this.wake(peerId);
      this.notify("send", message);
      return {
        peer_id: peerId,
        message_id: message.id,
        conversation_message_id: message.conversationMessageId,
      };
    });
    return params.peer_ids ? sent : sent[0]?.message_id;
  }

  private edit(params: Record<string, string>): unknown {
    const peerId = Number(params.peer_id);
    const message = this.messages.find(
      (m) =>
        m.peerId === peerId &&
        (params.message_id !== undefined
          ? m.id === Number(params.message_id)
          : m.conversationMessageId === Number(params.conversation_message_id)),
    );
    if (!message) throw new VkError(100, "message_id is invalid");
    const text = params.message ?? message.text;
    if (text.length > 4096) throw new VkError(914);
    message.text = text;
    if (params.keyboard) message.keyboard = parseKeyboard(params.keyboard);
    message.edits += 1;
    this.notify("edit", message);
    return 1;
  }

  private wake(peerId: number): void {
    this.waiters = this.waiters.filter((w) => {
      if (w.peerId !== peerId) return true;
      const ready = this.take(peerId, w.count);
      if (!ready) return true;
      clearTimeout(w.timer);
      w.resolve(ready);
      return false;
    });
  }

  private longPoll(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    if (q.get("act") !== "a_check") {
      res.writeHead(400).end("act must be a_check");
      return;
    }
    const key = q.get("key") ?? "";
    const ts = q.get("ts") ?? "";
    this.polls.push({ key, ts });
    this.pollWaiters = this.pollWaiters.filter((w) => !w({ key, ts }));
    if (this.pendingPollFailure !== undefined) {
      const code = this.pendingPollFailure;
      this.pendingPollFailure = undefined;
      answer(res, this.failure(code));
      return;
    }
    if (this.answerCheck(res, key, Number(ts))) return;
    // Nothing new: hold the request until an update is pushed or `wait` seconds pass, as VK does.
    const waitMs = Math.min(Number(q.get("wait") ?? 25), 90) * 1000;
    const poll: HeldPoll = {
      res,
      key,
      ts: Number(ts),
      timer: setTimeout(() => {
        this.held = this.held.filter((p) => p !== poll);
        answer(res, { ts: String(this.currentTs), updates: [] });
      }, waitMs),
    };
    this.held.push(poll);
    // Answered, or the client gave up (stopped, timed out): forget the request.
    res.once("close", () => {
      clearTimeout(poll.timer);
      this.held = this.held.filter((p) => p !== poll);
    });
  }

  /** Answers an `a_check` if it can be answered now; false when it should be held. */
  private answerCheck(res: ServerResponse, key: string, ts: number): boolean {
    if (key !== this.key) {
      answer(res, { failed: 2 });
    } else if (!Number.isInteger(ts) || ts < this.floorTs || ts > this.currentTs) {
      answer(res, { failed: 1, ts: String(this.currentTs) });
    } else if (ts === this.currentTs) {
      return false;
    } else {
      answer(res, { ts: String(this.currentTs), updates: this.history.slice(ts - this.firstTs) });
    }
    return true;
  }

  private failure(code: 1 | 2 | 3): Record<string, unknown> {
    return code === 1 ? { failed: 1, ts: String(this.currentTs) } : { failed: code };
  }
}

/** Answers a long-poll request with JSON, unless it is already answered or gone. */
function answer(res: ServerResponse, body: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(200, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
}

/** Validates a keyboard as VK does (911 on any breach) and returns it parsed. */
function parseKeyboard(raw: string): FakeKeyboard {
  let keyboard: FakeKeyboard;
  try {
    keyboard = JSON.parse(raw) as FakeKeyboard;
  } catch {
    throw new VkError(911, "not JSON");
  }
  if (!Array.isArray(keyboard.buttons)) throw new VkError(911, "buttons must be an array");
  const rows = keyboard.buttons;
  const total = rows.reduce((n, row) => n + (Array.isArray(row) ? row.length : 0), 0);
  const [maxRows, maxButtons] = keyboard.inline ? [6, 10] : [10, 40];
  if (rows.length > maxRows) throw new VkError(911, `at most ${maxRows} rows`);
  if (total > maxButtons) throw new VkError(911, `at most ${maxButtons} buttons`);
  for (const row of rows) {
    if (!Array.isArray(row) || row.length === 0 || row.length > 5)
      throw new VkError(911, "1 to 5 buttons a row");
    for (const button of row) {
      const action = button.action;
      if (!action || typeof action.type !== "string") throw new VkError(911, "action.type is required");
      if ((action.type === "text" || action.type === "callback") && !action.label)
        throw new VkError(911, "label is required");
      if ((action.label ?? "").length > 40) throw new VkError(911, "label is longer than 40");
      if ((action.payload ?? "").length > 255) throw new VkError(911, "payload is longer than 255");
      if (action.payload !== undefined) {
        try {
          JSON.parse(action.payload);
        } catch {
          throw new VkError(911, "payload must be JSON");
        }
      }
    }
  }
  return keyboard;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function newKey(): string {
  return randomBytes(20).toString("hex");
}
