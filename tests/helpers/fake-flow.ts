import { type Logger, pino } from "pino";
import { Engine, type FlowModule } from "../../src/engine/engine.js";
import type { Classifier, ConversationState, Effect } from "../../flows/types.js";
import type { ChannelSender, SendOptions, SentMessage } from "../../src/channel.js";
import type { HandoffGateway } from "../../src/handoff/gateway.js";
import type { ConversationStore } from "../../src/store/conversation-store.js";
import type { InboundEvent, OutboundReply } from "../../flows/model.js";

/** State of the recording flow: every text it saw, in order. */
export type RecordingState = ConversationState & { seen: string[] };

/**
 * A flow for engine tests: records each event's text in its state and echoes it; the text
 * `handoff` (or `urgent`, with high priority) produces a handoff effect. Lets engine tests check order and loss without the real flow.
 */
export const recordingFlow: FlowModule = {
  step(state, event) {
    const prev = (state as RecordingState | undefined) ?? {
      v: 1,
      step: "question",
      locale: "ru",
      misses: 0,
      transcript: [],
      handoffSeq: 0,
      updatedAt: 0,
      seen: [],
    };
    const text = event.text ?? event.kind;
    const next: RecordingState = { ...prev, seen: [...prev.seen, text], updatedAt: event.at };
    const effects: Effect[] = [];
    if (text === "handoff" || text === "urgent") {
      next.handoffSeq = prev.handoffSeq + 1;
      effects.push({
        type: "handoff",
        request: {
          handoffId: `${event.conversationKey}-${next.handoffSeq}`,
          conversationKey: event.conversationKey,
          channel: event.channel,
          chatId: event.chatId,
          guest: true,
          category: text === "urgent" ? "urgent" : "operator",
          priority: text === "urgent" ? "high" : "normal",
          locale: "ru",
          transcript: [],
          createdAt: event.at,
        },
      });
    }
    return { state: next, replies: [{ text: `echo ${text}` }], effects };
  },
  migrateState: (raw) => raw as ConversationState,
  renderQueueStatus: (_locale, status) => ({ text: `position ${status.position}` }),
  floodNotice: () => ({ text: "slow down" }),
};

/** A sender that records what it was asked to send; can be told to fail the next sends. */
export class RecordingSender implements ChannelSender {
  readonly sent: { chatId: string; reply: OutboundReply; options: SendOptions }[] = [];
  failNext: Error[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  constructor(readonly channel: ChannelSender["channel"] = "console") {}

  async send(chatId: string, reply: OutboundReply, options: SendOptions): Promise<SentMessage> {
    const failure = this.failNext.shift();
    if (failure) throw failure;
    this.sent.push({ chatId, reply, options });
    this.waiters = this.waiters.filter((w) => {
      if (this.sent.length >= w.count) w.resolve();
      return this.sent.length < w.count;
    });
    return { messageId: String(this.sent.length) };
  }

  /** Resolves once at least `count` replies were sent in all. */
  waitFor(count: number): Promise<void> {
    if (this.sent.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}

/** A handoff gateway that records calls (for engine tests that need no BullMQ). */
export class RecordingGateway implements HandoffGateway {
  readonly requests: string[] = [];
  async request(request: { handoffId: string }) {
    this.requests.push(request.handoffId);
    return { position: this.requests.length };
  }
  async cancel() {}
  async relay() {}
  async rate() {}
}

/** Builds a text event for `tg-<chat>` with a given update id. */
export function textEvent(chat: string, updateId: string, text: string, at = Date.now()): InboundEvent {
  return {
    channel: "console",
    conversationKey: `cli-${chat}`,
    chatId: chat,
    userId: chat,
    kind: "text",
    text,
    updateId,
    at,
  };
}

/**
 * An engine running the recording flow on `store`, with a recording sender registered (a classifier
 * that is never asked, a silent logger unless given): what engine and desk tests build on.
 */
export function recordingEngine<S extends ChannelSender = RecordingSender>(
  store: ConversationStore,
  handoffs: HandoffGateway,
  sender: S = new RecordingSender("console") as ChannelSender as S,
  logger: Logger = pino({ level: "silent" }),
  maxLockWaitMs?: number,
): { engine: Engine; sender: S } {
  const engine = new Engine({
    store,
    flow: recordingFlow,
    context: {
      idleMs: 60_000,
      defaultLocale: "ru",
      classifier: stubClassifier,
    },
    handoffs,
    logger,
    ...(maxLockWaitMs !== undefined ? { maxLockWaitMs } : {}),
  });
  engine.registerSender(sender);
  return { engine, sender };
}

/** A classifier that calls everything `general`: for engine tests whose flow never classifies. */
export const stubClassifier: Classifier = {
  read: (text) => ({ text, normalized: text, stems: [], translit: false }),
  classify: () => ({ category: "general", confidence: 1, ranked: [] }),
};
