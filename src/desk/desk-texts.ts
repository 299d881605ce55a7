/**
 * Texts the agents see in the desk (Russian: the agents' language). Customer-facing texts live in
 * flows/texts instead.
 */
export const DESK_TEXT = {
  customer: "Клиент",
  cancelled: "Клиент отменил ожидание. Обращение закрыто.",
  rated: (score: number) => `Оценка клиента: ${score} из 5.`,
  nonText: (kind: string) => `Клиент прислал не текст (${kind}); в этот канал его переслать нельзя.`,
  onlyText: "Клиенту доставляется только текст. Напишите ответ словами.",
  alreadyClosed: "Обращение уже закрыто.",
  youHaveIt: "Обращение уже ваше.",
  takenBy: (agent: string) => `Обращение уже взял(а) ${agent}.`,
  taken: "Обращение ваше. Пишите ответ в этой теме.",
  closed: "Обращение закрыто, клиенту предложено оценить помощь.",
  closedBy: (agent: string) => `Обращение закрыл(а) ${agent}.`,
  undeliverable: (reason: string) =>
    reason === "blocked"
      ? "❌ Сообщение не доставлено: клиент заблокировал бота."
      : `❌ Сообщение не доставлено: чат клиента недоступен (${reason}).`,
  deliveryGaveUp: (attempts: number) =>
    `❌ Сообщение не доставлено после ${attempts} попыток: платформа не отвечает. Повторите позже.`,
  neglected: (minutes: number) => `⏰ Обращение ждёт уже ${minutes} мин, его никто не взял.`,
} as const;
