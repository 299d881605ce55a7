import { describe, expect, it, vi } from "vitest";
import { type DeskContext, signal } from "../../src/desk/desk-context.js";
import type { HandoffRecord } from "../../src/handoff/handoff-record.js";
import { gatedSink, watched } from "../helpers/gated-sink.js";

/**
 * A desk signal (a claim, a close) is a BullMQ job's or an agent action's last step: once it resolves
 * the job is done and never runs again, so the customer's outbox must be marked done first, or a crash
 * would leave «Вашим вопросом занимается…» to be sent again with the customer's next line.
 */
describe("desk signal and the core's owed ack", () => {
  it("resolves only after the customer's outbox is marked done", async () => {
    const { sink, open } = gatedSink();
    const c = { sink, now: () => 1_700_000_000_000 } as unknown as DeskContext;
    const record = { conversationKey: "tg-9", channel: "telegram", chatId: "9" } as HandoffRecord;
    const sent = watched(signal(c, record, { type: "agent_closed", handoffId: "tg-9-1" }, "close-tg-9-1"));
    await vi.waitFor(() => expect(sink.settle).toHaveBeenCalledWith("tg-9"));
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent.done).toBe(false);
    open();
    await sent.promise;
    expect(sent.done).toBe(true);
  });
});
