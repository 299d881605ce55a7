import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DeliveryError } from "../../src/channel.js";
import { Desk } from "../../src/desk/desk.js";
import type { QueueStatus } from "../../flows/types.js";
import {
  ANNA,
  BORIS,
  deskHarnesses,
  type HarnessFactory,
  isCard,
  post,
  press,
  seen,
} from "../helpers/desk-harness.js";
import { textEvent } from "../helpers/fake-flow.js";
import { gate } from "../helpers/gate.js";
import { startTestRedis, type TestRedis } from "../helpers/redis-server.js";

/**
 * The desk's parts over a real Redis and an in-memory supergroup (FakeDeskApi), with the recording
 * flow: no Telegram, no VK, no service. The e2e tests drive the same desk through the real clients.
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

describe("the agent desk", () => {
  it("opens one topic with a card per handoff, urgent ones first, named with state and category", async () => {
    const h = await harness({ start: false });
    await h.engine.accept(textEvent("normal", "u1", "handoff"));
    await h.engine.accept(textEvent("vip", "u2", "urgent"));
    await h.desk.start();
    await h.api.waitForPost(isCard(2));
    const names = [...h.api.topics.values()].map((t) => t.name);
    expect(names).toEqual(["⏳ #1 · CLI · гость · срочно", "⏳ #2 · CLI · гость · просит специалиста"]);
    const card = h.api.posts.find(isCard(1));
    expect(card?.text).toContain("Канал не авторизован");
    expect(card?.text).toContain("ВЫСОКИЙ");
    expect(card?.buttons?.[0]?.map((b) => b.label)).toEqual(["Взять", "Закрыть"]);
  });

  it("takes, relays both ways, keeps notes internal, reports failed delivery, and closes", async () => {
    const h = await harness();
    await h.engine.accept(textEvent("c1", "u1", "handoff"));
    const card = await h.api.waitForPost(isCard(1));
    const thread = card.threadId;
    const handoffId = "cli-c1-1";

    // [Взять]: answered at once; then the card and the name show the owner, the customer hears of it.
    await press(h, "cb1", `dt:${handoffId}`);
    expect(h.api.callbacks).toEqual([{ id: "cb1", text: "Обращение ваше. Пишите ответ в этой теме." }]);
    await h.desk.idle();
    expect(card.text).toContain("Ведёт: Анна");
    expect(card.buttons?.flat().map((b) => b.label)).toEqual(["Закрыть", "Передать", "Вернуть в очередь"]);
    expect(h.api.topics.get(thread)?.name).toBe("🟢 #1 · CLI · гость · просит специалиста · Анна");
    // Another agent who happens to have the same name is still another agent.
    await press(h, "cb2", `dt:${handoffId}`, { agentId: "9", agentName: "Анна" });
    expect(h.api.callbacks.at(-1)).toEqual({ id: "cb2", text: "Обращение уже у сотрудника Анна." });
    expect(await h.records.waitingCount()).toBe(0);
    expect(await seen(h, "cli-c1")).toEqual(["handoff", "system"]);

    // The customer's message reaches the topic.
    await h.gateway.relay({ type: "relay_to_agent", handoffId, text: "сайт всё ещё лежит" }, "u2");
    await h.api.waitForPost((p) => p.text === "Клиент: сайт всё ещё лежит");

    // A note stays in the desk; a reply goes to the customer.
    const before = h.sender.sent.length;
    await post(h, thread, 501, "// проверить DNS");
    await post(h, thread, 502, "Проверяем, минуту");
    await h.sender.waitFor(before + 1);
    expect(h.sender.sent.slice(before).map((s) => s.reply.text)).toEqual(["Специалист: Проверяем, минуту"]);

    // The customer blocked the bot: the agent is told in the topic, and the conversation knows.
    h.sender.failNext.push(new DeliveryError("console", "c1", "blocked", 403));
    await post(h, thread, 503, "Вы здесь?");
    await h.api.waitForPost((p) => p.threadId === thread && p.text.includes("заблокировал"));
    expect(await h.client.hget(h.store.keys("cli-c1")[0], "u")).toContain("blocked");

    // /close: the topic closes, the card loses its buttons, the conversation gets the signal.
    await post(h, thread, 504, "/close");
    await h.desk.idle();
    expect(h.api.topics.get(thread)?.closed).toBe(true);
    expect(h.api.topics.get(thread)?.name).toBe("✅ #1 · CLI · гость · просит специалиста");
    expect(card.buttons).toBeUndefined();
    expect(card.text).toContain("✅ Закрыто");
    expect(await seen(h, "cli-c1")).toEqual(["handoff", "system", "system"]);
    expect((await h.records.read(handoffId))?.firstReplyAt).toBeDefined();
    // The customer leaves after the close (/start while asked to rate): no «left» notice for the desk.
    await h.gateway.cancel(handoffId);
    expect(await h.gateway.inbox.getJob(`cancel-${handoffId}`)).toBeUndefined();
    expect((await h.records.read(handoffId))?.cancelledAt).toBeUndefined();
  });

  it("never leaves a stale position on screen when the queue moves during a refresh", async () => {
    const h = await harness({ start: false });
    await h.engine.accept(textEvent("x", "u1", "handoff"));
    await h.engine.accept(textEvent("y", "u2", "handoff"));
    // The first edit of y's queue message hangs in the network while the queue moves under it.
    const atSend = gate();
    const network = gate();
    const send = h.sender.send.bind(h.sender);
    let held = false;
    h.sender.send = async (chatId, reply, options) => {
      if (chatId === "y" && options.editMessageId !== undefined && !held) {
        held = true;
        atSend.open();
        await network.promise;
      }
      return send(chatId, reply, options);
    };
    // y was shown position 2 when queued; a lost record of that makes the pass send it once more.
    await h.records.setShownPosition("cli-y-1", 99);
    await h.desk.room.changed();
    const refreshing = h.desk.room.refreshNow(); // computes y: position 2, then hangs sending it
    await atSend.promise;
    await h.desk.actions.take("cli-x-1", ANNA); // y is first now
    await h.desk.room.changed();
    network.open();
    await refreshing;
    const shown = h.sender.sent.filter((s) => s.chatId === "y").map((s) => s.reply.text);
    expect(shown.at(-1)).toBe("position 1");
  });

  it("does not send the first position again unchanged", async () => {
    const h = await harness({ start: false });
    await h.engine.accept(textEvent("x", "u1", "handoff"));
    await h.engine.accept(textEvent("y", "u2", "handoff"));
    await h.desk.room.changed();
    await h.desk.room.refreshNow();
    expect(h.sender.sent.filter((s) => s.reply.text.startsWith("position")).map((s) => s.reply.text)).toEqual(
      ["position 1", "position 2"],
    );
  });

  it("re-renders a guest's place in the queue as a guest's, so the text sends them to no panel", async () => {
    const rendered: QueueStatus[] = [];
    const h = await harness({
      start: false,
      desk: {
        flow: {
          renderQueueStatus: (_locale, status) => {
            rendered.push(status);
            return { text: `position ${status.position}` };
          },
        },
      },
    });
    // The recording flow's handoffs are a guest's (no login), as the real flow's are after «Нет аккаунта».
    await h.engine.accept(textEvent("g0", "u0", "handoff"));
    await h.engine.accept(textEvent("g1", "u1", "handoff"));
    await h.engine.accept(textEvent("g2", "u2", "handoff"));
    await h.desk.actions.take("cli-g0-1", ANNA); // the queue moves: the desk re-renders the others
    await h.desk.room.changed();
    await h.desk.room.refreshNow();
    expect(rendered.filter((s) => !s.taken).map((s) => [s.position, s.guest])).toEqual([
      [1, true],
      [2, true],
    ]);
  });

  it("does not open a second topic when a worker dies mid-job", async () => {
    const first = await harness({ start: false });
    // The first worker's card post never returns: it is "killed" while waiting for Telegram.
    first.api.holdCards = new Promise(() => undefined);
    await first.desk.start();
    await first.engine.accept(textEvent("k", "u1", "handoff"));
    // Wait until the topic exists, then "crash" while the card is being posted.
    while (first.api.topics.size === 0) await new Promise((r) => setTimeout(r, 20));
    await first.desk.stop({ force: true });
    first.api.holdCards = undefined;

    // A new desk process shares the same Redis and Telegram group (the same fake API here).
    const second = new Desk(first.options);
    await second.start();
    harness.track({ ...first, desk: second });
    await first.api.waitForPost(isCard(1));
    expect(first.api.topics.size).toBe(1);
    expect(first.api.posts.filter(isCard(1))).toHaveLength(1);
    expect((await first.records.read("cli-k-1"))?.topic).toBe([...first.api.topics.keys()][0]);
  });

  it("adopts the topic a crashed worker created (by its forum_topic_created) instead of making a second", async () => {
    const first = await harness({ start: false });
    // createForumTopic succeeds at Telegram, but the worker dies before it hears the answer.
    const createTopic = first.api.createTopic.bind(first.api);
    let created: (id: number) => void = () => undefined;
    const madeIt = new Promise<number>((r) => {
      created = r;
    });
    first.api.createTopic = async (name) => {
      created(await createTopic(name));
      return new Promise<number>(() => undefined);
    };
    await first.desk.start();
    await first.engine.accept(textEvent("a", "u1", "handoff"));
    const thread = await madeIt;
    await first.desk.stop({ force: true });
    first.api.createTopic = createTopic;

    // The service message of that topic arrives; the next process adopts it.
    const second = new Desk(first.options);
    harness.track({ ...first, desk: second });
    await second.handleUpdate({
      kind: "topic_created",
      threadId: thread,
      name: first.api.topics.get(thread)?.name ?? "",
    });
    await second.start();
    const card = await first.api.waitForPost(isCard(1));
    expect(card.threadId).toBe(thread);
    expect(first.api.topics.size).toBe(1);
  });

  it("lets a closed handoff's record expire, so the conversation asking again gets a new topic", async () => {
    const h = await harness({ retentionMs: 300 });
    await h.engine.accept(textEvent("e", "u1", "handoff"));
    const first = await h.api.waitForPost(isCard(1));
    await post(h, first.threadId, 601, "/close");
    await h.desk.idle();
    const meta = h.records.keys.meta("cli-e-1");
    expect(await h.client.pttl(meta)).toBeGreaterThan(0);
    expect(await h.client.pttl(h.records.keys.topic(first.threadId))).toBeGreaterThan(0);
    while ((await h.client.exists(meta)) === 1) await new Promise((r) => setTimeout(r, 50));
    // 30 idle days later: the conversation expired (its handoff counter with it) and BullMQ dropped
    // the completed job (kept 7 days), so the same handoff id comes again.
    await h.client.del(...h.store.keys("cli-e"));
    await h.gateway.queue.remove("cli-e-1");
    await h.engine.accept(textEvent("e", "u2", "handoff"));
    const second = await h.api.waitForPost(isCard(2));
    expect(second.threadId).not.toBe(first.threadId);
    expect(second.buttons?.[0]?.map((b) => b.label)).toEqual(["Взять", "Закрыть"]);
  });

  it("keeps another agent's post in a claimed topic a note, tells its author, and lets them /take it over", async () => {
    const h = await harness();
    await h.engine.accept(textEvent("o", "u1", "handoff"));
    const card = await h.api.waitForPost(isCard(1));
    await press(h, "cb1", "dt:cli-o-1");
    await h.desk.idle();
    const before = h.sender.sent.length;
    await post(h, card.threadId, 701, "Я отвечу вместо Анны", BORIS);
    await h.api.waitForPost((p) => p.text.startsWith("Борис: Это обращение у сотрудника Анна"));
    await post(h, card.threadId, 702, "Здравствуйте!");
    while (!h.sender.sent.some((s) => s.reply.text.endsWith("Здравствуйте!")))
      await h.sender.waitFor(h.sender.sent.length + 1);
    const replies = h.sender.sent.slice(before).filter((s) => !s.reply.text.startsWith("position"));
    expect(replies.map((s) => s.reply.text)).toEqual(["Специалист: Здравствуйте!"]);
    // Unless they take it over: /take, and the customer's conversation hears of the new agent.
    await post(h, card.threadId, 703, "/take", BORIS);
    await h.api.waitForPost((p) => p.text === "Обращение перешло к сотруднику Борис (было у Анна).");
    await h.desk.idle();
    expect((await h.records.read("cli-o-1"))?.agentId).toBe("8");
    expect(await seen(h, "cli-o")).toEqual(["handoff", "system", "system"]);
    await post(h, card.threadId, 704, "Теперь отвечаю я", BORIS);
    while (!h.sender.sent.some((s) => s.reply.text === "Специалист: Теперь отвечаю я"))
      await h.sender.waitFor(h.sender.sent.length + 1);
  });

  it("transfers a handoff to a colleague, and puts one back in the queue", async () => {
    const h = await harness();
    await h.engine.accept(textEvent("t", "u1", "handoff"));
    const card = await h.api.waitForPost(isCard(1));
    await h.desk.handleUpdate({ kind: "message", threadId: 999, messageId: 1, text: "hi", ...BORIS }); // not a handoff topic
    await post(h, card.threadId, 800, "// Борис тоже на смене", BORIS); // the desk knows Boris now
    await press(h, "cb1", "dt:cli-t-1");
    await press(h, "cb2", "dx:cli-t-1", BORIS);
    expect(h.api.callbacks.at(-1)?.text).toBe("Это может сделать только тот, у кого обращение.");
    await press(h, "cb3", "dx:cli-t-1");
    const pick = await h.api.waitForPost((p) => p.text === "Кому передать обращение?");
    expect(pick.buttons?.flat().map((b) => b.label)).toEqual(["Борис"]);
    await press(h, "cb4", pick.buttons?.[0]?.[0]?.payload ?? "");
    await h.desk.idle();
    expect(h.api.topics.get(card.threadId)?.name).toContain("· Борис");
    expect((await h.records.read("cli-t-1"))?.agentId).toBe("8");
    // Boris puts it back: it waits again, first in line, and anyone may take it.
    await press(h, "cb5", "dr:cli-t-1", BORIS);
    await h.desk.idle();
    expect(await h.records.waitingIds(5)).toEqual(["cli-t-1"]);
    expect(card.buttons?.[0]?.map((b) => b.label)).toEqual(["Взять", "Закрыть"]);
    await press(h, "cb6", "dt:cli-t-1");
    expect(h.api.callbacks.at(-1)?.text).toBe("Обращение ваше. Пишите ответ в этой теме.");
  });

  it("does not make an action on one handoff wait for another's slow Bot API call", async () => {
    const h = await harness();
    await h.engine.accept(textEvent("a", "u1", "handoff"));
    await h.engine.accept(textEvent("b", "u2", "handoff"));
    const cardA = await h.api.waitForPost(isCard(1));
    const cardB = await h.api.waitForPost(isCard(2));
    // Editing A's card hangs (Telegram slow for that call) until released.
    const slowEdit = gate();
    const edit = h.api.edit.bind(h.api);
    h.api.edit = async (id, text, buttons) => {
      if (id === cardA.id) await slowEdit.promise;
      return edit(id, text, buttons);
    };
    await press(h, "a1", "dt:cli-a-1"); // answered; A's card edit hangs
    await press(h, "b1", "dt:cli-b-1", { agentId: "8", agentName: "Борис" });
    await post(h, cardB.threadId, 900, "Здравствуйте!", { agentId: "8", agentName: "Борис" });
    while (!h.sender.sent.some((s) => s.reply.text === "Специалист: Здравствуйте!"))
      await h.sender.waitFor(h.sender.sent.length + 1);
    expect(cardB.text).toContain("Ведёт: Борис");
    expect(cardA.text).not.toContain("Ведёт");
    slowEdit.open();
    await h.desk.idle();
    expect(cardA.text).toContain("Ведёт: Анна");
  });

  it("delivers to one customer while another's delivery hangs, each customer's replies in order", async () => {
    const h = await harness();
    await h.engine.accept(textEvent("slow", "u1", "handoff"));
    await h.engine.accept(textEvent("fast", "u2", "handoff"));
    const slow = await h.api.waitForPost(isCard(1));
    const fast = await h.api.waitForPost(isCard(2));
    const slowChat = gate();
    const send = h.sender.send.bind(h.sender);
    h.sender.send = async (chatId, reply, options) => {
      if (chatId === "slow" && reply.text.startsWith("Специалист:")) await slowChat.promise;
      return send(chatId, reply, options);
    };
    await post(h, slow.threadId, 1001, "первый");
    await post(h, slow.threadId, 1002, "второй");
    await post(h, fast.threadId, 1003, "Здравствуйте!", BORIS);
    while (!h.sender.sent.some((s) => s.chatId === "fast" && s.reply.text === "Специалист: Здравствуйте!"))
      await h.sender.waitFor(h.sender.sent.length + 1);
    expect(h.sender.sent.some((s) => s.chatId === "slow" && s.reply.text.startsWith("Специалист:"))).toBe(
      false,
    );
    slowChat.open();
    while (
      h.sender.sent.filter((s) => s.chatId === "slow" && s.reply.text.startsWith("Специалист:")).length < 2
    )
      await h.sender.waitFor(h.sender.sent.length + 1);
    const slowReplies = h.sender.sent.filter(
      (s) => s.chatId === "slow" && s.reply.text.startsWith("Специалист:"),
    );
    expect(slowReplies.map((s) => s.reply.text)).toEqual(["Специалист: первый", "Специалист: второй"]);
  });
});
