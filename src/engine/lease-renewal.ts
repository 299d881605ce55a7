import type { ConversationStore, Lease } from "../store/conversation-store.js";
import type { EventLog } from "./event-log.js";

/** A running renewal of one lease; `stop` it once the lock is released or the work is abandoned. */
export interface LeaseRenewal {
  /** True once Redis said the lock is no longer ours: another worker may be carrying out the outbox. */
  readonly lost: boolean;
  stop(): void;
}

/** One lease being kept alive. */
class HeldLease implements LeaseRenewal {
  lost = false;
  stopped = false;
  /** A renewal is in flight: a slow Redis never gets two for the same lease. */
  renewing = false;
  constructor(
    readonly lease: Lease,
    readonly log: Pick<EventLog, "warn">,
    /** When the lease was last taken or extended (ms, the keeper's clock). */
    public since: number,
    private readonly keeper: LeaseKeeper,
  ) {}
  stop(): void {
    this.stopped = true;
    this.keeper.forget(this);
  }
}

/**
 * Keeps the leases of the updates in flight alive, so a delivery slowed by rate limits (Telegram 429
 * with a long `retry_after`, VK backoff) does not let a lease run out and another instance replay the
 * same outbox. A crashed holder stops renewing, so its conversation is still freed one lease later.
 *
 * One timer for all of them, ticking every sixth of the lease while anything is held: a lease is
 * extended once it is a third of the lease old, so at the latest half-way through. A timer per
 * update (set and cleared around every delivery) cost more than the renewals it almost never made.
 */
export class LeaseKeeper {
  private readonly held = new Set<HeldLease>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: ConversationStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts keeping `lease` alive until the returned renewal is stopped. */
  hold(lease: Lease, log: Pick<EventLog, "warn">): LeaseRenewal {
    const held = new HeldLease(lease, log, this.now(), this);
    this.held.add(held);
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), Math.max(1, Math.floor(this.store.leaseMs / 6)));
      // The renewals alone must not keep a process alive that is otherwise shutting down.
      this.timer.unref();
    }
    return held;
  }

  /** Stops keeping a lease (its `stop`). */
  forget(held: HeldLease): void {
    this.held.delete(held);
    if (this.held.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private tick(): void {
    const due = this.now() - this.store.leaseMs / 3;
    for (const held of this.held) {
      if (held.renewing || held.since > due) continue;
      held.renewing = true;
      const asked = this.now();
      this.store.renew(held.lease).then(
        (kept) => {
          held.renewing = false;
          if (held.stopped) return;
          if (kept) {
            held.since = asked;
            return;
          }
          held.lost = true;
          held.log.warn("conversation lock lost while the update was in flight");
          // Nothing more to keep: the worker that took over owns the conversation now.
          this.forget(held);
        },
        (err: unknown) => {
          // Redis unreachable: the lease may still be valid, so keep trying on the next ticks.
          held.renewing = false;
          held.log.warn({ err }, "lease renewal failed");
        },
      );
    }
  }
}
