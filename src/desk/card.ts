import type { Button } from "../../flows/model.js";
import type { HandoffRecord } from "../handoff/handoff-record.js";
import type { DeskTexts } from "./desk-texts.js";

/** How a channel is named in topic names, cards and the overview. */
export const CHANNEL_LABEL = { telegram: "TG", vk: "VK", console: "CLI" } as const;

/** Telegram's limit on a forum topic name. */
const TOPIC_NAME_MAX = 128;

/** Where a handoff is, as its topic name and card show it. */
export type HandoffState = "waiting" | "claimed" | "closed" | "cancelled";

/** The state of a record. */
export function stateOf(record: HandoffRecord): HandoffState {
  if (record.cancelledAt !== undefined) return "cancelled";
  if (record.closedAt !== undefined) return "closed";
  return record.agentId ? "claimed" : "waiting";
}

const ICON: Record<HandoffState, string> = { waiting: "⏳", claimed: "🟢", closed: "✅", cancelled: "✖️" };

/** The translated name of a category (the id itself when there is no translation). */
export function categoryName(texts: DeskTexts, category: string): string {
  return texts.categories[category] ?? category;
}

/**
 * The topic name `<state> #<n> · TG|VK · <login or guest> · <category>[ · <owner>]`, within Telegram's
 * 128 characters. `#<n> ·` is unique forever: the marker by which a created topic is adopted.
 */
export function topicTitle(record: HandoffRecord, texts: DeskTexts): string {
  const state = stateOf(record);
  const who = record.request?.login ?? texts.guest;
  const owner = state === "claimed" && record.agentName ? ` · ${record.agentName}` : "";
  const title = `${ICON[state]} #${record.n ?? "?"} · ${CHANNEL_LABEL[record.channel]} · ${who} · ${categoryName(texts, record.category)}${owner}`;
  return title.length <= TOPIC_NAME_MAX ? title : `${title.slice(0, TOPIC_NAME_MAX - 1)}…`;
}

/** Reads the topic number back from a topic's name (see `topicTitle`). */
export function numberInTitle(name: string): number | undefined {
  const m = /#(\d+) ·/.exec(name);
  return m?.[1] ? Number(m[1]) : undefined;
}

/** Button payloads of the desk; short, within the 64-byte callback limit for any handoff id. */
export const deskPayload = {
  take: (handoffId: string) => `dt:${handoffId}`,
  close: (handoffId: string) => `dc:${handoffId}`,
  transfer: (handoffId: string) => `dx:${handoffId}`,
  release: (handoffId: string) => `dr:${handoffId}`,
  transferTo: (handoffId: string, agentId: string) => `dy:${agentId}:${handoffId}`,
};

/** A desk button's action. */
export type DeskAction =
  | { action: "take" | "close" | "transfer" | "release"; handoffId: string }
  | { action: "transferTo"; handoffId: string; agentId: string };

/** Reads a desk button payload back. */
export function parseDeskPayload(data: string): DeskAction | undefined {
  const to = /^dy:(\d+):(.+)$/.exec(data);
  if (to?.[1] && to[2]) return { action: "transferTo", agentId: to[1], handoffId: to[2] };
  const m = /^d([tcxr]):(.+)$/.exec(data);
  if (!m?.[2]) return undefined;
  const action = ({ t: "take", c: "close", x: "transfer", r: "release" } as const)[
    m[1] as "t" | "c" | "x" | "r"
  ];
  return { action, handoffId: m[2] };
}

/** The card's buttons for a state: none once the handoff has ended. */
export function cardButtons(record: HandoffRecord, texts: DeskTexts): Button[][] | undefined {
  const b = texts.buttons;
  switch (stateOf(record)) {
    case "waiting":
      return [
        [
          { label: b.take, payload: deskPayload.take(record.id) },
          { label: b.close, payload: deskPayload.close(record.id) },
        ],
      ];
    case "claimed":
      return [
        [{ label: b.close, payload: deskPayload.close(record.id) }],
        [
          { label: b.transfer, payload: deskPayload.transfer(record.id) },
          { label: b.release, payload: deskPayload.release(record.id) },
        ],
      ];
    default:
      return undefined;
  }
}

/** Telegram's limit on a message; the card keeps the first description and the newest lines that fit. */
const CARD_MAX = 4000;

/** What the card shows besides the record. */
export interface CardContext {
  /** Earlier handoffs of this customer. */
  history: HandoffRecord[];
  /** A link to an earlier handoff's topic. */
  link?: (threadId: number) => string;
  /** The desk's time zone, for «when asked». */
  timeZone: string;
}

/** The customer's first description (their first line that is not a command), if any. */
export function firstDescription(record: HandoffRecord): string | undefined {
  return record.request?.transcript.find((l) => l.from === "customer" && !l.text.startsWith("/"))?.text;
}

/**
 * The card: the first post of a handoff's topic. The login is marked as claimed and unverified, the
 * reminder that the channel is unauthorized is always there (invariant 4), and the transcript shows
 * the customer's own words only (the bot's filler is in the flow, not news to an agent), the first
 * description whole.
 */
export function renderCard(record: HandoffRecord, texts: DeskTexts, context: CardContext): string {
  const c = texts.card;
  const request = record.request;
  const state = stateOf(record);
  const profile =
    record.profile ??
    (record.channel === "vk" ? `https://vk.com/id${record.chatId}` : `tg://user?id=${record.chatId}`);
  const asked = new Date(record.createdAt).toLocaleString("ru-RU", { timeZone: context.timeZone });
  const head = [
    c.title(record.n ?? 0, CHANNEL_LABEL[record.channel]),
    c.login(request?.login),
    c.profile(profile),
    c.category(categoryName(texts, record.category)),
    c.priority(record.priority === "high"),
    c.ticket(request?.ticket),
    c.language(record.locale),
    c.asked(asked),
    state === "closed" || state === "cancelled" ? c.ended(state) : c.owner(record.agentName),
    ...(context.history.length > 0
      ? [
          c.history,
          ...context.history.map(
            (h) =>
              `  ${c.historyLine(h.n, h.rating)}${h.topic !== undefined && context.link ? ` ${context.link(h.topic)}` : ""}`,
          ),
        ]
      : []),
    "",
    c.warning,
    c.help,
    "",
    c.transcript,
  ].join("\n");
  // Line breaks inside a line become marked continuations: typed text can never start a «Бот:» line.
  // Commands (/start, /operator) are how the customer got here, not what they need.
  const lines = (request?.transcript ?? [])
    .filter((l) => l.from === "customer" && !l.text.startsWith("/"))
    .map((l) => `${texts.customer}: ${l.text.replace(/\r\n?|[\n\v\f\u0085\u2028\u2029]/g, "\n  ↳ ")}`);
  const [first, ...rest] = lines;
  const kept: string[] = [];
  let size = head.length + (first?.length ?? 0);
  for (let i = rest.length - 1; i >= 0; i--) {
    const line = rest[i] ?? "";
    if (size + line.length + 1 > CARD_MAX) break;
    kept.unshift(line);
    size += line.length + 1;
  }
  const body = first ? [first.slice(0, CARD_MAX - head.length - 2), ...kept].join("\n") : "—";
  return `${head}\n${body}`;
}
