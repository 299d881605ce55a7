import { pino } from "pino";
import { describe, expect, it, vi } from "vitest";
import type { API } from "vk-io";
import { InMemoryChoices } from "../../adapters/vk/choices.js";
import { handleVkUpdate } from "../../adapters/vk/inbound.js";
import { gatedSink, watched } from "../helpers/gated-sink.js";

/**
 * Both VK transports take an update as done once `handleVkUpdate` resolves (Long Poll moves its `ts`
 * on, the Callback API answers «ok»): the core's owed ack for the conversation must be in Redis first.
 */
describe("handleVkUpdate and the core's owed ack", () => {
  it("resolves only after the conversation's outbox is marked done", async () => {
    const { sink, open } = gatedSink();
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
    const handled = watched(
      handleVkUpdate(update, {
        api: {} as API,
        sink,
        choices: new InMemoryChoices(),
        logger: pino({ level: "silent" }),
      }),
    );
    await vi.waitFor(() => expect(sink.settle).toHaveBeenCalledWith("vk-502"));
    await new Promise((resolve) => setImmediate(resolve));
    expect(handled.done).toBe(false);
    open();
    expect(await handled.promise).toBe("handled");
  });
});
