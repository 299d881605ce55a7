import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Core, createCore } from "../../src/app/core.js";
import type { InboundEvent } from "../../flows/model.js";
import { RecordingSender } from "../helpers/fake-flow.js";
import { startTestRedis, type TestRedis } from "../helpers/redis-server.js";

let redis: TestRedis;
let core: Core;
let sender: RecordingSender;
let clock = Date.UTC(2026, 10, 24, 10, 0);
const IDLE_MS = 30 * 60_000;

beforeAll(async () => {
  redis = await startTestRedis();
  core = await createCore({
    redisUrl: redis.url,
    idleMs: IDLE_MS,
    now: () => clock,
    floodLimit: { count: 0, windowMs: 1000 },
  });
  sender = new RecordingSender("console");
  core.registerSender(sender);
});
afterAll(async () => {
  await core.close();
  await redis.stop();
});

let seq = 0;
function say(chat: string, text: string): InboundEvent {
  return {
    channel: "console",
    conversationKey: `cli-${chat}`,
    chatId: chat,
    userId: chat,
    kind: "text",
    text,
    updateId: `u${++seq}`,
    at: clock,
  };
}

/** The replies sent for one event. */
async function repliesTo(event: InboundEvent): Promise<string[]> {
  const before = sender.sent.length;
  await core.sink.accept(event);
  return sender.sent.slice(before).map((s) => s.reply.text);
}

describe("the core with the real support flow on Redis", () => {
  it("loads state of an older shape without a crash and carries on", async () => {
    const key = core.store.keys("cli-old")[0];
    // A state written by an earlier deploy: no version field, other names.
    await redis
      .client()
      .hset(key, "s", JSON.stringify({ stage: "ask_login", lang: "ru", history: ["hi"] }), "v", "7");
    const replies = await repliesTo(say("old", "Здравствуйте"));
    expect(replies.join("\n")).toMatch(/логин/i);
    const state = JSON.parse((await redis.client().hget(key, "s")) ?? "{}") as { v: number; step: string };
    expect(state.v).toBe(1);
    expect(state.step).toBe("login");
  });

  it("starts an idle conversation over with a greeting, and still answers what was asked", async () => {
    await repliesTo(say("idle", "Здравствуйте"));
    const asked = await repliesTo(say("idle", "ivanov"));
    expect(asked.join("\n")).toMatch(/Опишите ситуацию/);
    clock += IDLE_MS + 60_000;
    const again = await repliesTo(say("idle", "Куда придёт ответ на заявку?"));
    expect(again.join("\n")).toMatch(/Здравствуйте/);
    expect(again.join("\n")).toMatch(/Поддержка/); // the answer: the «Support» section of the panel
  });

  /** The script calls (round trips) one message causes, seen through MONITOR. */
  async function roundTrips(handle: () => Promise<unknown>): Promise<number> {
    const marker = redis.client();
    await marker.ping();
    const monitor = await redis.client().monitor();
    const commands: string[] = [];
    // Commands run inside a script are reported with source "lua": they are not round trips.
    monitor.on("monitor", (_time: string, args: string[], source: string) => {
      if (!source.startsWith("lua")) commands.push(String(args[0]).toLowerCase());
    });
    await handle();
    // The ack is sent at the end of the turn (or rides on the next step): count it with its message.
    await core.engine.idle();
    // MONITOR is asynchronous: a PING through it marks the end of what the message caused.
    await marker.ping("end-of-message");
    await new Promise<void>((resolve) => {
      const check = () => (commands.includes("ping") ? resolve() : setImmediate(check));
      check();
    });
    monitor.disconnect();
    const caused = commands.slice(0, commands.indexOf("ping"));
    expect(caused.filter((c) => c !== "evalsha" && c !== "eval")).toEqual([]);
    return caused.length;
  }

  it("uses two Redis round trips for an ordinary message of a conversation it knows, three otherwise", async () => {
    // New to this process: begin, commit, ack.
    expect(await roundTrips(() => repliesTo(say("rt", "Здравствуйте")))).toBe(3);
    // Known (it saved the state last): step, ack.
    expect(await roundTrips(() => repliesTo(say("rt", "ivanov")))).toBe(2);
    expect(await roundTrips(() => repliesTo(say("rt", "Сколько обрабатывается заявка?")))).toBe(2);

    // A customer who writes again as soon as the answer came: the next step carries the ack of the
    // one before, so two messages cost three round trips, not four.
    expect(
      await roundTrips(async () => {
        await repliesTo(say("rt", "Как написать в поддержку?"));
        await repliesTo(say("rt", "Где смотреть ответы на заявки?"));
      }),
    ).toBe(3);

    // Another instance handles the next message: this one's knowledge is stale, and the version check
    // sends it the long way (step refused, then begin, commit, ack), with the other's step kept.
    const other = await createCore({ redisUrl: redis.url, idleMs: IDLE_MS, now: () => clock });
    const otherSender = new RecordingSender("console");
    other.registerSender(otherSender);
    try {
      await other.sink.accept(say("rt", "Да"));
      expect(otherSender.sent.length).toBeGreaterThan(0);
      expect(await roundTrips(() => repliesTo(say("rt", "Куда придёт ответ?")))).toBe(4);
      const state = JSON.parse((await redis.client().hget(core.store.keys("cli-rt")[0], "s")) ?? "{}") as {
        transcript: { from: string; text: string }[];
      };
      expect(state.transcript.filter((l) => l.from === "customer").map((l) => l.text)).toEqual([
        "Здравствуйте",
        "ivanov",
        "Сколько обрабатывается заявка?",
        "Как написать в поддержку?",
        "Где смотреть ответы на заявки?",
        "Да",
        "Куда придёт ответ?",
      ]);
    } finally {
      await other.close();
    }
  });
});
