import { describe, expect, it } from "vitest";
import { luhnValid, mask } from "../../../flows/mask.js";

describe("mask", () => {
  it.each([
    ["пароль: qwerty123", "пароль: ********"],
    ["мой пароль - МойПароль1", "мой пароль - ********"],
    ["password=hunter2&user=ivan", "password=********"],
    ["pass Secr3t", "pass ********"],
    ["my password is hunter2", "my password is ********"],
    ["пароль от панели Abc12345", "пароль от панели ********"],
    ["пароль от ftp: zz9", "пароль от ftp: ********"],
    ["логин ivan пароль qwerty", "логин ivan пароль ********"],
  ])("masks the password in «%s»", (input, output) => {
    const result = mask(input);
    expect(result.text).toBe(output);
    expect(result).toMatchObject({ masked: true, kinds: ["password"] });
  });

  it.each([
    "забыл пароль от панели",
    "сбросьте пароль от панели пожалуйста",
    "как в панели поменять пароль от почтового ящика?",
    "password reset please",
    "password is not working",
    "забыл пароль от почтового ящика info@site.ru",
  ])("leaves talk about passwords alone: «%s»", (input) => {
    expect(mask(input)).toEqual({ text: input, masked: false, kinds: [] });
  });

  it.each([
    ["4111 1111 1111 1111", "**** **** **** 1111"],
    ["карта 5500-0000-0000-0004 cvv 123", "карта **** **** **** 0004 cvv ***"],
    ["4111111111111111", "**** **** **** 1111"],
    ["amex 3782 822463 10005", "amex **** **** **** 0005"],
  ])("masks a Luhn-valid card number in «%s»", (input, output) => {
    const result = mask(input);
    expect(result.text).toBe(output);
    expect(result.kinds).toContain("card");
  });

  it.each([
    "4111 1111 1111 1112", // fails Luhn
    "заявка 2318451",
    "позвоните мне 89161234567",
    "договор 1234567 от 2023 года",
    "заявка 1234567 89012345678",
    "ошибка 500 в 12:30",
  ])("leaves digit strings that are not cards untouched: «%s»", (input) => {
    expect(mask(input)).toEqual({ text: input, masked: false, kinds: [] });
  });

  it("reports both kinds when both are present", () => {
    expect(mask("пароль: abc123, карта 4111111111111111").kinds).toEqual(["password", "card"]);
  });

  it("checks Luhn", () => {
    expect(luhnValid("79927398713")).toBe(true);
    expect(luhnValid("79927398710")).toBe(false);
  });
});

