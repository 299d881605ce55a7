import type { Logger } from "pino";
import type { ConversationStore, Lease } from "../store/conversation-store.js";

/** A running renewal of one lease; `stop` it once the lock is released or the work is abandoned. */
export interface LeaseRenewal {
  /** True once Redis said the lock is no longer ours: another worker may be carrying out the outbox. */
  readonly lost: boolean;
  stop(): void;
}

/**
 * Extends a conversation lock's lease every third of the lease while an update is in flight, so a
 * delivery slowed by rate limits (Telegram 429 with a long `retry_after`, VK backoff) does not let
 * the lease run out and another instance replay the same outbox. A crashed holder stops renewing,
 * so its conversation is still freed one lease later.
 */
export function renewWhileInFlight(store: ConversationStore, lease: Lease, log: Logger): LeaseRenewal {
  let lost = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    // A chain of timeouts rather than an interval: a slow Redis never has two renewals in flight.
    timer = setTimeout(tick, Math.max(1, Math.floor(store.leaseMs / 3)));
    // The renewal alone must not keep a process alive that is otherwise shutting down.
    timer.unref();
  };
  const tick = () => {
    store.renew(lease).then(
      (held) => {
        if (stopped) return;
        if (!held) {
          lost = true;
          log.warn("conversation lock lost while the update was in flight");
          return;
        }
        schedule();
      },
      (err: unknown) => {
        // Redis unreachable: the lease may still be valid, so keep trying until the work ends.
        log.warn({ err }, "lease renewal failed");
        if (!stopped) schedule();
      },
    );
  };
  schedule();
  return {
    get lost() {
      return lost;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
