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