describe("mask: gaps found in issue 11 (defect 10)", () => {
  const NBSP = "\u00A0";
  const NNBSP = "\u202F";
  const ZWSP = "\u200B";

  it.each([
    ["no-break spaces", `4111${NBSP}1111${NBSP}1111${NBSP}1111`],
    ["narrow no-break spaces", `4111${NNBSP}1111${NNBSP}1111${NNBSP}1111`],
    ["dots", "4111.1111.1111.1111"],
    ["double spaces", "4111  1111  1111  1111"],
    ["full-width digits", "４１１１ １１１１ １１１１ １１１１"],
    ["full-width digits, no spaces", "４１１１１１１１１１１１１１１１"],
    ["two lines", "4111 1111\n1111 1111"],
    ["two lines, no groups", "41111111\n11111111"],
    ["two lines with a CRLF", "4111 1111 1111\r\n1111"],
  ])("masks a card number written with %s", (_name, card) => {
    const result = mask(`номер карты ${card} спасибо`);
    expect(result.text).toBe("номер карты **** **** **** 1111 спасибо");
    expect(result.kinds).toEqual(["card"]);
  });

  it.each([
    ["пороль: Qwerty12", "пороль: ********"],
    ["парольь: Qwerty12", "парольь: ********"],
    ["паролль Qwerty12", "паролль ********"],
    ["мой пороль qwerty", "мой пороль ********"],
    ["пасворд: qwerty", "пасворд: ********"],
    ["pasword: hunter2", "pasword: ********"],
    ["паролем Zx81kd9 не пускает", "паролем ******** не пускает"],
  ])("masks a password after a misspelt label: «%s»", (input, output) => {
    expect(mask(input)).toMatchObject({ text: output, kinds: ["password"] });
  });

  it.each([
    [`пароль${ZWSP}: qwerty123`, "пароль: ********"],
    [`пароль ${ZWSP}: qwerty123`, "пароль : ********"],
    [`па${ZWSP}роль: qwerty123`, "пароль: ********"],
    [`пароль\u2060= qwerty123`, "пароль= ********"],
    ["пароль\uFEFF:qwerty123", "пароль:********"],
    ["пароль： qwerty123", "пароль： ********"],
  ])("masks a password behind invisible or full-width characters: %j", (input, output) => {
    expect(mask(input)).toMatchObject({ text: output, kinds: ["password"] });
  });

  it.each([
    ["логин ivanov / Qwerty123", "логин ivanov / ********"],
    ["логин: ivanov / qwerty", "логин: ivanov / ********"],
    ["логин ivanov, Zx81kd9!", "логин ivanov, ********"],
    ["login ivanov / hunter2", "login ivanov / ********"],
    ["Логин ivanov\nQwerty123", "Логин ivanov\n********"],
    ["логин ivanov | s3cr3t", "логин ivanov | ********"],
  ])("masks the unlabelled password after a login: %j", (input, output) => {
    expect(mask(input)).toMatchObject({ text: output, kinds: ["password"] });
  });

  it.each([
    ["данные для входа: ivanov Qwerty123", "данные для входа: ivanov ********"],
    ["данные для проверки ivanov / Zx81kd9", "данные для проверки ivanov / ********"],
    ["вот данные для входа в панель: ivanov qwerty", "вот данные для входа в панель: ivanov ********"],
    ["доступы: admin Pa55word!", "доступы: admin ********"],
    ["учетные данные ivanov 8fj3kd", "учетные данные ivanov ********"],
    ["логин и пароль: ivanov qwerty123", "логин и пароль: ivanov ********"],
    ["логин/пароль ivanov/qwerty123", "логин/пароль ivanov/********"],
    ["credentials: ivan hunter2", "credentials: ivan ********"],
    ["данные для входа в панель по ssh: root 4Gh!s8", "данные для входа в панель по ssh: root ********"],
    ["креды от почты info@site.ru Qwerty1", "креды от почты info@site.ru ********"],
  ])("masks unlabelled password-like tokens next to credential words: %j", (input, output) => {
    expect(mask(input)).toMatchObject({ text: output, kinds: ["password"] });
  });

  it.each([
    "заказ 12345678 от 01.02.2024 не оплачен",
    "заявка 1234567, вторая заявка 7654321",
    "номер заявки 123456, телефон 8 916 123-45-67",
    "тикет 9876543210 и тикет 1234567890",
    "12.03.2024 15.04.2025 продлевал",
    "сайт site123.ru и shop-2024.com не открываются",
    "IP 192.168.100.200, маска 255.255.255.0",
    "счёт 4111 от 12.03, сумма 1111 руб.",
    "заявки:\n12345678\n87654321",
    "заказы:\n30012345\n67890122", // Luhn-valid when joined, but no card starts 30
    "заказы:\n28123456\n78901235",
    "логин ivanov / домен site.ru",
    "логин ivanov, спасибо",
    "логин и пароль не подходят",
    "данные для входа не приходят на почту",
    "данные для входа в панель управления потерял",
    "логин: ivanov\nВопрос: не открывается сайт",
    "пороли ли вы сайт?",
    "логин ivanov, WordPress не открывается",
    "логин ivanov, ISPmanager не пускает",
    "login ivanov\nHello, my site is down",
    "пользователь root, сервер 185.12.3.4",
    "данные для входа в WordPress не подходят",
    "данные для проверки: договор 123456, домен site.ru",
    "данные для входа от 12.03.2024 не работают",
    "нет доступа к серверу 185.12.3.4 и 185.12.3.5",
    "доступ: по ssh не пускает",
    "логин ivanov, e-mail ivan@mail.ru",
  ])("leaves ordinary text alone: %j", (input) => {
    expect(mask(input)).toEqual({ text: input, masked: false, kinds: [] });
  });
});

describe("mask: generated cards and stability", () => {
  /** A small seeded generator, so a failure names a case that can be replayed. */
  function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }

  /** A Luhn-valid 16-digit number with the given prefix. */
  function card(next: () => number, prefix: string): string {
    let digits = prefix;
    while (digits.length < 15) digits += String(Math.floor(next() * 10));
    for (let check = 0; check < 10; check++) if (luhnValid(digits + check)) return digits + check;
    throw new Error("unreachable: one check digit always fits");
  }

  const SEPARATORS = [" ", "  ", "\u00A0", "\u202F", "-", ".", " - ", "\n", "\r\n"];
  const FULL_WIDTH = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));

  it("masks 2,000 generated card numbers written in groups of four with any separator", () => {
    const next = rng(11);
    const missed: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const digits = card(next, ["4", "51", "55", "2200", "2720", "62"][i % 6] ?? "4");
      const sep = SEPARATORS[Math.floor(next() * SEPARATORS.length)] ?? " ";
      let written = digits.match(/\d{4}/g)?.join(sep) ?? digits;
      if (i % 5 === 0) written = FULL_WIDTH(written);
      const result = mask(`оплатил картой ${written}, проверьте`);
      if (result.text !== `оплатил картой **** **** **** ${digits.slice(-4)}, проверьте`)
        missed.push(written);
    }
    expect(missed).toEqual([]);
  });

  it("masks the same text the same way twice (masking is idempotent)", () => {
    const samples = [
      "пароль: qwerty123",
      "логин ivanov / Qwerty123",
      "данные для входа: ivanov Qwerty123",
      "4111 1111 1111 1111 cvv 123",
      "пороль\u200B: Zx81kd9",
    ];
    for (const text of samples) {
      const once = mask(text).text;
      expect(mask(once).text).toBe(once);
    }
  });
});
