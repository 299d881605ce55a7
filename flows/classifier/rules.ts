/**
 * Explicit rules for `account_action`, run before any statistical model (DESIGN: account-action
 * detection must not depend on a model alone). A rule fires on a request to act on the account or
 * disclose its data, however it is phrased: imperative, polite («не могли бы вы…»), indirect
 * («хотелось бы сменить…»), or with a claim of ownership («я владелец, поменяйте…»).
 *
 * Rules work on normalized text (lower case, «ё» → «е», words separated by single spaces), and
 * match word *starts*, so one stem covers every form: «смен» → сменить, смените, смена, сменили.
 */
import { normalize } from "../nlp/tokenize.js";

/** One rule: a name for logs and evaluation, and a test on normalized, space-padded text. */
export interface AccountRule {
  id: string;
  test(padded: string): boolean;
}

/** Alternation of word starts: `word("смен|измен")` matches any word beginning with either. */
function word(starts: string): string {
  return `(?:${starts})\\S*`;
}

/**
 * `a` and `b` within `gap` words of each other, in either order: Russian word order is free,
 * so «смените владельца» and «владельца смените» must both match.
 */
function near(a: string, b: string, gap = 4): RegExp {
  const g = `(?: \\S+){0,${gap}}`;
  return new RegExp(` ${word(a)}${g} ${word(b)}| ${word(b)}${g} ${word(a)}`);
}

/** `a` followed by `b` within `gap` words (when order matters, e.g. «верните … деньги»). */
function then(a: string, b: string, gap = 4): RegExp {
  return new RegExp(` ${word(a)}(?: \\S+){0,${gap}} ${word(b)}`);
}

function re(source: string): RegExp {
  return new RegExp(source);
}

// Verbs (any form) and objects, as word starts.
const CHANGE = "смен|измен|помен|замен|переимен|перепиш|исправ|обнов|внес";
const ACCOUNT_DATA =
  "владел|собственник|реквизит|фио|паспорт|инн|кпп|огрн|плательщик|контактн|наименован|юрлиц|юридическ|тариф";
const ACCESS = "доступ|парол|аккаунт|учетн|логин|кабинет";
const RESTORE = "восстанов|верн|вернут";
const MONEY = "деньг|денег|средств|оплат|платеж|сумм";
const ACCOUNT_OBJECT = "аккаунт|учетн|договор|профил|услуг|домен";

/** A how-to question about a password of something the customer manages in the panel themselves. */
const HOW_TO = / (?:как|где|каким образом|how|where) /;
const SELF_SERVICE_OBJECT =
  / (?:почтов|ящик|ftp|фтп|mysql|бд|баз\S* данн|wordpress|вордпресс|админк|cms|ssh|mailbox)/;

/**
 * A password change *asked for* (imperative, infinitive, or the noun «сброс»), not told about:
 * «после смены пароля не работает почта» or «я сменил пароль» are technical, not requests.
 */
const PASSWORD_VERB =
  "сброс|сбрось|сбросьте|сбросить|смени|смените|сменить|поменяй|поменяйте|поменять|измени|измените|изменить|" +
  "обнови|обновите|обновить|замени|замените|заменить|восстанови|восстановите|восстановить|восстановление";
const PASSWORD_REQUEST = new RegExp(
  ` (?:${PASSWORD_VERB})(?: \\S+){0,3} парол\\S*| парол\\S*(?: \\S+){0,3} (?:${PASSWORD_VERB}) `,
);

/** «я владелец», «это мой аккаунт», «I am the owner»: a claim the chat cannot check. */
const OWNERSHIP_CLAIM =
  / (?:я|мы) (?:\S+ )?(?:владел|собственник|хозя)\S*| это (?:мой|моя|мое|наш) (?:аккаунт|домен|сайт|договор)| i (?:am|m) the (?:owner|account holder)| i own (?:this|the|my) (?:account|domain)/;
/** A request verb: Russian polite imperative («смените», «сделайте»), or a direct English ask. */
const REQUEST =
  / \S+(?:ите|йте|ьте)(?= )| (?:please|can you|could you|would you|change|do|give|transfer|move) /;

/** Words of a payment the customer made or wants to make: such messages are billing questions. */
const PAYMENT_REPORT =
  / (?:пополн|оплат|заплат|перевел|перевела|перечисл|зачисл|поступ|не пришл|top up|topup|paid|payment)\S*/;

