/**
 * What the customer is doing with their words, before what the words are about (DESIGN «How the bot
 * talks»): asking how to do something themselves, asking us to do it, or telling us something
 * happened. The same object — a password, the balance, a domain — is a how-to question, an account
 * action or an incident depending on this, so the rules read it first.
 *
 * Everything here works on normalized, space-padded text (see `nlp/tokenize.ts`), matching word
 * starts, like `rules.ts`.
 */

/** The speech act of a message. */
export type SpeechAct =
  /** «как самому…», «где в панели…», «how do I…»: the customer wants to know how. */
  | "howto"
  /** «смените», «хочу, чтобы…», «please change…»: the customer asks for something to be done. */
  | "request"
  /** «я поменял NS», «письма перестали приходить»: the customer tells what they did or what happened. */
  | "report"
  /** «почему…», «why…»: the customer wants an explanation, not an action. */
  | "why"
  /** Anything else. */
  | "other";

/** Something that happened to the customer or their account: handled by a person, never refused. */
export type Incident =
  /** Someone else got in or changed things (hacked, password changed by someone, malware). */
  | "hacked"
  /** The whole site is down or answers 5xx. */
  | "site_down"
  /** A domain expires now or has expired. */
  | "domain_expiring"
  /** Money taken that the customer did not expect (charged twice, unknown charge). */
  | "charge";

/**
 * «как / где / куда / каким образом» and their English twins start a how-to question. «как можно
 * скорее» and «как только» are not: they hurry a request along.
 */
const HOWTO = new RegExp(
  [
    " (?:как|каким образом|где|откуда)(?! можно (?:скорее|быстрее)| только| так)(?= )",
    " куда (?:мне |нам )?(?:писать|написать|обратиться|обращаться|звонить|нажать|зайти|смотреть|придет|приходит|отправить|отправлять)(?= )",
    " можно ли(?= )",
    " (?:в какой|какой|через какой) (?:канал|способ)",
    " через что ",
    " (?:сам|сама|самому|самой|самостоятельно) (?:\\S+ )?(?:сменить|поменять|изменить|сделать|настроить|восстановить|сбросить|пополнить|оплатить|посмотреть|узнать|найти)",
    " (?:инструкци|пошагов)\\S*",
    " how (?:do|can|could|should|would) (?:i|we|one|you)(?= )",
    " how to ",
    " where (?:do|can|is|are|should|would|in)(?= )",
    " (?:by myself|myself|on my own) ",
  ].join("|"),
);

/** «кто-то вошёл», «взломали», «не я менял»: another person acted on the account. */
const HACKED = new RegExp(
  [
    " взлом\\S*",
    " взлам\\S*",
    " (?:кто то|ктото|кто нибудь|неизвестн\\S*|посторонн\\S*|чуж\\S*|злоумышленн\\S*)(?: \\S+){0,3} (?:вош|зашел|зашли|заход|вход|смен|помен|измен|удал|получил|рассыл|залез|проник|взял)\\S*",
    " (?:не я|без моего ведома|без меня|я не)(?: \\S+){0,2} (?:менял|меняла|сменил|изменял|поменял|запускал|делал)\\S*",
    " парол\\S*(?: \\S+){0,3} не (?:менял|меняла|сбрасывал|сбрасывала|запрашивал|запрашивала)(?= )",
    " (?:вирус|вредонос|заражен|малвар|троян|дефейс)\\S*",
    " (?:hack|hacked|compromised|malware|defaced|virus)\\S*",
    " someone(?: \\S+){0,3} (?:changed|logged|got|accessed|broke|deleted|is using)",
    " (?:not me|wasn t me|without my)",
  ].join("|"),
);

/** «сайт не открывается / лежит / 502»: the site is down for its visitors. */
const SITE = "(?:сайт|сайты|сайту|сайта|ресурс|магазин|site|website|sites|websites)";
const SITE_DOWN = new RegExp(
  [
    ` ${SITE}(?: \\S+){0,3} (?:не открыва|не работа|не грузит|не загружа|не доступ|недоступ|лежит|лег |легли|упал|отвалил|пропал|сломал)\\S*`,
    ` (?:не открыва|не работа|не грузит|не загружа|недоступ|лежит|упал|отвалил)\\S*(?: \\S+){0,2} ${SITE}`,
    " (?:ошибк\\S*|error|выдает|выдаёт|показывает|пишет|отдает)(?: \\S+){0,2} 50[0234](?= )",
    " 50[0234](?: \\S+){0,2} (?:ошибк\\S*|error|bad gateway|service unavailable|gateway)",
    " (?:bad gateway|service unavailable|gateway timeout|internal server error)",
    " (?:returns|returning|gives|giving|shows|showing|throws) (?:\\S+ )?50[0234](?= )",
    " (?:ничего|вообще|совсем|полностью) не (?:открыва|работа|грузит|загружа)\\S*",
    ` ${SITE}(?: \\S+){0,2} (?:is |are )?(?:down|not opening|not loading|not working|unreachable|offline)`,
    " (?:сервер|vps|впс|server)(?: \\S+){0,2} (?:не отвеча|недоступ|упал|лежит|down|unreachable|not responding)\\S*",
  ].join("|"),
);

