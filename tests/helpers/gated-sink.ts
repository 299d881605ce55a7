import { vi } from "vitest";
import type { AcceptStatus, InboundSink } from "../../src/engine/inbound-sink.js";
import { gate } from "./gate.js";

/**
 * A sink whose `accept` resolves at once and whose `settle` (the core's owed acks) waits until `open()`:
 * for the tests that check an adapter confirms an update to its platform only after the acks.
 */
export function gatedSink(): { sink: InboundSink; open(): void } {
  const acked = gate();
  const sink: InboundSink = {
    accept: vi.fn(async (): Promise<AcceptStatus> => "handled"),
    settle: vi.fn(() => acked.promise),
  };
  return { sink, open: acked.open };
}

/** A promise with a flag that says whether it has settled yet. */
export function watched<T>(promise: Promise<T>): { promise: Promise<T>; readonly done: boolean } {
  const state = { promise, done: false };
  void promise.then(
    () => {
      state.done = true;
    },
    () => {
      state.done = true;
    },
  );
  return state;
}