/** The rules, in the order they are tried; the first that fires names the decision. */
export const ACCOUNT_RULES: readonly AccountRule[] = [
  {
    id: "balance",
    // «Оплатил, а на баланс не пришло» is a payment check (billing), not a request for the balance.
    test: (t) => / (?:баланс|balance)/.test(t) && !PAYMENT_REPORT.test(t),
  },
  {
    id: "money_left",
    test: (t) =>
      then("сколько", `${MONEY}`, 5).test(t) ||
      / (?:остат\S*|задолженност\S*|долг\S*)(?: \S+){0,2} (?:на счет|по счет|средств|денег|у меня)/.test(t) ||
      / how much (?:money|credit|funds)/.test(t),
  },
  { id: "unblock_money", test: (t) => / (?:разблок|разморо)\S*/.test(t) || / (?:unblock|unfreeze)/.test(t) },
  {
    id: "refund",
    test: (t) =>
      then(RESTORE, MONEY, 4).test(t) ||
      / возврат\S* (?:\S+ ){0,2}(?:деньг|денег|средств|оплат|платеж)/.test(t) ||
      / (?:refund|money back)/.test(t),
  },
  { id: "change_account_data", test: (t) => near(CHANGE, ACCOUNT_DATA).test(t) },
  {
    id: "change_contact",
    test: (t) =>
      near(CHANGE, "email|e mail|емейл|имейл|почт|телефон|номер телефона").test(t) &&
      / (?:аккаунт|учетн|контакт|администрат|для входа|владел|договор)\S*/.test(t) &&
      !SELF_SERVICE_OBJECT.test(t),
  },
  { id: "re_register", test: (t) => / переоформ\S*/.test(t) || / re ?regist/.test(t) },
  {
    id: "transfer",
    test: (t) =>
      near("перевед|переве|перенес|переда|передат|переписат", "домен|аккаунт|договор|прав на", 4).test(t),
  },
  {
    id: "restore_access",
    test: (t) =>
      then(RESTORE, ACCESS, 4).test(t) ||
      near("забыл|утерян|потерял", "парол|логин|доступ", 3).test(t) ||
      / (?:дайте|предоставьте|откройте|выдайте|верните)(?: \S+){0,2} доступ/.test(t),
  },
  {
    id: "reset_password",
    test: (t) => PASSWORD_REQUEST.test(t) && !(HOW_TO.test(t) && SELF_SERVICE_OBJECT.test(t)),
  },
  { id: "delete_account", test: (t) => near("удал|закрой|закрыт|расторг", ACCOUNT_OBJECT, 3).test(t) },
  {
    id: "add_domain",
    test: (t) => near("добав|привяж|прикреп|привяз", "домен", 3).test(t),
  },
  {
    id: "confirm_owner",
    test: (t) =>
      near("подтверд|свер|провер|удостовер", "владел|собственник|хозяин", 4).test(t) ||
      / что я (?:\S+ )?(?:владел|собственник|хозя)/.test(t),
  },
  {
    id: "service_settings",
    test: (t) =>
      near(
        "отключ|включ|подключ|активир|деактив|выключ|отмен|останов|приостанов",
        "автопродл|автоплат|автооплат|тариф|услуг",
        3,
      ).test(t),
  },
  {
    id: "disclose_data",
    test: (t) =>
      then(
        "скажите|назовите|напомните|сообщите|покажите|пришлите|вышлите|дайте|продиктуйте",
        "парол|логин|номер договора|инн|реквизит|данн аккаунт|паспорт",
        2,
      ).test(t) ||
      / (?:какой|какая|какие|каков) (?:\S+ )?(?:у меня|мой|моя|мои) (?:\S+ )?(?:парол|логин|договор|email|почт|реквизит)/.test(
        t,
      ),
  },
  {
    id: "just_do_it",
    test: (t) =>
      / просто (?:\S+ )?сделайте| сделайте (?:\S+ )?(?:сами|за меня)| (?:just do it|do it for me|do it yourself)/.test(
        t,
      ),
  },
  { id: "ownership_claim", test: (t) => OWNERSHIP_CLAIM.test(t) && REQUEST.test(t) },
  // English requests to act on the account.
  {
    id: "en_change",
    test: (t) =>
      re(
        " (?:change|update|modify|edit|correct)(?: \\S+){0,4} (?:owner|ownership|requisites|billing details|company details|legal details|account email|contact email|account holder|tariff|plan|contact)",
      ).test(t),
  },
  {
    id: "en_access",
    test: (t) =>
      re(" (?:reset|recover|restore|change)(?: \\S+){0,3} (?:password|access|account)").test(t) &&
      !(HOW_TO.test(t) && SELF_SERVICE_OBJECT.test(t)),
  },
  {
    id: "en_account",
    test: (t) =>
      re(" (?:delete|close|remove|terminate|transfer|move)(?: \\S+){0,2} (?:account|contract|domain)").test(
        t,
      ) ||
      re(" add(?: \\S+){0,2} domain").test(t) ||
      re(" (?:verify|confirm)(?: \\S+){0,4} (?:owner|ownership)").test(t) ||
      re(
        " (?:disable|enable|turn off|turn on|cancel|switch off)(?: \\S+){0,2} (?:auto ?renew|autopay|plan|tariff|subscription)",
      ).test(t) ||
      re(
        " (?:what is|what s|tell me|send me|give me|remind me)(?: \\S+){0,2} (?:password|login|contract number)",
      ).test(t),
  },
];

/** The first account rule that fires on `text`, or undefined. */
export function matchAccountRule(text: string): string | undefined {
  const padded = ` ${normalize(text)} `;
  return ACCOUNT_RULES.find((rule) => rule.test(padded))?.id;
}