/** A domain expiring now: «домен истекает завтра», «срок домена закончился», «domain expires». */
const DOMAIN_EXPIRING = new RegExp(
  [
    " домен\\S*(?: \\S+){0,4} (?:истека|истек|заканчива|закончил|кончает|кончил|просроч|слетает|слетел|отключ)\\S*",
    " (?:истека|истек|заканчива|закончил|просроч)\\S*(?: \\S+){0,4} домен\\S*",
    " (?:срочно|сегодня|завтра) (?:\\S+ ){0,2}продл\\S* (?:\\S+ ){0,2}домен\\S*",
    " продл\\S* (?:\\S+ ){0,2}домен\\S* (?:\\S+ ){0,2}(?:срочно|сегодня|завтра)",
    " domain(?: \\S+){0,3} (?:expir|expire|expires|expired|lapsed|lapse)\\S*",
  ].join("|"),
);

/** Money taken unexpectedly: a billing matter (the finance department checks it), not a request. */
const CHARGE = new RegExp(
  [
    " (?:списал|списали|списан|списание|снял|сняли|сняты)\\S*(?: \\S+){0,5} (?:дважды|два раза|повторно|лишн|непонятн|без|почему|зачем|не за|за что|неизвестн)\\S*",
    " (?:дважды|два раза|повторно|непонятн|лишн|почему|зачем)\\S*(?: \\S+){0,4} (?:списал|списали|списан|списание|снял|сняли)\\S*",
    " (?:charged twice|double charged|charged me twice|unknown charge|unexpected charge|why (?:was|were) i charged)",
    " charge\\S*(?: \\S+){0,9} (?:don t|do not|didn t) recogni\\S*",
    " (?:списал|списали|списан|списание|снял|сняли)\\S*(?: \\S+){0,6} (?:двойн|не подключал|не заказывал|не включал|отключил)\\S*",
    " (?:счет|сумм)\\S*(?: \\S+){0,3} (?:непонятн|неверн|странн)\\S*",
  ].join("|"),
);

/**
 * A request: a polite imperative («смените», «сделайте», «пришлите»), a wish («хочу, чтобы»,
 * «нужно», «прошу»), or the English forms («please», «can you», «I want»).
 */
const REQUEST = new RegExp(
  [
    " \\S{2,}(?:ите|йте|ьте)(?= )",
    " (?:хочу|хотим|хотелось бы|нужно|надо|прошу|просим|можете|могли бы|сможете|требую)(?= )",
    " (?:please|pls|plz|can you|could you|would you|will you|i want|i need|i d like|i would like|just)(?= )",
    " for me ",
  ].join("|"),
);

/** A verb in the past tense («поменял», «оплатила», «перестали»): the customer reports. */
const PAST =
  / \S{2,}(?:ил|ал|ял|ел|ыл|ул|ёл)(?:а|о|и|ось|ась|ись|ся)?(?= )| (?:i|we) (?:\S+ )?(?:changed|paid|added|moved|updated|tried|did|set|bought|renewed)(?= )/g;

/** Nouns that end like a past-tense verb. */
const NOT_PAST = new Set([
  "панели",
  "недели",
  "модели",
  "параметрал",
  "материал",
  "материалы",
  "сигнал",
  "канал",
  "канала",
  "каналы",
  "журнал",
  "файл",
  "файла",
  "профиль",
  "ели",
  "цели",
  "отели",
  "идеал",
  "интервал",
  "терминал",
  "портал",
  "портала",
  "персонал",
]);

function hasPastVerb(padded: string): boolean {
  for (const m of padded.matchAll(PAST)) if (!NOT_PAST.has(m[0].trim())) return true;
  return false;
}

