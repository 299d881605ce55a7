import type { CarriedAck, ConversationStore } from "../store/conversation-store.js";
import type { EventLog } from "./event-log.js";

/** An ack owed to Redis: waiting for the end of the event-loop turn, or on its way. */
interface OwedAck {
  ack: CarriedAck;
  log: EventLog;
  /** Set once it is sent on its own; settles when Redis has answered (never rejects). */
  sending?: Promise<void>;
}

/** What to do when an owed ack did not go through: forget the cached state, free the lock. */
export type AckFailed = (conversationKey: string, ack: CarriedAck, log: EventLog, err?: unknown) => void;

/**
 * The acks the engine owes Redis after carrying out an outbox. An update is done once its replies
 * are sent; its `ack` (outbox done, tags, lock released) then waits for the end of the event-loop
 * turn, and if the conversation's next update is stepped before that, its `step` carries the ack
 * (`CarriedAck`) and the round trip is saved. A customer who writes again at once — most of a busy
 * bot's updates — costs one command per update instead of two.
 *
 * Crash window: as before, a crash after the replies went out and before Redis has the ack leaves the
 * outbox to be carried out again, so those replies may reach the customer twice. It is as long as it
 * was (the ack is written in the same turn), and adapters confirm updates to the platform only after
 * `settle` (a polling offset, a webhook's 200, VK's «ok»), so the replay still comes with the
 * platform's redelivery of the update, at once, as before.
 */
export class DeferredAcks {
  private readonly owed = new Map<string, OwedAck>();
  private scheduled = false;

  constructor(
    private readonly store: ConversationStore,
    private readonly failed: AckFailed,
  ) {}

  /** Owes the ack of the conversation's update just carried out. */
  defer(ack: CarriedAck, log: EventLog): void {
    this.owed.set(ack.lease.conversationKey, { ack, log });
    if (this.scheduled) return;
    this.scheduled = true;
    // After the I/O callbacks of this turn: a next update already on its way can still carry it.
    setImmediate(() => this.flush());
  }

  /**
   * The ack the conversation's next `step` should carry (it owes it from now on), or undefined; one
   * already on its way is waited for first, so the step never meets its own lock.
   */
  async take(conversationKey: string): Promise<CarriedAck | undefined> {
    const owed = this.owed.get(conversationKey);
    if (!owed) return undefined;
    if (owed.sending) {
      await owed.sending;
      return undefined;
    }
    this.owed.delete(conversationKey);
    return owed.ack;
  }

  /** Sends the conversation's owed ack now, if any, and waits for it (before the long way's `begin`). */
  async settle(conversationKey: string): Promise<void> {
    const owed = this.owed.get(conversationKey);
    if (owed) await this.send(conversationKey, owed);
  }

  /** Sends every owed ack and waits for all of them (graceful shutdown). */
  async settleAll(): Promise<void> {
    await Promise.all([...this.owed].map(([key, owed]) => this.send(key, owed)));
  }

  private flush(): void {
    this.scheduled = false;
    for (const [key, owed] of this.owed) void this.send(key, owed);
  }

  private send(conversationKey: string, owed: OwedAck): Promise<void> {
    const { ack, log } = owed;
    owed.sending ??= this.store.ack(ack.lease, ack.tags, ack.undeliverableJson).then(
      (done) => {
        this.forget(conversationKey, owed);
        if (done) return;
        // Delivered, but the lock ran out first: the outbox is left to whoever holds the conversation now.
        log.warn("lock lost before the outbox was marked done; another worker may carry it out again");
        this.failed(conversationKey, ack, log);
      },
      (err: unknown) => {
        this.forget(conversationKey, owed);
        log.error({ err }, "ack failed after the replies went out; the outbox will be replayed");
        this.failed(conversationKey, ack, log, err);
      },
    );
    return owed.sending;
  }

  private forget(conversationKey: string, owed: OwedAck): void {
    if (this.owed.get(conversationKey) === owed) this.owed.delete(conversationKey);
  }
}
