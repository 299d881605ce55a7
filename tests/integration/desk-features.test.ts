import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { QueueEvents } from "bullmq";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TIMERS_QUEUE } from "../../src/desk/desk.js";
import { createMetrics } from "../../src/ops/metrics.js";
import { ANNA, deskHarnesses, type HarnessFactory, isCard, post, press } from "../helpers/desk-harness.js";
import { textEvent } from "../helpers/fake-flow.js";
import { startTestRedis, type TestRedis } from "../helpers/redis-server.js";
import { queuePrefix } from "../../src/handoff/keys.js";

/**
 * The desk's features beyond the core loop, on its parts (real Redis, in-memory supergroup): neglect
 * pings within hours and capped, the English desk, the card's history, /stats, /t, /queue and the
 * pinned overview, per-agent metrics.
 */

let redis: TestRedis;
let harness: HarnessFactory;
beforeAll(async () => {
  redis = await startTestRedis();
  harness = deskHarnesses(redis);
});
afterAll(async () => {
  await redis.stop();
});
afterEach(() => harness.closeAll());

/** Resolves after `n` more neglect checks have run (each one a completed timer job). */
async function timerRounds(h: Awaited<ReturnType<HarnessFactory>>, n: number): Promise<void> {
  const db = Number((h.client.options as { db?: number }).db ?? 0);
  const events = new QueueEvents(TIMERS_QUEUE, { connection: redis.client(db), prefix: queuePrefix("sb") });
  await events.waitUntilReady();
  try {
    for (let i = 0; i < n; i++) await new Promise((r) => events.once("completed", r));
  } finally {
    await events.close();
  }
}

