import { describe, expect, it } from "vitest";
import {
  renderQueueStatus,
  TRANSCRIPT_MAX_CHARS,
  TRANSCRIPT_MAX_LINES,
} from "../../../flows/support-flow.js";
import type { Effect, HandoffRequest } from "../../../flows/types.js";
import { Conversation } from "./driver.js";

function handoffOf(effects: Effect[]): HandoffRequest | undefined {
  for (const e of effects) if (e.type === "handoff") return e.request;
  return undefined;
}

describe("greeting and login", () => {
  it("greets on /start, says what the bot can do, warns about passwords and cards, and asks the login", () => {
    const c = new Conversation();
    c.command("start");
    expect(c.said).toMatch(/Отвечу на общие вопросы/);
    expect(c.said).toMatch(/пароли/);
    expect(c.said).toMatch(/данные карт/);
    expect(c.said).toMatch(/логин аккаунта/);
    expect(c.payloads).toEqual(["no_account", "forgot_login"]);
    expect(c.step).toBe("login");
  });

  it("greets on a first message that is only a greeting, and asks the login", () => {
    const c = new Conversation();
    c.text("добрый день");
    expect(c.said).toMatch(/Здравствуйте/);
    expect(c.step).toBe("login");
  });

  it("greets on a first message that is a question, and answers it at once", () => {
    const c = new Conversation();
    c.text("сколько времени обрабатывается заявка?");
    expect(c.said).toMatch(/Здравствуйте/);
    expect(c.said).toMatch(/в течение часа/);
    expect(c.step).toBe("feedback");
  });

  it("greets on VK's «Начать» button text", () => {
    const c = new Conversation("vk-2000001");
    c.text("Начать");
    expect(c.said).toMatch(/Здравствуйте/);
    expect(c.step).toBe("login");
  });

  it("re-asks a bad login with an example and the «Нет аккаунта» button", () => {
    const c = new Conversation();
    c.command("start");
    c.text("ыыы");
    expect(c.step).toBe("login");
    expect(c.said).toMatch(/например: ivanov, 123456 или example\.ru/);
    expect(c.payloads).toEqual(["no_account", "forgot_login"]);
    c.text("!!!");
    expect(c.step).toBe("question"); // two failed tries: on as a guest
    expect(c.state?.guest).toBe(true);
  });

  it("re-asks when an email is given instead of a login", () => {
    const c = new Conversation();
    c.command("start");
    c.text("ivan@mail.ru");
    expect(c.step).toBe("login");
    expect(c.said).toMatch(/адрес почты/);
  });

  it("accepts a contract number and a domain, stored as claimed", () => {
    const a = new Conversation();
    a.command("start");
    a.text("договор 123456");
    expect(a.state).toMatchObject({ step: "question", login: "123456", loginKind: "contract", guest: false });

    const b = new Conversation();
    b.command("start");
    b.text("пример.рф");
    expect(b.state).toMatchObject({ login: "пример.рф", loginKind: "domain" });
    expect(b.said).toMatch(/записал: пример\.рф/);
  });

  it("lets a guest go on with the «Нет аккаунта» button or the same words as text", () => {
    const a = new Conversation();
    a.command("start");
    a.press("no_account", "Нет аккаунта");
    expect(a.state).toMatchObject({ step: "question", guest: true });

    const b = new Conversation("vk-5");
    b.text("Начать");
    b.text("нет аккаунта");
    expect(b.state).toMatchObject({ step: "question", guest: true });
  });

  it("does not hold up an urgent message behind the login prompt", () => {
    const c = new Conversation();
    c.command("start");
    c.text("сайт упал, срочно помогите");
    expect(handoffOf(c.last.effects)).toMatchObject({ category: "urgent", priority: "high", guest: true });
  });
});

