import type { Logger } from "pino";

/** The part of a BullMQ `Queue` (or `Worker`) this needs. */
interface ErrorEmitter {
  readonly name: string;
  on(event: "error", listener: (err: Error) => void): unknown;
}

/**
 * Logs a BullMQ queue's errors (its connection's, re-emitted on the queue) as structured warnings.
 * Without a listener BullMQ prints each one with `console.error`: during a Redis outage or a Sentinel
 * failover that was a stack trace per reconnect attempt on stderr, outside the JSON log.
 */
export function logQueueErrors(queue: ErrorEmitter, logger: Logger): void {
  queue.on("error", (err) =>
    logger.warn({ queue: queue.name, err: { message: err.message } }, "queue error"),
  );
}
