import { describe, expect, it } from "vitest";
import {
  defaultKnowledgeBase,
  KnowledgeBaseError,
  loadKnowledgeBase,
} from "../../../flows/knowledge-base.js";

const good = {
  id: "ticket_time",
  questions: ["сколько обрабатывается заявка"],
  answer: { ru: "Заявки обрабатываются в течение часа.", en: "Tickets are processed within an hour." },
};

describe("knowledge base", () => {
  it("loads and validates the bundled entries", () => {
    const kb = defaultKnowledgeBase();
    expect(kb.entries.length).toBeGreaterThan(5);
  });

  it("rejects an entry without an English answer, naming the field", () => {
    const bad = { ...good, answer: { ru: good.answer.ru } };
    expect(() => loadKnowledgeBase([bad])).toThrow(KnowledgeBaseError);
    expect(() => loadKnowledgeBase([bad])).toThrow(/0\.answer\.en/);
  });

  it("rejects duplicate ids, bad ids, no questions, and an empty base", () => {
    expect(() => loadKnowledgeBase([good, good])).toThrow(/duplicate id/);
    expect(() => loadKnowledgeBase([{ ...good, id: "Bad Id" }])).toThrow(KnowledgeBaseError);
    expect(() => loadKnowledgeBase([{ ...good, questions: [] }])).toThrow(KnowledgeBaseError);
    expect(() => loadKnowledgeBase([])).toThrow(KnowledgeBaseError);
    expect(() => loadKnowledgeBase("not a list")).toThrow(KnowledgeBaseError);
  });

  it.each([
    ["Где смотреть ответ на обращение?", "answer_where"],
    ["сколько ждать ответа на заявку", "ticket_time"],
    ["нет доступа к панели, как написать вам письмо", "no_panel_access"],
    ["что добавить в заявку, чтобы быстрее разобрались", "ticket_contents"],
    ["можно ли вам позвонить", "phone"],
    ["where will the answer to my ticket arrive", "answer_where"],
  ])("finds the entry for «%s»", (question, id) => {
    expect(defaultKnowledgeBase().find(question)?.entry.id).toBe(id);
  });

  it("finds nothing for a question it has no words for", () => {
    expect(defaultKnowledgeBase().find("абракадабра")).toBeUndefined();
  });
});