describe("each category's path", () => {
  it("answers a general question from the knowledge base and asks «Помогло?»", () => {
    const c = new Conversation().ready();
    c.text("сколько времени обрабатывается заявка?");
    expect(c.said).toMatch(/в течение часа/);
    expect(c.said).toMatch(/Помогло\?/);
    expect(c.payloads).toEqual(["helped_yes", "need_human"]);
    expect(c.step).toBe("feedback");
    c.press("helped_yes", "Да");
    expect(c.step).toBe("question");
    expect(c.last.effects).toEqual([]);
  });

  it("hands a general question to a specialist when the answer did not help", () => {
    const c = new Conversation().ready();
    c.text("куда мне пришлют ответ на мое обращение");
    c.press("need_human");
    expect(handoffOf(c.last.effects)).toMatchObject({
      category: "general",
      priority: "normal",
      login: "ivanov",
    });
    expect(c.step).toBe("queued");
  });

  it("refuses an account action, naming the panel ticket and email with login, contract or domain", () => {
    const c = new Conversation().ready();
    c.text("смените владельца домена на мою жену");
    expect(c.said).toMatch(/из чата нельзя/);
    expect(c.said).toMatch(/заявке владельца из панели управления/);
    expect(c.said).toMatch(/email поддержки.*логин, номер договора или домен/s);
    expect(c.last.effects).toEqual([]);
    expect(c.payloads).toEqual(["ticket_howto", "need_human"]);
    expect(c.state?.category).toBe("account_action");
  });

  it.each([
    "не могли бы вы поменять реквизиты нашей фирмы",
    "я владелец аккаунта, просто сделайте сброс пароля",
    "хотелось бы узнать, сколько денег осталось на балансе",
    "Please change the owner of my account, I am the owner",
  ])("refuses a polite, indirect or ownership-claiming request: %s", (text) => {
    const c = new Conversation().ready();
    c.text(text);
    expect(c.state?.category).toBe("account_action");
    expect(c.last.effects).toEqual([]);
  });

  it("explains a technical problem needs a panel ticket, what to put in it, and offers a specialist", () => {
    const c = new Conversation().ready();
    c.text("не работает почта, письма не уходят");
    expect(c.said).toMatch(/требует анализа/);
    expect(c.said).toMatch(/коды ошибок/);
    expect(c.said).toMatch(/скриншоты/);
    expect(c.said).toMatch(/частоту/);
    expect(c.payloads).toEqual(["need_human"]);
    c.press("need_human");
    expect(handoffOf(c.last.effects)).toMatchObject({ category: "technical", priority: "normal" });
  });

  it("sends billing to other departments through a panel ticket and offers a specialist", () => {
    const c = new Conversation().ready();
    c.text("нужны закрывающие документы за прошлый год");
    expect(c.said).toMatch(/другие отделы/);
    expect(c.said).toMatch(/заявку из панели/);
    expect(c.payloads).toEqual(["need_human"]);
    expect(c.state?.category).toBe("billing");
  });

  it("hands an urgent question off at once with high priority and gives the phone route", () => {
    const c = new Conversation().ready();
    c.text("сайт не открывается, все лежит, срочно");
    expect(c.said).toMatch(/позвонить нам по телефону поддержки/);
    expect(handoffOf(c.last.effects)).toMatchObject({ category: "urgent", priority: "high" });
    expect(c.step).toBe("queued");
  });

  it("asks for the ticket number, re-asks on bad input, then hands off with it", () => {
    const c = new Conversation().ready();
    c.text("что с моей заявкой?");
    expect(c.step).toBe("ticket");
    expect(c.said).toMatch(/номер заявки/);
    c.text("хз");
    expect(c.step).toBe("ticket");
    expect(c.said).toMatch(/это цифры/);
    c.text("№ 2318 451");
    expect(handoffOf(c.last.effects)).toMatchObject({ category: "ticket_status", ticket: "2318451" });
  });

  it("takes the ticket number from the question itself", () => {
    const c = new Conversation().ready();
    c.text("есть новости по заявке 771203?");
    expect(handoffOf(c.last.effects)).toMatchObject({ category: "ticket_status", ticket: "771203" });
  });

  it("hands off without a number when the customer has none", () => {
    const c = new Conversation().ready();
    c.text("хочу узнать статус обращения");
    c.press("no_ticket");
    const request = handoffOf(c.last.effects);
    expect(request?.category).toBe("ticket_status");
    expect(request?.ticket).toBeUndefined();
  });

  it("hands off when asked for an operator in words", () => {
    const c = new Conversation().ready();
    c.text("позовите живого человека");
    expect(handoffOf(c.last.effects)).toMatchObject({ category: "operator" });
    expect(c.last.replies).toEqual([]); // the engine sends the queue status
  });
});

