import type { ChannelSender, SendOptions, SentMessage } from "../../src/channel.js";
import type { InboundSink } from "../../src/engine/inbound-sink.js";
import type { Button, GlobalCommand, InboundEvent, OutboundReply } from "../../flows/model.js";

const COMMANDS: Record<string, GlobalCommand> = {
  "/start": "start",
  "/operator": "operator",
  "/cancel": "cancel",
};

/** Options of the console channel. */
export interface ConsoleChannelOptions {
  sink: InboundSink;
  /** Where replies are printed. */
  write(line: string): void;
  /** The playground's one conversation. @defaultValue "local" */
  chatId?: string;
}

/**
 * The terminal playground's channel: prints replies with their buttons numbered, and turns a typed
 * line into an inbound event (a number presses the button shown under that number; /start,
 * /operator, /cancel are commands; `:sticker` pretends to send a sticker; `:new` switches to a new
 * customer, so a first message that is a question can be tried).
 */
export class ConsoleChannel implements ChannelSender {
  readonly channel = "console" as const;
  private buttons: Button[] = [];
  private seq = 0;
  private sent = 0;
  private chatId: string;
  private customers = 0;

  constructor(private readonly options: ConsoleChannelOptions) {
    this.chatId = options.chatId ?? "local";
  }

  /** Switches to a new customer: a fresh conversation, whose first message is whatever is typed next. */
  newCustomer(): string {
    this.customers += 1;
    // The time part keeps a new customer new across playground runs (their state stays in Redis).
    this.chatId = `${this.options.chatId ?? "local"}-${Date.now().toString(36)}${this.customers}`;
    this.buttons = [];
    this.options.write(`— a new customer (${this.chatId}) —`);
    return this.chatId;
  }

  async send(_chatId: string, reply: OutboundReply, options: SendOptions): Promise<SentMessage> {
    const flat = (reply.buttons ?? []).flat();
    const prefix = options.editMessageId ? `[edited message ${options.editMessageId}] ` : "";
    const lines = [`bot> ${prefix}${reply.text}`];
    for (const [i, b] of flat.entries()) lines.push(`   [${i + 1}] ${b.label}`);
    if (flat.length > 0) this.buttons = flat;
    this.options.write(lines.join("\n"));
    return { messageId: options.editMessageId ?? String(++this.sent) };
  }

  /** Turns one typed line into the event the engine gets. */
  toEvent(line: string, at = Date.now()): InboundEvent {
    const text = line.trim();
    const base = {
      channel: "console" as const,
      conversationKey: `cli-${this.chatId}`,
      chatId: this.chatId,
      userId: this.chatId,
      updateId: `${process.pid}-${at}-${++this.seq}`,
      at,
    };
    const command = COMMANDS[text.toLowerCase()];
    if (command) return { ...base, kind: "command", command, text };
    if (text === ":sticker") return { ...base, kind: "unsupported", unsupportedKind: "sticker" };
    const pressed = /^\d+$/.test(text) ? this.buttons[Number(text) - 1] : undefined;
    if (pressed) return { ...base, kind: "button", payload: pressed.payload, text: pressed.label };
    return { ...base, kind: "text", text };
  }

  /**
   * Reads lines until the input closes; each line is handled before the next is read. Take the
   * iterator from the readline interface before any await, or piped lines are lost meanwhile.
   */
  async run(lines: AsyncIterable<string>): Promise<void> {
    for await (const line of lines) {
      if (line.trim() === "") continue;
      if (line.trim() === ":new") {
        this.newCustomer();
        continue;
      }
      await this.options.sink.accept(this.toEvent(line));
    }
  }
}
