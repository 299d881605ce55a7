import type { Logger } from "pino";
import type { ConversationState, Effect, FlowContext, FlowModule, StepResult } from "../../flows/types.js";
import { type ChannelSender, DeliveryError } from "../channel.js";
import { ChannelRegistry } from "../channel-registry.js";
import type { HandoffGateway } from "../handoff/gateway.js";
import type { ChannelId, InboundEvent, Locale, OutboundReply } from "../../flows/model.js";

export type { FlowModule } from "../../flows/types.js";
import {
  type ConversationStore,
  type Lease,
  StateConflictError,
  type StoredConversation,
} from "../store/conversation-store.js";
import type { AcceptStatus, InboundSink } from "./inbound-sink.js";
import { KeyedSerializer } from "./keyed-serializer.js";
import { DeferredAcks } from "./deferred-acks.js";
import { type EventLog, LazyEventLog } from "./event-log.js";
import { LeaseKeeper, type LeaseRenewal } from "./lease-renewal.js";
import { type CachedConversation, StateCache } from "./state-cache.js";

/** What the engine remembers it still has to do after a commit: replayed if it crashes before `ack`. */
interface Outbox {
  channel: ChannelId;
  chatId: string;
  updateId: string;
  conversationKey: string;
  locale: Locale;
  replies: OutboundReply[];
  effects: Effect[];
}

/** Hooks for metrics; every one optional. */
export interface EngineObserver {
  /** An update's outcome; with the state before and after the step when the flow ran. */
  handled?(
    event: InboundEvent,
    outcome: AcceptStatus | "error",
    after?: ConversationState,
    before?: ConversationState,
  ): void;
  effect?(effect: Effect): void;
  deliveryFailed?(channel: ChannelId, reason: string): void;
}

/** Options of the engine. */
export interface EngineOptions {
  store: ConversationStore;
  flow: FlowModule;
  context: Omit<FlowContext, "now">;
  handoffs: HandoffGateway;
  logger: Logger;
  /** The clock (tests pass their own). @defaultValue Date.now */
  now?: () => number;
  /** How long to wait for another instance's lock before giving up. @defaultValue 60000 */
  maxLockWaitMs?: number;
  /**
   * How many conversations' last saved state this process keeps, so their next update takes one
   * round trip to save (`store.step`) instead of two (`begin`, `commit`). 0 turns it off.
   * @defaultValue 1000
   */
  stateCacheSize?: number;
  observer?: EngineObserver;
  /** The channel registry shared with the desk; a private one when not given. */
  senders?: ChannelRegistry;
}

/** Thrown when a conversation stays locked by another worker for longer than the wait bound. */
export class ConversationBusyError extends Error {
  override readonly name = "ConversationBusyError";
  constructor(
    readonly conversationKey: string,
    readonly waitedMs: number,
  ) {
    super(
      `Conversation ${conversationKey} stayed locked for ${waitedMs} ms; the update was not handled and ` +
        "should be redelivered. A worker that holds a lock that long is stuck: check its logs.",
    );
  }
}

/**
 * The conversation engine: inbound event → dedupe → lock → load → flow step → save → effects and
 * replies, in arrival order per conversation (in this process by a keyed queue; across instances by
 * the store's lock and compare-and-set).
 */
export class Engine implements InboundSink {
  private readonly senders: ChannelRegistry;
  private readonly serializer = new KeyedSerializer();
  private readonly now: () => number;
  private readonly cache: StateCache;
  private readonly leases: LeaseKeeper;
  private readonly acks: DeferredAcks;

  constructor(private readonly options: EngineOptions) {
    this.now = options.now ?? Date.now;
    this.senders = options.senders ?? new ChannelRegistry();
    this.cache = new StateCache(options.stateCacheSize ?? 1000);
    // Real time, not `now`: tests freeze the flow's clock, but leases run out in real time.
    this.leases = new LeaseKeeper(options.store);
    this.acks = new DeferredAcks(options.store, (conversationKey, ack, log, err) => {
      // What this process remembers may no longer be what is stored: the next update takes the long way.
      this.cache.delete(conversationKey);
      // Redis failed the ack: free the lock once it answers, so the outbox's replay need not wait a lease.
      if (err !== undefined) void this.release(ack.lease, log);
    });
  }