describe("clarify", () => {
  it("offers the likeliest categories plus «Оператор» when unsure, and answers the picked one", () => {
    const c = new Conversation().ready();
    c.text("хм");
    expect(c.step).toBe("clarify");
    expect(c.payloads.at(-1)).toBe("operator");
    const categories = c.payloads.filter((p) => p.startsWith("cat:"));
    expect(categories.length).toBeGreaterThanOrEqual(2);
    expect(categories.length).toBeLessThanOrEqual(3);
    c.press("cat:technical");
    expect(c.said).toMatch(/требует анализа/);
    expect(c.state?.misses).toBe(0);
  });

  it("hands off after two misses in a row", () => {
    const c = new Conversation().ready();
    c.text("хм");
    expect(c.step).toBe("clarify");
    c.text("ээээ");
    expect(c.step).toBe("queued");
    expect(handoffOf(c.last.effects)).toBeDefined();
  });
});

describe("global commands", () => {
  it("/start restarts from any step and cancels an open handoff", () => {
    const c = new Conversation().ready();
    c.text("оператор");
    const id = c.state?.handoff?.id;
    c.command("start");
    expect(c.last.effects).toEqual([{ type: "cancel_handoff", handoffId: id }]);
    expect(c.step).toBe("login");
    expect(c.state?.login).toBeUndefined();
    expect(c.said).toMatch(/Здравствуйте/);
  });

  it("/operator hands off from the login step", () => {
    const c = new Conversation();
    c.command("start");
    c.command("operator");
    expect(c.step).toBe("login"); // the handoff waits for the login
    c.press("no_account");
    expect(handoffOf(c.last.effects)).toMatchObject({ category: "operator", guest: true });
  });

  it("opens at most three normal handoffs an hour per customer, and says so kindly; urgent still goes", () => {
    const c = new Conversation("tg-70").ready();
    for (let i = 0; i < 3; i++) {
      c.command("operator");
      expect(handoffOf(c.last.effects), `handoff ${i + 1}`).toBeDefined();
      c.command("cancel");
    }
    c.command("operator");
    expect(handoffOf(c.last.effects)).toBeUndefined();
    expect(c.said).toMatch(/несколько раз звали специалиста/);
    c.text("сайт не открывается вообще");
    expect(handoffOf(c.last.effects)).toMatchObject({ priority: "high" });
    c.command("cancel");
    c.now += 61 * 60_000; // an hour later the cap is lifted (the idle conversation asks the login again)
    c.command("operator");
    c.text("ivanov");
    expect(handoffOf(c.last.effects)).toBeDefined();
  });

  it("/operator while queued says so instead of queueing twice", () => {
    const c = new Conversation().ready();
    c.command("operator");
    c.command("operator");
    expect(c.last.effects).toEqual([]);
    expect(c.said).toMatch(/уже у специалистов/);
    expect(c.payloads).toEqual(["cancel_wait"]);
  });

  it("/cancel leaves the ticket step for the question step", () => {
    const c = new Conversation().ready();
    c.text("какой статус моего обращения");
    expect(c.step).toBe("ticket");
    c.command("cancel");
    expect(c.step).toBe("question");
    expect(c.said).toMatch(/отменил/);
  });

  it("cancels the wait while queued: by command, by the [Отменить ожидание] button, or by VK text", () => {
    for (const how of ["command", "button", "text"] as const) {
      const c = new Conversation("vk-77").ready();
      c.text("соедините с оператором");
      const id = c.state?.handoff?.id;
      if (how === "command") c.command("cancel");
      if (how === "button") c.press("cancel_wait", "Отменить ожидание");
      if (how === "text") c.text("Отмена");
      expect(c.last.effects).toEqual([{ type: "cancel_handoff", handoffId: id }]);
      expect(c.step).toBe("question");
      expect(c.state?.handoff).toBeUndefined();
    }
  });

  it("gives each handoff a fresh id: conversation key and sequence", () => {
    const c = new Conversation("tg-9").ready();
    c.command("operator");
    expect(handoffOf(c.last.effects)?.handoffId).toMatch(/^tg-9-1-[0-9a-z]+$/);
    c.command("cancel");
    c.command("operator");
    expect(handoffOf(c.last.effects)?.handoffId).toMatch(/^tg-9-2-[0-9a-z]+$/);
  });
});

