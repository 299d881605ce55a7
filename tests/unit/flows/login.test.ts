import { describe, expect, it } from "vitest";
import { parseLogin } from "../../../flows/login.js";

describe("parseLogin", () => {
  it.each([
    ["ivanov", { type: "login", value: "ivanov" }],
    ["Ivanov_2", { type: "login", value: "ivanov_2" }],
    ["мой логин: web-studio", { type: "login", value: "web-studio" }],
    ["123456", { type: "contract", value: "123456" }],
    ["договор № 778899", { type: "contract", value: "778899" }],
    ["Д-123456", { type: "contract", value: "Д-123456" }],
    ["12345/2023", { type: "contract", value: "12345/2023" }],
    ["example.ru", { type: "domain", value: "example.ru" }],
    ["https://www.Example.com/shop", { type: "domain", value: "example.com" }],
    ["пример.рф", { type: "domain", value: "пример.рф" }],
    ["xn--e1afmkfd.xn--p1ai", { type: "domain", value: "xn--e1afmkfd.xn--p1ai" }],
  ])("accepts «%s»", (input, expected) => {
    expect(parseLogin(input)).toEqual(expected);
  });

  it.each(["no_account", "Нет аккаунта", "у меня нет аккаунта", "No account", "нет"])(
    "takes «%s» as a guest",
    (input) => {
      expect(parseLogin(input)).toEqual({ type: "guest" });
    },
  );

  it.each([
    ["", "empty"],
    ["a", "format"],
    ["привет", "format"],
    ["hello", "format"],
    ["сайт не работает", "format"],
    ["ivan@mail.ru", "email"],
    ["x".repeat(40), "format"],
    ["1ivan", "format"],
  ])("rejects «%s»", (input, reason) => {
    expect(parseLogin(input)).toEqual({ type: "invalid", reason });
  });
});
