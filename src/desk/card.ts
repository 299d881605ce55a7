import type { HandoffRequest } from "../../flows/types.js";

const CHANNEL_LABEL = { telegram: "TG", vk: "VK", console: "CLI" } as const;

/** Telegram's limit on a forum topic name. */
const TOPIC_NAME_MAX = 128;

/** The topic name `#<n> · TG|VK · <login or guest> · <category>`, within Telegram's 128 characters. */
export function topicTitle(n: number, request: HandoffRequest): string {
  const who = request.login ? request.login : "гость";
  const title = `#${n} · ${CHANNEL_LABEL[request.channel]} · ${who} · ${request.category}`;
  return title.length <= TOPIC_NAME_MAX ? title : `${title.slice(0, TOPIC_NAME_MAX - 1)}…`;
}

/** Button payloads of the card; short, within the 64-byte callback limit for any handoff id. */
export const deskPayload = {
  take: (handoffId: string) => `dt:${handoffId}`,
  close: (handoffId: string) => `dc:${handoffId}`,
};

/** Reads a desk button payload back. */
export function parseDeskPayload(data: string): { action: "take" | "close"; handoffId: string } | undefined {
  const m = /^d([tc]):(.+)$/.exec(data);
  if (!m?.[2]) return undefined;
  return { action: m[1] === "t" ? "take" : "close", handoffId: m[2] };
}

/** Telegram's limit on a message; the card keeps the newest transcript lines that fit. */
const CARD_MAX = 4000;

/**
 * The card: the first post of a handoff's topic. The login is marked as claimed and unverified,
 * and the reminder that the channel is unauthorized is always there (invariant 4).
 */
export function renderCard(n: number, request: HandoffRequest, agentName?: string): string {
  const head = [
    `Обращение #${n} (${CHANNEL_LABEL[request.channel]})`,
    `Логин: ${request.login ? `${request.login} (со слов клиента, НЕ проверен)` : "гость, без аккаунта"}`,
    `Категория: ${request.category}`,
    `Приоритет: ${request.priority === "high" ? "ВЫСОКИЙ" : "обычный"}`,
    `Номер заявки: ${request.ticket ?? "—"}`,
    agentName ? `Взял: ${agentName}` : "Ещё никто не взял",
    "",
    "⚠️ Канал не авторизован: не выполняйте действий в аккаунте и не сообщайте конфиденциальные данные. " +
      "Такие запросы — только через заявку из панели управления или письмо на email с логином / номером договора / доменом.",
    "Сообщение, начинающееся с //, — заметка для коллег, клиенту не отправляется. /close — завершить.",
    "",
    "Переписка:",
  ].join("\n");
  // Line breaks inside a line become marked continuations: typed text can never start a «Бот:» line.
  const lines = request.transcript.map(
    (l) =>
      `${l.from === "customer" ? "Клиент" : "Бот"}: ${l.text.replace(/\r\n?|[\n\v\f\u0085\u2028\u2029]/g, "\n  ↳ ")}`,
  );
  // Keep the newest lines: they matter most, and the card must fit one message.
  const kept: string[] = [];
  let size = head.length;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] ?? "";
    if (size + line.length + 1 > CARD_MAX) break;
    kept.unshift(line);
    size += line.length + 1;
  }
  return `${head}\n${kept.length > 0 ? kept.join("\n") : "—"}`;
}