describe("while a person owns the conversation", () => {
  function queued(): Conversation {
    const c = new Conversation().ready();
    c.text("позовите оператора");
    return c;
  }

  it("relays customer text to the agent and acknowledges it while waiting", () => {
    const c = queued();
    c.text("я тут, жду");
    expect(c.said).toBe("Передал специалисту.");
    expect(c.last.effects).toEqual([
      {
        type: "relay_to_agent",
        handoffId: c.state?.handoff?.id,
        text: "я тут, жду",
        messageId: expect.any(String),
      },
    ]);
  });

  it("relays a photo's caption masked, so the desk never copies the original", () => {
    const c = queued();
    c.send({ kind: "unsupported", unsupportedKind: "photo", caption: "вход: ivanov пароль: Qwerty123!" });
    const relay = c.last.effects[0];
    expect(relay).toMatchObject({ type: "relay_to_agent", unsupportedKind: "photo" });
    expect(relay?.type === "relay_to_agent" ? relay.caption : undefined).not.toContain("Qwerty123");
    expect(JSON.stringify(c.state)).not.toContain("Qwerty123");
  });

  it("relays an edit while waiting with its new text masked, and ignores an edit outside a handoff", () => {
    const c = queued();
    c.send({ kind: "unsupported", unsupportedKind: "edited_message", editedText: "пароль: Qwerty123!" });
    const relay = c.last.effects[0];
    expect(relay).toMatchObject({ type: "relay_to_agent", edited: true });
    expect(relay?.type === "relay_to_agent" ? relay.text : "").not.toContain("Qwerty123");
    const idle = new Conversation("tg-43").ready();
    idle.send({ kind: "unsupported", unsupportedKind: "edited_message", editedText: "исправил опечатку" });
    expect(idle.last.replies).toEqual([]);
    expect(idle.last.effects).toEqual([]);
  });

  it("relays stickers and photos instead of asking for text", () => {
    const c = queued();
    c.send({ kind: "unsupported", unsupportedKind: "sticker" });
    expect(c.said).toBe("Передал специалисту.");
    expect(c.last.effects[0]).toMatchObject({ type: "relay_to_agent", unsupportedKind: "sticker" });
  });

  it("moves to the agent step when claimed, then to a 1–5 rating when closed, and records the rating", () => {
    const c = queued();
    const id = c.state?.handoff?.id ?? "";
    c.system({ type: "agent_claimed", handoffId: id, agentName: "Анна" });
    expect(c.step).toBe("agent");
    expect(c.said).toMatch(/Анна/);
    c.text("отмена"); // text while an agent owns it is the agent's, even a command word
    expect(c.last.effects[0]).toMatchObject({ type: "relay_to_agent", text: "отмена" });
    c.system({ type: "agent_closed", handoffId: id });
    expect(c.step).toBe("rating");
    expect(c.payloads).toEqual(["rate:1", "rate:2", "rate:3", "rate:4", "rate:5"]);
    c.press("rate:4", "4");
    expect(c.last.effects).toEqual([{ type: "rating", handoffId: id, category: "operator", score: 4 }]);
    expect(c.step).toBe("question");
    expect(c.said).toMatch(/Спасибо за оценку/);
  });

  it("accepts a rating typed as a digit", () => {
    const c = queued();
    const id = c.state?.handoff?.id ?? "";
    c.system({ type: "agent_closed", handoffId: id });
    c.text("5");
    expect(c.last.effects).toEqual([{ type: "rating", handoffId: id, category: "operator", score: 5 }]);
  });

  it("ignores a signal about another handoff", () => {
    const c = queued();
    c.system({ type: "agent_closed", handoffId: "tg-42-0" });
    expect(c.step).toBe("queued");
    expect(c.last.replies).toEqual([]);
  });
});

