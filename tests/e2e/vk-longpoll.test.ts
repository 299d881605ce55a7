import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createVkApi, type VkApi } from "../../adapters/vk/api.js";
import { VkLongPoll } from "../../adapters/vk/longpoll.js";
import { FakeVkApi } from "../fakes/vk-api.js";
import { memoryLogger } from "../helpers/memory-logger.js";

/**
 * The Bots Long Poll loop against the fake VK API with a handler the test controls: a slow
 * conversation holds up only itself, and a failing update is retried until handled.
 */

let fake: FakeVkApi;
let vk: VkApi;
let poll: VkLongPoll | undefined;
const handled: string[] = [];
/** Peers whose updates wait on a gate the test opens. */
const gates = new Map<number, Promise<void>>();
let failures = 0;

beforeEach(async () => {
  fake = await FakeVkApi.start();
  vk = createVkApi({ token: fake.token, apiBaseUrl: fake.apiBaseUrl });
  handled.length = 0;
  gates.clear();
  failures = 0;
});
afterEach(async () => {
  await poll?.stop();
  poll = undefined;
  vk.agent.destroy();
  await fake.close();
});

function startPoll(): VkLongPoll {
  poll = new VkLongPoll({
    api: vk.api,
    groupId: fake.groupId,
    logger: memoryLogger().logger,
    waitSeconds: 5,
    backoff: { baseMs: 20, maxMs: 100 },
    async handle(update) {
      const message = (update as { object: { message: { peer_id: number; text: string } } }).object.message;
      if (failures > 0) {
        failures--;
        throw new Error("Connection is closed.");
      }
      await gates.get(message.peer_id);
      handled.push(`${message.peer_id}:${message.text}`);
    },
  });
  return poll;
}

/** Resolves once `entry` was handled. */
async function handledOf(entry: string): Promise<void> {
  await expect.poll(() => handled.includes(entry), { timeout: 10_000 }).toBe(true);
}

describe("VK Long Poll", () => {
  it("handles other peers' later messages while one peer's message is slow, keeping that peer's order", async () => {
    let open!: () => void;
    gates.set(
      100,
      new Promise((resolve) => {
        open = resolve;
      }),
    );
    await startPoll().start();
    fake.push(fake.messageNew(100, { text: "медленно" }));
    await fake.nextPoll();
    // Later polls: other peers, and a second message of the slow peer.
    fake.push(fake.messageNew(100, { text: "второе" }));
    for (const peer of [101, 102, 103]) {
      fake.push(fake.messageNew(peer, { text: "быстро" }));
      await handledOf(`${peer}:быстро`);
    }
    expect(handled.filter((h) => h.startsWith("100:"))).toEqual([]);
    open();
    await handledOf("100:второе");
    expect(handled.filter((h) => h.startsWith("100:"))).toEqual(["100:медленно", "100:второе"]);
  });

  it("retries a failing update until it is handled, then the peer's next one", async () => {
    await startPoll().start();
    failures = 5;
    fake.push(fake.messageNew(200, { text: "первое" }));
    fake.push(fake.messageNew(200, { text: "второе" }));
    await handledOf("200:второе");
    expect(handled).toEqual(["200:первое", "200:второе"]);
  });
});
