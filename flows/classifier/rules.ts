/**
 * Explicit rules for `account_action`, run before any statistical model (DESIGN: account-action
 * detection must not depend on a model alone). A rule fires on a request to act on the account or
 * disclose its data, however it is phrased: imperative, polite («не могли бы вы…»), indirect
 * («хотелось бы сменить…»), or with a claim of ownership («я владелец, поменяйте…»).
 *
 * Rules work on normalized text (lower case, «ё» → «е», words separated by single spaces), and
 * match word *starts*, so one stem covers every form: «смен» → сменить, смените, смена, сменили.
 */
import { normalize, type TextInput } from "../nlp/tokenize.js";

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

/**
 * True when any of `patterns` matches. Every pattern is compiled once, here at load time: the
 * rules run on every question, and building their sources per call would cost more than the model.
 */
function any(...patterns: { test(t: string): boolean }[]): (t: string) => boolean {
  return (t) => {
    for (const p of patterns) if (p.test(t)) return true;
    return false;
  };
}

const BALANCE = / (?:баланс|balance)/;
const MONEY_LEFT = any(
  then("сколько", `${MONEY}`, 5),
  / (?:остат\S*|задолженност\S*|долг\S*)(?: \S+){0,2} (?:на счет|по счет|средств|денег|у меня)/,
  / how much (?:money|credit|funds)/,
);
const UNBLOCK_MONEY = any(/ (?:разблок|разморо)\S*/, / (?:unblock|unfreeze)/);
const REFUND = any(
  then(RESTORE, MONEY, 4),
  / возврат\S* (?:\S+ ){0,2}(?:деньг|денег|средств|оплат|платеж)/,
  / (?:refund|money back)/,
);
const CHANGE_ACCOUNT_DATA = near(CHANGE, ACCOUNT_DATA);
const CHANGE_CONTACT = near(CHANGE, "email|e mail|емейл|имейл|почт|телефон|номер телефона");
const CONTACT_OF_ACCOUNT = / (?:аккаунт|учетн|контакт|администрат|для входа|владел|договор)\S*/;
const RE_REGISTER = any(/ переоформ\S*/, / re ?regist/);
const TRANSFER = near("перевед|переве|перенес|переда|передат|переписат", "домен|аккаунт|договор|прав на", 4);
const RESTORE_ACCESS = any(
  then(RESTORE, ACCESS, 4),
  near("забыл|утерян|потерял", "парол|логин|доступ", 3),
  / (?:дайте|предоставьте|откройте|выдайте|верните)(?: \S+){0,2} доступ/,
);
const DELETE_ACCOUNT = near("удал|закрой|закрыт|расторг", ACCOUNT_OBJECT, 3);
const ADD_DOMAIN = near("добав|привяж|прикреп|привяз", "домен", 3);
const CONFIRM_OWNER = any(
  near("подтверд|свер|провер|удостовер", "владел|собственник|хозяин", 4),
  / что я (?:\S+ )?(?:владел|собственник|хозя)/,
);
const SERVICE_SETTINGS = near(
  "отключ|включ|подключ|активир|деактив|выключ|отмен|останов|приостанов|убер|убрат",
  "автопродл|автоплат|автооплат|тариф|услуг",
  3,
);
/** «мой», «у меня», «my»: the data asked for is the customer's own account's. */
const POSSESSIVE = / (?:мой|моя|мое|моего|моей|мои|моих|моем|у меня|мне|нашего|наш|наши|my|our)(?= )/;
const DISCLOSE_OWN = then(
  "скажите|назовите|напомните|сообщите|покажите|пришлите|вышлите|продиктуйте|tell|send|show|remind",
  "парол|логин|договор|инн|реквизит|данн|паспорт|владел|password|login|contract|owner",
  3,
);
const DISCLOSE_DATA = any(
  then(
    "скажите|назовите|напомните|сообщите|покажите|пришлите|вышлите|дайте|продиктуйте",
    "парол|логин|номер договора|инн|реквизит|данн аккаунт|паспорт",
    2,
  ),
  { test: (t: string) => POSSESSIVE.test(t) && DISCLOSE_OWN.test(t) },
  / (?:пришлите|скиньте|покажите|скажите|напишите|send|show)(?: \S+){0,6} (?:сюда|в чат|в этот чат|here)(?= )/,
  / на кого (?:\S+ )?(?:оформлен|записан|зарегистрирован|оформлял)\S*/,
  / (?:можно|можете|могли бы)(?: \S+){0,2} (?:сюда|в чат|здесь|тут)(?: \S+){0,2} (?:данн|логин|парол|договор|баланс|реквизит)\S*/,
  / (?:какой|какая|какие|каков) (?:\S+ )?(?:у меня|мой|моя|мои) (?:\S+ )?(?:парол|логин|договор|email|почт|реквизит)/,
);
const JUST_DO_IT =
  / просто (?:\S+ )?сделайте| сделайте (?:\S+ )?(?:сами|за меня)| (?:just do it|do it for me|do it yourself)/;
