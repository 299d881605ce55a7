/**
 * A small driver for flow tests: feeds events through `step`, keeping state and a clock, so a test
 * reads as the conversation it checks.
 */
import { createClassifier } from "../../../flows/classifier/index.js";
import { step } from "../../../flows/support-flow.js";
import type { ConversationState, FlowContext, StepResult } from "../../../flows/types.js";
import type { InboundEvent, Locale, SystemSignal } from "../../../flows/model.js";

/** One classifier for every test file that uses the driver (training takes a few ms). */
const classifier = createClassifier();

/** A conversation under test. */
export class Conversation {
  state: ConversationState | undefined;
  last!: StepResult;
  now = 1_700_000_000_000;
  private seq = 0;
  readonly ctx: FlowContext;

  constructor(
    readonly key = "tg-42",
    options: { defaultLocale?: Locale; idleMs?: number; languageHint?: string } = {},
  ) {
    this.ctx = {
      now: this.now,
      idleMs: options.idleMs ?? 30 * 60_000,
      defaultLocale: options.defaultLocale ?? "ru",
      classifier,
    };
    this.languageHint = options.languageHint;
  }

  languageHint: string | undefined;

  /** Sends any event (fields not given get defaults) and returns the step's result. */
  send(partial: Partial<InboundEvent>): StepResult {
    this.seq++;
    const event: InboundEvent = {
      channel: this.key.startsWith("vk") ? "vk" : "telegram",
      conversationKey: this.key,
      chatId: this.key.slice(3),
      userId: "7",
      kind: "text",
      updateId: String(this.seq),
      messageId: `m${this.seq}`,
      at: this.now,
      ...(this.languageHint ? { languageHint: this.languageHint } : {}),
      ...partial,
    };
    this.last = step(this.state, event, { ...this.ctx, now: this.now });
    this.state = this.last.state;
    this.now += 1_000;
    return this.last;
  }

  text(text: string): StepResult {
    return this.send({ kind: "text", text });
  }

  press(payload: string, label?: string): StepResult {
    return this.send({ kind: "button", payload, ...(label ? { text: label } : {}) });
  }

  command(command: "start" | "operator" | "cancel"): StepResult {
    return this.send({ kind: "command", command, text: `/${command}` });
  }

  system(signal: SystemSignal): StepResult {
    return this.send({ kind: "system", signal });
  }

  /** Greets and gives a login, so a test can start at the question. */
  ready(login = "ivanov"): this {
    this.command("start");
    this.text(login);
    return this;
  }

  /** The texts of the last step's replies, joined. */
  get said(): string {
    return this.last.replies.map((r) => r.text).join("\n---\n");
  }

  /** The payloads of every button in the last step's replies. */
  get payloads(): string[] {
    return this.last.replies.flatMap((r) => (r.buttons ?? []).flat().map((b) => b.payload));
  }

  get step(): string | undefined {
    return this.state?.step;
  }
}
