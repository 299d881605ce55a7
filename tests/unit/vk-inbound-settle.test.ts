import { pino } from "pino";
import { describe, expect, it, vi } from "vitest";
import type { API } from "vk-io";
import { InMemoryChoices } from "../../adapters/vk/choices.js";
import { handleVkUpdate } from "../../adapters/vk/inbound.js";
import type { AcceptStatus, InboundSink } from "../../src/engine/inbound-sink.js";

/**
 * Both VK transports take an update as done once `handleVkUpdate` resolves (Long Poll moves its `ts`
 * on, the Callback API answers «ok»): the core's owed ack for the conversation must be in Redis first.
 */
describe("handleVkUpdate and the core's owed ack", () => {
  it("resolves only after the conversation's outbox is marked done", async () => {
    let open: () => void = () => undefined;
    const acked = new Promise<void>((resolve) => {
      open = resolve;
    });
    const sink: InboundSink = {
      accept: vi.fn(async (): Promise<AcceptStatus> => "handled"),
      settle: vi.fn(() => acked),
    };
    const update = {
      type: "message_new",
      group_id: 218000001,
      event_id: "ev-settle",
      v: "5.199",
      object: {
        message: {
          id: 78,
          date: 1_700_000_000,
          peer_id: 502,
          from_id: 502,
          out: 0,
          text: "Привет",
          attachments: [],
        },
        client_info: { button_actions: ["text"], keyboard: true, inline_keyboard: true, lang_id: 0 },
      },
    };
    let done = false;
    const handled = handleVkUpdate(update, {
      api: {} as API,
      sink,
      choices: new InMemoryChoices(),
      logger: pino({ level: "silent" }),
    }).then((outcome) => {
      done = true;
      return outcome;
    });
    await vi.waitFor(() => expect(sink.settle).toHaveBeenCalledWith("vk-502"));
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    open();
    expect(await handled).toBe("handled");
  });
});
