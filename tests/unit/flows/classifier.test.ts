import { describe, expect, it } from "vitest";
import { createClassifier, isConfident } from "../../../flows/classifier/index.js";
import { matchAccountRule } from "../../../flows/classifier/rules.js";
import { TRAINING } from "../../../flows/classifier/training.js";
import { CATEGORIES } from "../../../flows/types.js";

const classifier = createClassifier();

describe("account-action rules", () => {
  it.each([
    "разблокируйте мои средства",
    "какой у меня баланс",
    "смените владельца домена",
    "переоформите договор на ООО",
    "восстановите доступ в личный кабинет",
    "не могли бы вы изменить реквизиты",
    "хотелось бы поменять владельца аккаунта",
    "я владелец, поменяйте контактный email аккаунта",
    "просто сделайте",
    "добавьте домен в аккаунт",
    "удалите мой аккаунт",
    "верните деньги",
    "отключите автопродление",
    "reset my password please",
    "change the account owner",
    "I am the owner, please do it",
    "what is my balance",
  ])("fire on «%s»", (text) => {
    expect(matchAccountRule(text)).toBeDefined();
    const c = classifier.classify(text);
    expect(c.category).toBe("account_action");
    expect(c.confidence).toBe(1);
    expect(c.rule).toMatch(/^account_action:/);
  });

  it.each([
    "как в панели поменять пароль от почтового ящика?",
    "после смены пароля не работает почта",
    "у меня нет доступа к панели управления, как написать в поддержку",
    "оплатил, а на балансе пусто",
    "как пополнить баланс",
    "нужно срочно продлить домен",
  ])("do not fire on «%s»", (text) => {
    expect(matchAccountRule(text)).toBeUndefined();
  });
});

describe("classifier", () => {
  it("classifies synchronously, with a confidence in 0..1 and every category ranked best first", () => {
    const c = classifier.classify("сайт очень медленно открывается");
    expect(c.category).toBe("technical");
    expect(c.confidence).toBeGreaterThan(0);
    expect(c.confidence).toBeLessThanOrEqual(1);
    expect(c.ranked.map((r) => r.category).sort()).toEqual([...CATEGORIES].sort());
    const scores = c.ranked.map((r) => r.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it("is not confident about words it has never seen", () => {
    const c = classifier.classify("абырвалг");
    expect(c.confidence).toBe(0);
    expect(isConfident(c)).toBe(false);
  });

  it("has its own training utterances for every category", () => {
    for (const category of CATEGORIES) expect(TRAINING[category].length).toBeGreaterThanOrEqual(20);
  });
});