describe("unsupported messages", () => {
  it("asks for text in the flow's own steps and keeps the step", () => {
    const c = new Conversation().ready();
    c.send({ kind: "unsupported", unsupportedKind: "voice" });
    expect(c.said).toMatch(/только текст/);
    expect(c.step).toBe("question");
    expect(c.last.effects).toEqual([]);
  });
});

describe("secrets", () => {
  it("masks a password before storing, warns the customer, and never keeps the raw text", () => {
    const c = new Conversation().ready();
    c.text("не работает почта, пароль: Sup3rSecret!");
    expect(c.said).toMatch(/скрыл/);
    expect(JSON.stringify(c.last)).not.toContain("Sup3rSecret");
    expect(c.state?.transcript.some((l) => l.text.includes("********"))).toBe(true);
  });

  it("masks a card number in text relayed to the agent", () => {
    const c = new Conversation().ready();
    c.text("оператор");
    c.text("моя карта 4111 1111 1111 1111");
    expect(JSON.stringify(c.last)).not.toContain("4111 1111 1111 1111");
    expect(c.last.effects[0]).toMatchObject({
      type: "relay_to_agent",
      text: "моя карта **** **** **** 1111",
    });
    expect(c.said).toMatch(/номер карты/);
  });
});

describe("transcript and idle", () => {
  it("keeps only the last lines, each truncated", () => {
    const c = new Conversation().ready();
    for (let i = 0; i < 15; i++) c.text(`${"очень длинное описание ".repeat(30)}${i}`);
    const transcript = c.state?.transcript ?? [];
    expect(transcript.length).toBe(TRANSCRIPT_MAX_LINES);
    expect(transcript.every((l) => l.text.length <= TRANSCRIPT_MAX_CHARS)).toBe(true);
  });

  it("starts over with a greeting after a long silence outside a handoff", () => {
    const c = new Conversation("tg-1", { idleMs: 60_000 }).ready();
    c.now += 10 * 60_000;
    c.text("сайт очень медленно грузится");
    expect(c.said).toMatch(/Здравствуйте/);
    expect(c.said).toMatch(/требует анализа/); // greeted *and* answered: nothing dropped
    expect(c.step).toBe("offer");
  });

  it("does not start over while queued, however long the wait", () => {
    const c = new Conversation("tg-1", { idleMs: 60_000 }).ready();
    c.text("оператор");
    c.now += 10 * 60_000;
    c.text("ещё жду");
    expect(c.step).toBe("queued");
    expect(c.last.effects[0]?.type).toBe("relay_to_agent");
  });

  it("does not mutate the state it is given", () => {
    const c = new Conversation().ready();
    const before = structuredClone(c.state);
    const frozen = c.state;
    c.text("позовите оператора");
    expect(frozen).toEqual(before);
  });
});

