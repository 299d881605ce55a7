/**
 * Reading what the customer wants before what the words are about: speech acts, incidents, the
 * reader (language, translit, typos), small talk, and the classifier's decisions built on them.
 */
import { describe, expect, it } from "vitest";
import { crossValidate } from "../../../flows/classifier/cross-validate.js";
import { createClassifier } from "../../../flows/classifier/index.js";
import { incidentOf, speechActOf } from "../../../flows/classifier/intent.js";
import { TRAINING } from "../../../flows/classifier/training.js";
import { createSpeller } from "../../../flows/nlp/spell.js";
import { translitWord } from "../../../flows/nlp/translit.js";
import { smallTalkOf } from "../../../flows/recognize.js";

const classifier = createClassifier();
const pad = (t: string) => ` ${classifier.read(t).normalized} `;

describe("speech acts", () => {
  it.each([
    ["как самому сменить пароль от почты?", "howto"],
    ["где в панели посмотреть баланс", "howto"],
    ["how do I change the owner", "howto"],
    ["смените пароль как можно скорее", "request"],
    ["хочу, чтобы вы поменяли реквизиты", "request"],
    ["please change my email", "request"],
    ["я поменял ns вчера", "report"],
    ["почему деньги заблокированы", "why"],
    ["смена владельца домена", "other"],
  ])("%s → %s", (text, act) => {
    expect(speechActOf(pad(text))).toBe(act);
  });
});

describe("incidents are never refused", () => {
  it.each([
    ["мой аккаунт взломали, кто-то сменил пароль", "hacked"],
    ["someone changed my password", "hacked"],
    ["пришло смс о смене пароля, я пароль не менял", "hacked"],
    ["сайт не открывается", "site_down"],
    ["ошибка 502 bad gateway на всех страницах", "site_down"],
    ["домен истекает завтра", "domain_expiring"],
    ["списали деньги дважды", "charge"],
    ["оплатил вчера, а на баланс не пришло", "charge"],
  ])("%s → %s", (text, incident) => {
    expect(incidentOf(pad(text))).toBe(incident);
    expect(classifier.classify(text).category).not.toBe("account_action");
  });

  it("leaves a price question alone: not urgent, not billing", () => {
    expect(classifier.classify("сколько стоит хостинг, срочно нужно").category).toBe("general");
  });
});

describe("the same object: how-to, request, incident", () => {
  it.each([
    ["как поменять пароль фтп?", "general"],
    ["смените мне пароль от панели", "account_action"],
    ["кто-то сменил пароль от панели без меня", "urgent"],
    ["как пополнить баланс?", "general"],
    ["скажите, какой у меня баланс", "account_action"],
    ["оплатил, а баланс не пополнился", "billing"],
    ["как сменить владельца домена?", "general"],
    ["перепишите домен на жену", "account_action"],
    ["домен заканчивается сегодня, продлите срочно", "urgent"],
  ])("%s → %s", (text, category) => {
    expect(classifier.classify(text).category).toBe(category);
  });

  it("asks «us or yourself» on a bare noun phrase about an account change", () => {
    expect(classifier.classify("смена владельца домена").askSelfOrUs).toBe(true);
    expect(classifier.classify("сменить владельца домена").askSelfOrUs).toBeUndefined();
  });
});

describe("the reader", () => {
  it("turns translit back into Russian and keeps Russian replies", () => {
    expect(translitWord("rabotaet")).toBe("работает");
    expect(translitWord("sait")).toBe("сайт");
    expect(translitWord("otkryvaetsya")).toBe("открывается");
    const r = classifier.read("sait ne rabotaet");
    expect(r).toMatchObject({ language: "ru", translit: true, normalized: "сайт не работает" });
    expect(classifier.classify(r).category).toBe("urgent");
  });

  it("reads English as English, and a bare login as no language at all", () => {
    expect(classifier.read("my site is down").language).toBe("en");
    expect(classifier.read("ivanov").language).toBeUndefined();
  });

  it("repairs a typo inside a Russian word, never an inflection", () => {
    expect(classifier.read("пороль от акаунта поменяйте").normalized).toBe("пароль от аккаунта поменяйте");
    expect(classifier.read("я пароль не менял").normalized).toBe("я пароль не менял");
    const speller = createSpeller({
      words: new Map([
        ["пароль", 3],
        ["меня", 5],
      ]),
      knownStem: () => false,
    });
    expect(speller.repair("парль")).toBe("пароль");
    expect(speller.repair("менял")).toBe("менял"); // an edit at the end is another form, not a typo
    expect(speller.repair("xпароль")).toBe("xпароль"); // nor a different first letter
  });
});

describe("small talk", () => {
  it.each([
    ["спасибо, понятно", "thanks"],
    ["ок", "ok"],
    ["привет!", "hello"],
    ["до свидания", "bye"],
    ["thanks a lot", "thanks"],
  ])("%s → %s", (text, kind) => {
    expect(smallTalkOf(text)).toBe(kind);
  });

  it("is not small talk when a question comes with it", () => {
    expect(smallTalkOf("привет, сайт не работает")).toBeUndefined();
    expect(smallTalkOf("спасибо, а сколько ждать ответа?")).toBeUndefined();
  });
});

describe("cross-validation", () => {
  it("holds each fold out once and is repeatable", () => {
    const a = crossValidate(TRAINING, 5, 7);
    expect(a.folds).toHaveLength(5);
    expect(a.mean).toBeGreaterThan(0.6);
    expect(crossValidate(TRAINING, 5, 7)).toEqual(a);
  });
});