/** Any word that looks like a verb form: infinitive, imperative, past or present (nouns excluded). */
const VERB_FORM =
  / \S+(?:ть|ти|чь|ться|тся|ите|йте|ьте|ил|ал|ял|ел|ла|ли|ет|ит|ют|ят|ем|им)(?= )| (?:change|want|need|do|can|could|please|is|are|was|how)(?= )/g;

/** True when a message has a verb: without one («смена владельца домена»), nobody is asked to act. */
export function hasVerb(padded: string): boolean {
  for (const m of padded.matchAll(VERB_FORM)) if (!NOT_PAST.has(m[0].trim())) return true;
  return false;
}

/**
 * A payment the customer made that did not arrive: the finance department checks it (billing).
 * «Оплатил, а на баланс не пришло», «topped up but nothing on the balance».
 */
const PAYMENT_MISSING = new RegExp(
  [
    " (?:оплатил|оплатила|оплатили|пополнил|пополнила|пополнили|перевел|перевела|перевели|перечислил|перечислили|заплатил|заплатили)\\S*(?: \\S+){0,10} (?:не пришл|не пришел|не зачисл|не поступ|не отобража|не появил|неоплачен|ничего нет|нет на балансе)\\S*",
    " (?:topped up|paid|transferred)(?: \\S+){0,14} (?:nothing on|not credited|wasn t credited|isn t credited|not arrived|didn t arrive|hasn t arrived|not showing|still unpaid|no money|not on the balance)",
  ].join("|"),
);

/** «добавьте к заявке 745112…», «заявка 634817 на каком этапе»: the object is an existing ticket. */
const TICKET_REFERENCE =
  / (?:заявк|обращени|тикет|ticket|request)\S*(?: \S+){0,3} (?:№ ?|# ?|номер )?\d{5,12}(?= )| \d{5,12}(?: \S+){0,2} (?:заявк|обращени|тикет|ticket)\S*/;

/** True when a message is about an existing ticket (with its number). */
export function mentionsTicket(padded: string): boolean {
  return TICKET_REFERENCE.test(padded);
}

/** «переведите на оператора», «соедините с человеком»: a person is asked for, not an account action. */
const PERSON_REQUEST =
  / (?:переведите|переключите|соедините|позовите|позови|пригласите|свяжите|дайте|подключите)(?: \S+){0,2} (?:на |с |со )?(?:оператор|человек|сотрудник|менеджер|специалист|консультант|живо)\S*| (?:human|real person|live agent|operator|agent) please| (?:talk|speak) to (?:a |an )?(?:human|person|operator|agent)/;

/** True when a message asks for a person. */
export function asksForPerson(padded: string): boolean {
  return PERSON_REQUEST.test(padded);
}

/**
 * Prices, plans and ways to pay: a sales question, answered as a general one (a person can help),
 * never urgent, never a billing case. «Сколько стоит хостинг», «можно оплатить с расчётного счёта».
 */
const SALES = new RegExp(
  [
    " (?:сколько стоит|сколько стоят|сколько будет стоить|какая цена|какие цены|стоимость|прайс|скидк\\S*|акци\\S*)(?= )",
    " (?:можно|как|чем|какими способами) (?:\\S+ )?(?:оплатить|заплатить|платить)(?= )",
    " (?:how much|price|prices|pricing|discount|discounts|which plans|what plans|payment methods)(?= )",
  ].join("|"),
);

/** True for a question about prices, plans or ways to pay. */
export function isSalesQuestion(padded: string): boolean {
  return SALES.test(padded);
}

/** The speech act of normalized, space-padded text: how-to first, then a request, then a report. */
export function speechActOf(padded: string): SpeechAct {
  if (HOWTO.test(padded)) return "howto";
  // «если бы вы сменили…» is a polite request in the past-tense form, not a report.
  if (REQUEST.test(padded) || / бы /.test(padded)) return "request";
  if (/ (?:почему|зачем|отчего|why)(?= )/.test(padded)) return "why";
  if (hasPastVerb(padded)) return "report";
  return "other";
}

/**
 * The incident a message reports, if any, most serious first. A how-to question about an
 * incident («что делать, если сайт не открывается?») is still the incident: it is happening.
 */
export function incidentOf(padded: string): Incident | undefined {
  if (HACKED.test(padded)) return "hacked";
  if (SITE_DOWN.test(padded)) return "site_down";
  if (DOMAIN_EXPIRING.test(padded)) return "domain_expiring";
  if (CHARGE.test(padded) || PAYMENT_MISSING.test(padded)) return "charge";
  return undefined;
}