describe("locales", () => {
  it("runs a whole path in English for an English-speaking Telegram user", () => {
    const c = new Conversation("tg-3", { languageHint: "en-GB" });
    c.command("start");
    expect(c.said).toMatch(/Never send passwords/);
    expect(c.last.replies[1]?.buttons?.[0]?.[0]?.label).toBe("No account");
    c.text("mysite.com");
    expect(c.said).toMatch(/Describe the situation/);
    c.text("please reset my control panel password");
    expect(c.said).toMatch(/unauthorized channel/);
    c.text("my website is down, urgent");
    expect(c.said).toMatch(/call us by our support phone/);
    expect(handoffOf(c.last.effects)).toMatchObject({ locale: "en", priority: "high", login: "mysite.com" });
  });

  it("falls back to the default locale for other language hints", () => {
    const c = new Conversation("tg-4", { languageHint: "de" });
    c.command("start");
    expect(c.state?.locale).toBe("ru");
  });
});

describe("buttons", () => {
  it("uses short ASCII payloads that fit Telegram's callback data", () => {
    const c = new Conversation();
    const seen = new Set<string>();
    const collect = () => {
      for (const p of c.payloads) seen.add(p);
    };
    c.command("start");
    collect();
    c.text("ivanov");
    c.text("хм");
    collect();
    c.command("operator");
    c.system({ type: "agent_closed", handoffId: c.state?.handoff?.id ?? "" });
    collect();
    for (const p of seen) {
      expect(p).toMatch(/^[\x20-\x7e]+$/);
      expect(Buffer.byteLength(p)).toBeLessThanOrEqual(48);
    }
    expect(seen.size).toBeGreaterThanOrEqual(8);
  });
});

describe("renderQueueStatus", () => {
  it("sends a guest to no panel they do not have", () => {
    for (const status of [
      { position: 1, served: false, guest: true },
      { position: 1, guest: true, afterHours: { backAt: 0, timeZone: "UTC" } },
    ]) {
      const reply = renderQueueStatus("ru", status);
      expect(reply.text).not.toMatch(/панел/);
      expect(reply.text).toMatch(/позвоните нам/);
    }
  });

  it("tells the truth and the other routes when nobody serves the queue", () => {
    const reply = renderQueueStatus("ru", { position: 1, served: false });
    expect(reply.text).toMatch(/нет свободных специалистов/);
    expect(reply.text).not.toMatch(/в очереди/);
    expect(reply.text).toMatch(/заявкой из панели управления/);
    expect(reply.buttons).toEqual([[{ label: "Отменить ожидание", payload: "cancel_wait" }]]);
  });

  it("shows the position, the expected wait and the [Отменить ожидание] button", () => {
    const reply = renderQueueStatus("ru", { position: 3, waitMinutes: 7.4 });
    expect(reply.text).toMatch(/Вы в очереди: 3-й/);
    expect(reply.text).toMatch(/около 7 мин/);
    expect(reply.buttons).toEqual([[{ label: "Отменить ожидание", payload: "cancel_wait" }]]);
    expect(reply.tag).toBe("queue");
  });

  it("adds the after-hours notice with the phone and panel-ticket routes", () => {
    const reply = renderQueueStatus("en", {
      position: 1,
      afterHours: { backAt: Date.UTC(2026, 10, 25, 6, 0), timeZone: "Europe/Moscow" },
    });
    expect(reply.text).toMatch(/back Wed 09:00 \(Europe\/Moscow\)/);
    expect(reply.text).toMatch(/call our support phone/);
    expect(reply.text).toMatch(/ticket from the control panel/);
  });

  it("names the weekday in Russian for a Russian customer", () => {
    const reply = renderQueueStatus("ru", {
      position: 1,
      afterHours: { backAt: Date.UTC(2026, 10, 25, 6, 0), timeZone: "Europe/Moscow" },
    });
    expect(reply.text).toMatch(/ср 09:00 \(Europe\/Moscow\)/);
  });

  it("drops the cancel button once an agent has taken the conversation", () => {
    const reply = renderQueueStatus("ru", { position: 0, taken: true });
    expect(reply.buttons).toBeUndefined();
    expect(reply.text).toMatch(/взял/);
  });
});