describe("desk features", () => {
  it("pings a neglected handoff a few times, then escalates to «General» at most once an hour", async () => {
    const h = await harness({ desk: { neglectMs: 40, neglect: { maxPings: 2, escalationsPerHour: 1 } } });
    // Two agents are known to the desk; the escalation calls them by @username when they have one.
    await h.desk.handleUpdate({
      kind: "message",
      messageId: 1,
      text: "/queue",
      ...ANNA,
      username: "anna_support",
    });
    await h.desk.handleUpdate({
      kind: "message",
      messageId: 2,
      text: "/queue",
      agentId: "8",
      agentName: "Борис",
    });
    await h.engine.accept(textEvent("n", "u1", "handoff"));
    const card = await h.api.waitForPost(isCard(1));
    const escalated = await h.api.waitForPost((p) => p.threadId === 0 && p.text.startsWith("⏰"));
    expect(escalated.text).toMatch(
      /^⏰ 1 обращ\. ждут без ответа, самое давнее — \d+ мин\. @anna_support, Борис$/,
    );
    await timerRounds(h, 3); // three more rounds after the escalation: capped, nothing new
    const pings = h.api.posts.filter((p) => p.threadId === card.threadId && p.text.startsWith("⏰"));
    expect(pings).toHaveLength(2);
    expect(h.api.general().filter((p) => p.text.startsWith("⏰"))).toHaveLength(1);
  });

  it("does not ping outside working hours", async () => {
    const closed = {
      timeZone: "Europe/Moscow",
      isOpen: () => false,
      nextOpening: (at: number) => at + 3_600_000,
    };
    const h = await harness({ desk: { neglectMs: 40, hours: closed } });
    await h.engine.accept(textEvent("night", "u1", "handoff"));
    await h.api.waitForPost(isCard(1));
    await timerRounds(h, 1);
    expect(h.api.posts.filter((p) => p.text.startsWith("⏰"))).toHaveLength(0);
  });

  it("speaks English when the desk's locale is en, categories translated", async () => {
    const h = await harness({ desk: { locale: "en" } });
    await h.engine.accept(textEvent("en", "u1", "urgent"));
    const card = await h.api.waitForPost(isCard(1));
    expect(card.text).toContain("Category: urgent");
    expect(card.text).toContain("Priority: HIGH");
    expect(card.text).toContain("Unauthorized channel");
    expect(card.buttons?.[0]?.map((b) => b.label)).toEqual(["Take", "Close"]);
    expect([...h.api.topics.values()][0]?.name).toBe("⏳ #1 · CLI · guest · urgent");
    await press(h, "cb1", "dt:cli-en-1");
    expect(h.api.callbacks.at(-1)?.text).toBe("It's yours. Write your answer in this topic.");
  });

  it("shows earlier handoffs with their ratings on the card, and the figures in /stats and /metrics", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const h = await harness({ desk: { metrics } });
    await h.engine.accept(textEvent("h", "u1", "handoff"));
    const first = await h.api.waitForPost(isCard(1));
    await press(h, "cb1", "dt:cli-h-1");
    await post(h, first.threadId, 11, "Здравствуйте");
    await post(h, first.threadId, 12, "/close");
    await h.gateway.rate({ type: "rating", handoffId: "cli-h-1", category: "general", score: 5 });
    await h.api.waitForPost((p) => p.text === "Оценка клиента: 5 из 5.");
    await h.engine.accept(textEvent("h", "u2", "handoff"));
    const second = await h.api.waitForPost(isCard(2));
    expect(second.text).toContain(`Прошлые обращения:\n  #1 — оценка 5/5 https://t.me/c/1/${first.threadId}`);

    await h.desk.handleUpdate({ kind: "message", messageId: 20, text: "/stats", ...ANNA });
    const stats = await h.api.waitForPost((p) => p.text.startsWith("Статистика сотрудников"));
    expect(stats.text).toMatch(/\nАнна: 1 · \d+ с · (\d+ с|—) · 5\.0$/);
    const scraped = await metrics.registry.metrics();
    expect(scraped).toContain('support_agent_handoffs_handled{agent_id="7",agent="Анна"} 1');
    expect(scraped).toContain('support_agent_rating_mean{agent_id="7",agent="Анна"} 5');
  });

  it("inserts templates from the operator's file with /t, and lists the keys for an unknown one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "desk-templates-"));
    const file = join(dir, "templates.json");
    writeFileSync(file, JSON.stringify({ hello: "Здравствуйте! Чем помочь?" }));
    const h = await harness({ desk: { templatesFile: file } });
    await h.engine.accept(textEvent("tpl", "u1", "handoff"));
    const card = await h.api.waitForPost(isCard(1));
    await post(h, card.threadId, 31, "/t hello");
    while (!h.sender.sent.some((s) => s.reply.text === "Специалист: Здравствуйте! Чем помочь?"))
      await h.sender.waitFor(h.sender.sent.length + 1);
    await post(h, card.threadId, 32, "/t nope");
    const list = await h.api.waitForPost((p) => p.text.startsWith("Нет такого шаблона"));
    expect(list.text).toBe("Нет такого шаблона. Есть: details, email, hello, panel, phone, status.");
  });

  it("keeps one pinned queue overview in «General», current, and shows it on /queue", async () => {
    const h = await harness();
    await h.engine.accept(textEvent("q1", "u1", "urgent"));
    await h.engine.accept(textEvent("q2", "u2", "handoff"));
    await h.api.waitForPost(isCard(2));
    const queue = async () => {
      await h.desk.handleUpdate({ kind: "message", messageId: 40, text: "/queue", ...ANNA });
      return h.api.general().at(-1)?.text ?? "";
    };
    expect(await queue()).toMatch(
      /^📋 Очередь: ждут 2, самое давнее ожидание — \d+ мин\n🔴 #1 · CLI · срочно/,
    );
    await press(h, "cb1", "dt:cli-q1-1");
    await h.desk.idle();
    const text = await queue();
    expect(text).toContain("ждут 1");
    expect(text).toContain("В работе:\n🟢 #1 · CLI · срочно · Анна");
    expect(h.api.pinned).toHaveLength(1);
    const pinned = h.api.posts.find((p) => p.id === h.api.pinned[0]);
    expect(pinned?.threadId).toBe(0);
  });

  it("posts and pins a new overview when someone deleted the pinned one", async () => {
    const h = await harness({ start: false }); // no background passes: the overview is driven here
    await h.desk.room.overview();
    const [first] = h.api.pinned;
    h.api.posts.splice(
      h.api.posts.findIndex((p) => p.id === first),
      1,
    );
    await h.desk.room.overview(); // the edit finds nothing: a new one, pinned
    await h.desk.room.overview(); // and that one is edited from now on
    expect(h.api.pinned).toHaveLength(2);
    expect(h.api.general().map((p) => p.text)).toEqual(["📋 Очередь пуста."]);
  });

  it("/ban: the customer is told politely once, a new request opens no topic; /unban lets them back", async () => {
    const h = await harness();
    const told = () =>
      h.sender.sent.filter((s) => s.chatId === "b" && /не можем продолжить/.test(s.reply.text));
    await h.engine.accept(textEvent("b", "u1", "handoff"));
    const card = await h.api.waitForPost(isCard(1));
    await post(h, card.threadId, 51, "/ban");
    await h.api.waitForPost((p) => p.text.startsWith("Клиент заблокирован"));
    expect(told()).toHaveLength(1);
    expect(card.buttons).toBeUndefined();
    // Asks again: the handoff is ended before it gets a topic; told once more (a new handoff).
    await h.engine.accept(textEvent("b", "u2", "handoff"));
    while (told().length < 2) await h.sender.waitFor(h.sender.sent.length + 1);
    expect(h.api.topics.size).toBe(1);
    expect((await h.records.read("cli-b-2"))?.cancelledAt).toBeDefined();
    await post(h, card.threadId, 52, "/unban");
    await h.api.waitForPost((p) => p.text === "Клиент разблокирован.");
    await h.engine.accept(textEvent("b", "u3", "handoff"));
    await h.api.waitForPost(isCard(2));
    expect(told()).toHaveLength(2);
  });
});
