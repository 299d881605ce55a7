import type { Locale } from "../../flows/model.js";

/**
 * Texts the agents see in the desk, in the desk's language (`DESK_LOCALE`). Customer-facing texts
 * live in flows/texts instead. Wording about agents is gender-neutral («взято», not «взял(а)»).
 */
const RU = {
  customer: "Клиент",
  bot: "Бот",
  cancelled: "Клиент отменил ожидание. Обращение закрыто.",
  rated: (score: number) => `Оценка клиента: ${score} из 5.`,
  nonText: (kind: string) => `Клиент прислал не текст (${kind}); в этот канал его переслать нельзя.`,
  attachment: (kind: string, url: string) => `Клиент прислал вложение (${kind}): ${url}`,
  customerEdited:
    "✏️ Клиент изменил одно из своих сообщений без текста (изменено): вложение в этот канал не пересылается.",
  mediaFailed: "Вложение клиенту не доставлено: платформа его не приняла. Опишите словами.",
  alreadyClosed: "Обращение уже закрыто.",
  youHaveIt: "Обращение уже ваше.",
  takenBy: (agent: string) => `Обращение уже у сотрудника ${agent}.`,
  taken: "Обращение ваше. Пишите ответ в этой теме.",
  closed: "Обращение закрыто, клиенту предложено оценить помощь.",
  closedBy: (agent: string) => `Обращение закрыто (${agent}).`,
  notYours: (owner: string) =>
    `Это обращение у сотрудника ${owner}: ваше сообщение осталось заметкой и клиенту не отправлено. Чтобы ответить самим, попросите передать его вам или возьмите его: /take`,
  transferPick: "Кому передать обращение?",
  transferNobody: "Некому передать: в desk ещё никто, кроме вас, не отвечал.",
  transferred: (from: string, to: string) => `Обращение передано: ${from} → ${to}.`,
  takenOver: (from: string, to: string) => `Обращение перешло к сотруднику ${to} (было у ${from}).`,
  released: (agent: string) => `Обращение возвращено в очередь (${agent}).`,
  onlyOwner: "Это может сделать только тот, у кого обращение.",
  undeliverable: (reason: string) =>
    reason === "blocked"
      ? "❌ Сообщение не доставлено: клиент заблокировал бота."
      : `❌ Сообщение не доставлено: чат клиента недоступен (${reason}).`,
  deliveryGaveUp: (attempts: number) =>
    `❌ Сообщение не доставлено после ${attempts} попыток: платформа не отвечает. Повторите позже.`,
  editNotDelivered: "Правка не дошла до клиента: исходное сообщение ещё не доставлено или не редактируется.",
  edited: "(изменено)",
  neglected: (minutes: number) => `⏰ Обращение ждёт уже ${minutes} мин, его никто не взял.`,
  escalated: (count: number, oldest: number, mentions: string) =>
    `⏰ ${count} обращ. ждут без ответа, самое давнее — ${oldest} мин. ${mentions}`.trim(),
  aliasSet: (alias: string) => `Клиенты будут видеть вас как «${alias}».`,
  aliasUsage: "Использование: /alias Имя — как вас увидят клиенты.",
  templateUnknown: (keys: string) => `Нет такого шаблона. Есть: ${keys}.`,
  banned: "Клиент заблокирован: бот больше не передаёт его сообщения.",
  unbanned: "Клиент разблокирован.",
  stats: "Статистика сотрудников (обработано · до взятия · до ответа · оценка):",
  noStats: "Статистики пока нет.",
  buttons: { take: "Взять", close: "Закрыть", transfer: "Передать", release: "Вернуть в очередь" },
  card: {
    title: (n: number, channel: string) => `Обращение #${n} (${channel})`,
    login: (login?: string) =>
      `Логин: ${login ? `${login} (со слов клиента, НЕ проверен)` : "гость, без аккаунта"}`,
    category: (c: string) => `Категория: ${c}`,
    priority: (high: boolean) => `Приоритет: ${high ? "ВЫСОКИЙ" : "обычный"}`,
    ticket: (t?: string) => `Номер заявки: ${t ?? "—"}`,
    profile: (p: string) => `Профиль: ${p}`,
    language: (l: string) => `Язык: ${l === "en" ? "английский" : "русский"}`,
    asked: (at: string) => `Обратился: ${at}`,
    owner: (agent?: string) => (agent ? `Ведёт: ${agent}` : "Ещё никто не взял"),
    ended: (how: "closed" | "cancelled"): string => (how === "closed" ? "✅ Закрыто" : "✖️ Клиент ушёл"),
    history: "Прошлые обращения:",
    historyLine: (n: number | undefined, rating: number | undefined) =>
      `#${n ?? "?"}${rating ? ` — оценка ${rating}/5` : ""}`,
    warning:
      "⚠️ Канал не авторизован: не выполняйте действий в аккаунте и не сообщайте конфиденциальные данные. " +
      "Такие запросы — только через заявку из панели управления или письмо на email с логином / номером договора / доменом.",
    help: "Сообщение, начинающееся с //, — заметка для коллег, клиенту не отправляется. /close — завершить, /t ключ — шаблон.",
    transcript: "Переписка:",
  },
  guest: "гость",
  overview: (count: number) => `📋 Очередь: ждут ${count}`,
  overviewEmpty: "📋 Очередь пуста.",
  overviewOldest: (minutes: number) => `самое давнее ожидание — ${minutes} мин`,
  overviewOwners: "В работе:",
  minutes: (n: number) => `${n} мин`,
  categories: {
    general: "общий вопрос",
    account_action: "действие с аккаунтом",
    technical: "техническая проблема",
    billing: "оплата",
    urgent: "срочно",
    ticket_status: "статус заявки",
    operator: "просит специалиста",
  } as Record<string, string>,
};