const EN_CHANGE = re(
  " (?:change|update|modify|edit|correct)(?: \\S+){0,4} (?:owner|ownership|requisites|billing details|company details|legal details|account email|contact email|account holder|tariff|plan|contact)",
);
const EN_ACCESS = re(" (?:reset|recover|restore|change)(?: \\S+){0,3} (?:password|access|account)");
const EN_ACCOUNT = any(
  re(" (?:delete|close|remove|terminate|transfer|move)(?: \\S+){0,2} (?:account|contract|domain)"),
  re(" add(?: \\S+){0,2} domain"),
  re(" (?:verify|confirm)(?: \\S+){0,4} (?:owner|ownership)"),
  re(
    " (?:disable|enable|turn off|turn on|cancel|switch off)(?: \\S+){0,2} (?:auto ?renew|autopay|plan|tariff|subscription)",
  ),
  re(
    " (?:what is|what s|tell me|send me|give me|remind me)(?: \\S+){0,2} (?:password|login|contract number)",
  ),
);

/**
 * A request to do something in the account, addressed to us: a polite imperative of an action verb
 * («переключите мне php», «продлите домен», «выпустите ssl»), or its English form («please renew…»,
 * «can you switch…», «… for me»). Diagnosing («проверьте», «посмотрите») is not an action: that is
 * technical help, which a person in the chat may give.
 */
const ACT_VERB_RU =
  "смените|поменяйте|измените|переключите|включите|отключите|подключите|добавьте|удалите|продлите|выпустите|" +
  "установите|увеличьте|уменьшите|перенесите|переведите|создайте|настройте|сделайте|верните|разблокируйте|" +
  "восстановите|сбросьте|выдайте|откройте|закройте|активируйте|поставьте|замените|перепишите|переоформите|" +
  "продлевайте|оформите|отмените|приостановите|заблокируйте|пропишите|пересоздайте|уберите|зачислите|" +
  "начислите|спишите|подтвердите|перенастройте";
const ACT_REQUEST_RU = new RegExp(` (?:${ACT_VERB_RU})(?= )`);
const ACT_VERB_EN =
  "reset|change|switch|enable|disable|turn on|turn off|add|delete|remove|renew|extend|issue|install|increase|" +
  "upgrade|downgrade|move|transfer|set up|configure|unblock|refund|restore|cancel|close|create|update|activate";
const ACT_REQUEST_EN = new RegExp(
  ` (?:please|pls|plz|can you|could you|would you|will you|just|kindly)(?: \\S+){0,1} (?:${ACT_VERB_EN})(?= )| (?:${ACT_VERB_EN})(?: \\S+){0,7} for me(?= )`,
);

/** A how-to question about a password of something the customer manages themselves. */
const selfServiceHowTo = (t: string): boolean => HOW_TO.test(t) && SELF_SERVICE_OBJECT.test(t);

/** The rules, in the order they are tried; the first that fires names the decision. */
export const ACCOUNT_RULES: readonly AccountRule[] = [
  {
    id: "balance",
    // «Оплатил, а на баланс не пришло» is a payment check (billing), not a request for the balance.
    test: (t) => BALANCE.test(t) && !PAYMENT_REPORT.test(t),
  },
  { id: "money_left", test: MONEY_LEFT },
  { id: "unblock_money", test: UNBLOCK_MONEY },
  { id: "refund", test: REFUND },
  { id: "change_account_data", test: (t) => CHANGE_ACCOUNT_DATA.test(t) },
  {
    id: "change_contact",
    test: (t) => CHANGE_CONTACT.test(t) && CONTACT_OF_ACCOUNT.test(t) && !SELF_SERVICE_OBJECT.test(t),
  },
  { id: "re_register", test: RE_REGISTER },
  { id: "transfer", test: (t) => TRANSFER.test(t) },
  { id: "restore_access", test: RESTORE_ACCESS },
  { id: "reset_password", test: (t) => PASSWORD_REQUEST.test(t) && !selfServiceHowTo(t) },
  { id: "delete_account", test: (t) => DELETE_ACCOUNT.test(t) },
  { id: "add_domain", test: (t) => ADD_DOMAIN.test(t) },
  { id: "confirm_owner", test: CONFIRM_OWNER },
  { id: "service_settings", test: (t) => SERVICE_SETTINGS.test(t) },
  { id: "disclose_data", test: DISCLOSE_DATA },
  { id: "just_do_it", test: (t) => JUST_DO_IT.test(t) },
  { id: "ownership_claim", test: (t) => OWNERSHIP_CLAIM.test(t) && REQUEST.test(t) },
  { id: "act_request", test: (t) => ACT_REQUEST_RU.test(t) || ACT_REQUEST_EN.test(t) },
  // English requests to act on the account.
  { id: "en_change", test: (t) => EN_CHANGE.test(t) },
  { id: "en_access", test: (t) => EN_ACCESS.test(t) && !selfServiceHowTo(t) },
  { id: "en_account", test: EN_ACCOUNT },
];

/**
 * Rules that still fire when the customer reports or asks why rather than requests: «я забыл
 * пароль» asks for access back, and naming the data is a disclosure however it is asked.
 */
const RULES_FOR_REPORTS = new Set(["restore_access", "disclose_data", "money_left"]);

/**
 * The first account rule that fires on `text` (or on an `analyze()` result), or undefined. With
 * `reportOnly`, only the rules that hold for a report or a «why» question are tried.
 */
export function matchAccountRule(text: TextInput, reportOnly = false): string | undefined {
  const padded = ` ${typeof text === "string" ? normalize(text) : text.normalized} `;
  for (const rule of ACCOUNT_RULES) {
    if (reportOnly && !RULES_FOR_REPORTS.has(rule.id)) continue;
    if (rule.test(padded)) return rule.id;
  }
  return undefined;
}