  /** Registers the outbound side of a channel; replies to its conversations go through it. */
  registerSender(sender: ChannelSender): void {
    this.senders.register(sender);
  }

  /** Handles one inbound event; resolves when its outcome is durable. */
  accept(event: InboundEvent): Promise<AcceptStatus> {
    return this.serializer.run(event.conversationKey, () => this.handle(event));
  }

  /** See `InboundSink.settle`: the acks still owed (of one conversation, or all) are sent and answered. */
  settle(conversationKey?: string): Promise<void> {
    return conversationKey === undefined ? this.acks.settleAll() : this.acks.settle(conversationKey);
  }

  /** Resolves when every event accepted so far has finished and its ack is in Redis (graceful shutdown). */
  async idle(): Promise<void> {
    await this.serializer.idle();
    await this.acks.settleAll();
  }

  private async handle(event: InboundEvent): Promise<AcceptStatus> {
    const log = new LazyEventLog(this.options.logger, event);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.handleOnce(event, log);
      } catch (err) {
        // A lost CAS means another worker took over mid-step; running the step again on fresh state is
        // safe because nothing was committed. Anything else goes back to the caller for redelivery.
        if (err instanceof StateConflictError && attempt < 3) {
          log.warn({ reason: err.reason, attempt }, "state conflict, retrying the update");
          continue;
        }
        this.options.observer?.handled?.(event, "error");
        throw err;
      }
    }
  }

  private async handleOnce(event: InboundEvent, log: EventLog): Promise<AcceptStatus> {
    const { store } = this.options;
    const known = this.cache.take(event.conversationKey);
    if (known) {
      const status = await this.handleKnown(event, known, log);
      if (status) return status;
    }
    // The long way's `begin` would meet this process's own lock: the ack it still owes goes first.
    await this.acks.settle(event.conversationKey);
    const begun = await this.acquire(event, log);
    if (begun.status === "duplicate") {
      log.debug("duplicate update ignored");
      this.options.observer?.handled?.(event, "duplicate");
      return "duplicate";
    }
    if (begun.status === "flood") {
      await this.noticeFlood(event, begun.count, log);
      this.options.observer?.handled?.(event, "dropped");
      return "dropped";
    }
    const { lease, record } = begun;
    const renewal = this.leases.hold(lease, log);
    let committed = false;
    try {
      if (record.outboxJson) {
        // A previous worker committed but did not finish: finish its work first, in order.
        const pending = JSON.parse(record.outboxJson) as Outbox;
        log.info({ pendingUpdate: pending.updateId }, "carrying out an unfinished outbox");
        await this.carryOut(pending, record, lease, renewal, log, begun.status === "ok");
        if (begun.status === "replay") {
          this.options.observer?.handled?.(event, "duplicate");
          return "duplicate";
        }
      }
      const ctx: FlowContext = { ...this.options.context, now: this.now() };
      const before = this.loadState(record, ctx, log);
      const { result, outbox, outboxJson, stateJson } = this.runStep(before, event, ctx);
      // With an empty outbox the commit also releases the lock: nothing to carry out, no ack.
      await store.commit(lease, record.version, stateJson, event.updateId, outboxJson);
      committed = true;
      log.debug(
        { step: result.state.step, replies: result.replies.length, effects: result.effects.length },
        "step done",
      );
      const clean = outboxJson === "" || (await this.carryOut(outbox, record, lease, renewal, log));
      if (clean) this.remember(event, record.version + 1, result.state, record.tags);
      this.options.observer?.handled?.(event, "handled", result.state, before);
      return "handled";
    } catch (err) {
      // Not committed: free the conversation now rather than after the lease. Committed: keep the
      // outbox for the next worker, but still free the lock so it can start.
      await this.release(lease, log);
      if (committed)
        log.error({ err }, "effects or replies failed after commit; the outbox will be replayed");
      throw err;
    } finally {
      renewal.stop();
    }
  }

  /**
   * The short way, for a conversation whose last saved state this process knows: run the flow on it,
   * then save with `store.step` (dedupe, version check, lock, flood check and the write in one round
   * trip), carry out the outbox and ack. The crash windows are those of the long way: nothing is
   * written unless the version is still the known one, and the state, the update id and the outbox
   * are written together under the lock, which is held until the ack. Resolves undefined, with
   * nothing written, when the stored state moved on (another worker) or needs the long way (an
   * unfinished outbox, a recorded delivery failure, a held lock).
   */
  private async handleKnown(
    event: InboundEvent,
    known: CachedConversation,
    log: EventLog,
  ): Promise<AcceptStatus | undefined> {
    const { store } = this.options;
    const ctx: FlowContext = { ...this.options.context, now: this.now() };
    const { result, outbox, outboxJson, stateJson } = this.runStep(known.state, event, ctx);
    // The previous update's ack, if still owed, rides on this step.
    const ack = await this.acks.take(event.conversationKey);
    const saved = await store
      .step(event.conversationKey, event.updateId, known.version, stateJson, outboxJson, {
        floodExempt: event.kind === "system",
        ...(ack ? { ack } : {}),
      })
      .catch((err: unknown) => {
        // Not written: the ack is still owed, and goes on its own.
        if (ack) this.acks.defer(ack, log);
        throw err;
      });
    switch (saved.status) {
      case "stale":
        return undefined;
      case "duplicate":
        // Nothing was written: what this process knows still holds.
        this.cache.set(event.conversationKey, known);
        log.debug("duplicate update ignored");
        this.options.observer?.handled?.(event, "duplicate");
        return "duplicate";
      case "flood":
        this.cache.set(event.conversationKey, known);
        await this.noticeFlood(event, saved.count, log);
        this.options.observer?.handled?.(event, "dropped");
        return "dropped";
      case "ok":
        break;
    }
    log.debug(
      { step: result.state.step, replies: result.replies.length, effects: result.effects.length },
      "step done",
    );
    const record: StoredConversation = { version: known.version, tags: { ...known.tags } };
    const lease = saved.lease;
    let clean = true;
    if (lease) {
      const renewal = this.leases.hold(lease, log);
      try {
        clean = await this.carryOut(outbox, record, lease, renewal, log);
      } catch (err) {
        // Committed: the outbox stays for the next worker; free the lock so it can start.
        await this.release(lease, log);
        log.error({ err }, "effects or replies failed after commit; the outbox will be replayed");
        throw err;
      } finally {
        renewal.stop();
      }
    }
    if (clean) this.remember(event, known.version + 1, result.state, record.tags);
    this.options.observer?.handled?.(event, "handled", result.state, known.state);
    return "handled";
  }

  /** One flow step and what saving it needs: the outbox (its JSON '' when empty) and the state JSON. */
  private runStep(before: ConversationState | undefined, event: InboundEvent, ctx: FlowContext) {
    const result: StepResult = this.options.flow.step(before, event, ctx);
    const outbox: Outbox = {
      channel: event.channel,
      chatId: event.chatId,
      updateId: event.updateId,
      conversationKey: event.conversationKey,
      locale: result.state.locale,
      replies: result.replies,
      effects: result.effects,
    };
    const empty = outbox.replies.length === 0 && outbox.effects.length === 0;
    const stateJson = this.options.flow.serializeState?.(result.state) ?? JSON.stringify(result.state);
    return { result, outbox, outboxJson: empty ? "" : JSON.stringify(outbox), stateJson };
  }

  /** Keeps the state just saved (as `version`) for the conversation's next update. */
  private remember(
    event: InboundEvent,
    version: number,
    state: ConversationState,
    tags: Record<string, string>,
  ): void {
    this.cache.set(event.conversationKey, { version, state, tags });
  }

  /**
   * Frees the lock after a failure, so the update's redelivery (or the next worker) need not wait out
   * the lease. Redis being unreachable is the usual failure: then it keeps trying in the background
   * (with back-off, until the lease would have run out anyway), so after a short outage or a Sentinel
   * failover the conversation moves on within a second of Redis answering, not a whole lease later.
   * The release checks the lock's token: it never frees a lock another worker took since.
   */
  private async release(lease: Lease, log: EventLog): Promise<void> {
    const { store } = this.options;
    try {
      await store.release(lease);
      return;
    } catch (err) {
      log.warn({ err }, "lock release failed; retrying until the lease runs out");
    }
    const giveUpAt = this.now() + store.leaseMs;
    void (async () => {
      for (let delay = 100; this.now() + delay < giveUpAt; delay = Math.min(delay * 2, 1000)) {
        // Unref'd: a retry must not keep a process that is otherwise shutting down alive.
        await new Promise((r) => setTimeout(r, delay).unref());
        try {
          await store.release(lease);
          log.info("lock released after Redis came back");
          return;
        } catch {
          // Still unreachable: try again; the lease ends it either way.
        }
      }
    })();
  }

  /** Takes the conversation's lock, waiting (bounded) while another instance holds it. */
  private async acquire(event: InboundEvent, log: EventLog) {
    const started = this.now();
    const maxWait = this.options.maxLockWaitMs ?? 60_000;
    for (;;) {
      // The desk's signals (a close, a claim) must reach a customer who used up the flood limit,
      // or the customer stays with the agent forever.
      const begun = await this.options.store.begin(event.conversationKey, event.updateId, {
        floodExempt: event.kind === "system",
      });
      if (begun.status !== "locked") return begun;
      if (begun.holder !== undefined && this.options.store.ownsToken(begun.holder)) {
        // This process runs one update of a conversation at a time, and this is it: a lock of its own
        // is one it left behind (a reply lost in a failover). Free it now rather than wait out its lease.
        log.warn("releasing a lock this process left behind");
        await this.options.store.release({ conversationKey: event.conversationKey, token: begun.holder });
        continue;
      }
      const waited = this.now() - started;
      if (waited > maxWait) throw new ConversationBusyError(event.conversationKey, waited);
      // Another instance is mid-step (milliseconds) or crashed (lease): poll briefly, then back off.
      await new Promise((r) => setTimeout(r, Math.min(begun.retryInMs, 5 + Math.min(waited / 4, 200))));
    }
  }

  private loadState(
    record: StoredConversation,
    ctx: FlowContext,
    log: EventLog,
  ): ConversationState | undefined {
    if (!record.stateJson) return undefined;
    let raw: unknown;
    try {
      raw = JSON.parse(record.stateJson);
    } catch (err) {
      // Corrupt state must not wedge the conversation: start it over, and say so in the logs.
      log.error({ err }, "stored state is not JSON; starting the conversation over");
      return undefined;
    }
    const state = this.options.flow.migrateState(raw, ctx);
    if (record.undeliverableJson) {
      try {
        state.undeliverable = JSON.parse(record.undeliverableJson) as ConversationState["undeliverable"];
      } catch {
        // The field is advisory; a bad value is dropped.
      }
    }
    return state;
  }

  /**
   * Carries out effects, then sends replies, then acks (releasing the lock) — at the end of this turn or
   * carried by the conversation's next step (`DeferredAcks`), except for a replay that keeps the lock,
   * which acks at once. True when every reply was delivered (and a kept lock's ack went through): the
   * stored state is then the one just saved, unless the deferred ack fails, which drops it from the cache.
   */
  private async carryOut(
    outbox: Outbox,
    record: StoredConversation,
    lease: Lease,
    renewal: LeaseRenewal,
    log: EventLog,
    keepLock = false,
  ): Promise<boolean> {
    const replies = [...outbox.replies];
    for (const effect of outbox.effects) {
      const extra = await this.runEffect(effect, outbox);
      if (extra) replies.push(extra);
      this.options.observer?.effect?.(effect);
    }
    const sender = this.senders.get(outbox.channel);
    const newTags: Record<string, string> = {};
    let undeliverable = "";
    if (!sender) {
      log.error({ channel: outbox.channel }, "no sender registered for the channel; replies dropped");
    } else {
      for (const [index, reply] of replies.entries()) {
        // The worker that took the conversation over replays this outbox: sending on would double it.
        if (renewal.lost) throw new StateConflictError(outbox.conversationKey, "lost_lock");
        const editId = reply.edit && reply.tag ? (newTags[reply.tag] ?? record.tags[reply.tag]) : undefined;
        try {
          const sent = await sender.send(outbox.chatId, reply, {
            editMessageId: editId,
            idempotencyKey: `${outbox.conversationKey}-${outbox.updateId}-${index}`,
          });
          if (reply.tag) newTags[reply.tag] = sent.messageId;
        } catch (err) {
          if (!(err instanceof DeliveryError)) throw err;
          // The customer blocked the bot or the chat is gone: retrying cannot help. Record it, stop.
          log.warn({ reason: err.reason, code: err.platformCode }, "reply undeliverable");
          this.options.observer?.deliveryFailed?.(outbox.channel, err.reason);
          undeliverable = JSON.stringify({ reason: err.reason, at: this.now() });
          break;
        }
      }
    }
    if (!keepLock) {
      // The ack releases the lock: a renewal still in flight would then find it gone and cry «lost».
      renewal.stop();
      this.acks.defer({ lease, tags: newTags, undeliverableJson: undeliverable }, log);
    } else if (!(await this.options.store.ack(lease, newTags, undeliverable, true))) {
      // A replayed outbox before this update's own step keeps the lock, and the step needs the ack done
      // first. It failed: delivered, but the lock ran out first (Redis was unreachable for longer than
      // the lease), so the outbox is left to whoever holds the conversation now, which may send it again.
      log.warn("lock lost before the outbox was marked done; another worker may carry it out again");
      return false;
    }
    Object.assign(record.tags, newTags);
    return undeliverable === "";
  }

  private async runEffect(effect: Effect, outbox: Outbox): Promise<OutboundReply | undefined> {
    const { handoffs, flow } = this.options;
    switch (effect.type) {
      case "handoff": {
        const status = await handoffs.request(effect.request);
        return { ...flow.renderQueueStatus(outbox.locale, status), tag: "queue" };
      }
      case "cancel_handoff":
        await handoffs.cancel(effect.handoffId);
        return undefined;
      case "relay_to_agent":
        await handoffs.relay(effect, outbox.updateId);
        return undefined;
      case "rating":
        await handoffs.rate(effect);
        return undefined;
    }
  }

  /** Tells a flooding customer once (on the first update over the limit) to slow down. */
  private async noticeFlood(event: InboundEvent, count: number, log: EventLog): Promise<void> {
    log.warn({ count }, "flood limit: update dropped");
    if (count !== this.options.store.floodLimit + 1) return;
    const sender = this.senders.get(event.channel);
    const locale: Locale = event.languageHint?.startsWith("en") ? "en" : this.options.context.defaultLocale;
    await sender
      ?.send(event.chatId, this.options.flow.floodNotice(locale), {
        idempotencyKey: `${event.conversationKey}-flood-${event.updateId}`,
      })
      .catch((err: unknown) => {
        // Best effort: the notice is a courtesy, and the update is dropped either way.
        log.warn({ err }, "flood notice not delivered");
      });
  }
}