/** The desk's texts in one language. */
export type DeskTexts = typeof RU;

const EN: DeskTexts = {
  customer: "Customer",
  bot: "Bot",
  cancelled: "The customer stopped waiting. The handoff is closed.",
  rated: (score) => `Customer's rating: ${score} of 5.`,
  nonText: (kind) => `The customer sent something that is not text (${kind}); it cannot be relayed here.`,
  attachment: (kind, url) => `The customer sent an attachment (${kind}): ${url}`,
  customerEdited:
    "✏️ The customer edited one of their messages that has no text (edited): the attachment cannot be relayed here.",
  mediaFailed: "The attachment did not reach the customer: the platform refused it. Describe it in words.",
  alreadyClosed: "This handoff is already closed.",
  youHaveIt: "This handoff is already yours.",
  takenBy: (agent) => `This handoff is already with ${agent}.`,
  taken: "It's yours. Write your answer in this topic.",
  closed: "Closed; the customer was asked to rate the help.",
  closedBy: (agent) => `Closed (${agent}).`,
  notYours: (owner) =>
    `This handoff is with ${owner}: your post stays a note and was not sent to the customer. To answer, ask them to transfer it to you, or take it over: /take`,
  transferPick: "Transfer the handoff to whom?",
  transferNobody: "Nobody to transfer to: no one else has answered in the desk yet.",
  transferred: (from, to) => `Transferred: ${from} → ${to}.`,
  takenOver: (from, to) => `${to} took the handoff over (it was with ${from}).`,
  released: (agent) => `Back in the queue (${agent}).`,
  onlyOwner: "Only the agent who has the handoff can do this.",
  undeliverable: (reason) =>
    reason === "blocked"
      ? "❌ Not delivered: the customer blocked the bot."
      : `❌ Not delivered: the customer's chat is unavailable (${reason}).`,
  deliveryGaveUp: (attempts) =>
    `❌ Not delivered after ${attempts} attempts: the platform does not answer. Try again later.`,
  editNotDelivered:
    "The edit did not reach the customer: the original is not delivered yet or cannot be edited.",
  edited: "(edited)",
  neglected: (minutes) => `⏰ This handoff has waited ${minutes} min and nobody has taken it.`,
  escalated: (count, oldest, mentions) =>
    `⏰ ${count} handoff(s) wait unanswered, the oldest for ${oldest} min. ${mentions}`.trim(),
  aliasSet: (alias) => `Customers will see you as “${alias}”.`,
  aliasUsage: "Usage: /alias Name — how customers see you.",
  templateUnknown: (keys) => `No such template. There are: ${keys}.`,
  banned: "The customer is banned: the bot no longer relays their messages.",
  unbanned: "The customer is unbanned.",
  stats: "Agents (handled · to claim · to first reply · rating):",
  noStats: "No figures yet.",
  buttons: { take: "Take", close: "Close", transfer: "Transfer", release: "Back to queue" },
  card: {
    title: (n, channel) => `Handoff #${n} (${channel})`,
    login: (login) =>
      `Login: ${login ? `${login} (as the customer says, NOT verified)` : "guest, no account"}`,
    category: (c) => `Category: ${c}`,
    priority: (high) => `Priority: ${high ? "HIGH" : "normal"}`,
    ticket: (t) => `Ticket: ${t ?? "—"}`,
    profile: (p) => `Profile: ${p}`,
    language: (l) => `Language: ${l === "en" ? "English" : "Russian"}`,
    asked: (at) => `Asked: ${at}`,
    owner: (agent) => (agent ? `With: ${agent}` : "Nobody has taken it yet"),
    ended: (how) => (how === "closed" ? "✅ Closed" : "✖️ The customer left"),
    history: "Earlier handoffs:",
    historyLine: (n, rating) => `#${n ?? "?"}${rating ? ` — rated ${rating}/5` : ""}`,
    warning:
      "⚠️ Unauthorized channel: perform no account actions and disclose no confidential data. " +
      "Such requests go through a ticket from the control panel or an email with the login / contract number / domain.",
    help: "A post starting with // is a note for colleagues and never reaches the customer. /close ends it, /t key inserts a template.",
    transcript: "Conversation:",
  },
  guest: "guest",
  overview: (count) => `📋 Queue: ${count} waiting`,
  overviewEmpty: "📋 The queue is empty.",
  overviewOldest: (minutes) => `oldest wait ${minutes} min`,
  overviewOwners: "In progress:",
  minutes: (n) => `${n} min`,
  categories: {
    general: "general question",
    account_action: "account action",
    technical: "technical problem",
    billing: "billing",
    urgent: "urgent",
    ticket_status: "ticket status",
    operator: "asks for an agent",
  },
};

/** The desk's texts for a locale. */
export function deskTexts(locale: Locale): DeskTexts {
  return locale === "en" ? EN : RU;
}
