import type { Logger } from "pino";

/** A channel that cannot hear customers: why, and what the operator must change. */
export interface ChannelFault {
  /** What is wrong, e.g. «getUpdates answered 401: the bot token was revoked or is wrong». */
  reason: string;
  /** What to do about it, naming the variable or setting. */
  fix: string;
}

/** Options for `ChannelFaults`. */
export interface ChannelFaultsOptions {
  logger: Logger;
  /** How long a fault may last before `onGiveUp` is called. */
  exitAfterMs: number;
  /** Called once, when a fault has lasted `exitAfterMs`: the process should stop, non-zero. */
  onGiveUp(channel: string, fault: ChannelFault): void;
}

/**
 * Faults of the channels, for readiness and for the watchdog that ends a deaf process. A process whose
 * token was revoked would otherwise stay «ready» and answer nobody; here /readyz turns 503 at once,
 * and if the fault is still there after `exitAfterMs` the process is told to exit, so the
 * orchestrator's restarts and alerts make it visible. A fault that clears (a 409 during a rolling
 * deploy) cancels the watchdog.
 */
export class ChannelFaults {
  private readonly faults = new Map<string, { fault: ChannelFault; timer: NodeJS.Timeout }>();
  private gaveUp = false;

  constructor(private readonly options: ChannelFaultsOptions) {}

  /** Records a fault of `channel` (or clears it with `undefined`). */
  set(channel: string, fault: ChannelFault | undefined): void {
    const current = this.faults.get(channel);
    if (!fault) {
      if (!current) return;
      clearTimeout(current.timer);
      this.faults.delete(channel);
      this.options.logger.info({ channel }, "channel hears customers again; ready");
      return;
    }
    if (current) {
      current.fault = fault;
      return;
    }
    this.options.logger.fatal(
      { channel, fix: fault.fix, exit_in_ms: this.options.exitAfterMs },
      `${channel} cannot receive customer messages: ${fault.reason}. To fix: ${fault.fix}`,
    );
    const timer = setTimeout(() => {
      const still = this.faults.get(channel);
      if (!still || this.gaveUp) return;
      this.gaveUp = true;
      this.options.onGiveUp(channel, still.fault);
    }, this.options.exitAfterMs);
    timer.unref();
    this.faults.set(channel, { fault, timer });
  }

  /** One line per faulty channel, for /readyz. */
  problems(): string[] {
    return [...this.faults].map(([channel, { fault }]) => `${channel}: ${fault.reason}; ${fault.fix}`);
  }

  /** Cancels the watchdogs (on shutdown). */
  close(): void {
    for (const { timer } of this.faults.values()) clearTimeout(timer);
  }
}
