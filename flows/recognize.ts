/**
 * Recognizing what a customer line *is* before asking what it is about: a command, small talk,
 * yes/no, a ticket number, a rating, anger. Pure functions over the event and its masked text.
 */
import { NO_ACCOUNT_PAYLOAD } from "./login.js";
import type { GlobalCommand, InboundEvent } from "./model.js";

/** Button payloads (short ASCII, at most 48 bytes: they travel as Telegram callback data). */
export const PAYLOAD = {
  noAccount: NO_ACCOUNT_PAYLOAD,
  forgotLogin: "forgot_login",
  helpedYes: "helped_yes",
  needHuman: "need_human",
  operator: "operator",
  start: "start",
  cancel: "cancel",
  cancelWait: "cancel_wait",
  noTicket: "no_ticket",
  ticketHowto: "ticket_howto",
  askUs: "ask_us",
  askSelf: "ask_self",
} as const;

/** Plain-text forms of the global commands (VK has no commands: the same words as text). */
const COMMAND_WORDS: Record<GlobalCommand, readonly string[]> = {
  start: ["/start", "start", "начать", "старт", "начать заново", "сначала", "в начало", "restart"],
  operator: [
    "/operator",
    "оператор",
    "operator",
    "позвать оператора",
    "позовите оператора",
    "human",
    "человек",
    "специалист",
    "нужен специалист",
    "оператора",
  ],
  cancel: ["/cancel", "cancel", "отмена", "отменить", "отменить ожидание", "стоп", "stop"],
};

/** The last text simplified and its result: one step asks for the same text's form several times. */
let lastSimplified = { text: "", simple: "" };

/** Lower case, «ё» folded, punctuation to spaces, single spaces. */
export function simplify(text: string): string {
  if (text === lastSimplified.text) return lastSimplified.simple;
  const simple = text
    .toLowerCase()
    .replace(/ё/g, "е")
    .replace(/[!.?,;:«»"'()…)(]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  lastSimplified = { text, simple };
  return simple;
}

/** The global command an event carries: a command, a command button, or the same word as text. */
export function commandOf(event: InboundEvent, text: string | undefined): GlobalCommand | undefined {
  if (event.kind === "command") return event.command;
  if (event.kind === "button") {
    if (event.payload === PAYLOAD.operator) return "operator";
    if (event.payload === PAYLOAD.start) return "start";
    if (event.payload === PAYLOAD.cancel || event.payload === PAYLOAD.cancelWait) return "cancel";
    return undefined;
  }
  if (event.kind !== "text" || text === undefined) return undefined;
  const s = simplify(text);
  for (const command of ["start", "operator", "cancel"] as const) {
    if (COMMAND_WORDS[command].includes(s)) return command;
  }
  return undefined;
}

/** Small talk: a line that is only a greeting, thanks, an «ok» or a goodbye. */
export type SmallTalk = "hello" | "thanks" | "ok" | "bye";

const SMALL_TALK_WORDS: Record<SmallTalk, readonly string[]> = {
  hello: [
    "привет",
    "приветствую",
    "здравствуйте",
    "здраствуйте",
    "здрасте",
    "здрасьте",
    "добрый день",
    "добрый вечер",
    "доброе утро",
    "доброго дня",
    "хай",
    "алло",
    "ау",
    "hi",
    "hello",
    "hey",
    "hey there",
    "good morning",
    "good afternoon",
    "good evening",
    "privet",
    "zdravstvuyte",
    "dobryy den",
  ],
  thanks: [
    "спасибо",
    "спс",
    "пасиб",
    "пасибо",
    "благодарю",
    "спасибо большое",
    "большое спасибо",
    "спасибо огромное",
    "thanks",
    "thank you",
    "thx",
    "ty",
    "thank you very much",
    "thanks a lot",
    "cheers",
    "spasibo",
  ],
  ok: [
    "ок",
    "окей",
    "ok",
    "okay",
    "хорошо",
    "понятно",
    "ясно",
    "понял",
    "поняла",
    "ладно",
    "угу",
    "ага",
    "отлично",
    "супер",
    "принято",
    "got it",
    "i see",
    "great",
    "fine",
    "cool",
    "понятно все",
    "все понятно",
    "👍",
    "ясненько",
  ],
  bye: ["пока", "до свидания", "всего доброго", "всего хорошего", "bye", "goodbye", "see you", "до встречи"],
};

const SMALL_TALK_INDEX = new Map<string, SmallTalk>();
for (const [kind, list] of Object.entries(SMALL_TALK_WORDS) as [SmallTalk, readonly string[]][]) {
  for (const phrase of list) SMALL_TALK_INDEX.set(phrase, kind);
}

/**
 * The small talk a line is made of, or undefined when it says anything more. «Спасибо, понятно» is
 * thanks; «привет, сайт не работает» is not small talk (it has a question in it). Thanks win over
 * the rest, because it deserves its own answer.
 */
export function smallTalkOf(text: string): SmallTalk | undefined {
  const s = simplify(text)
    .replace(/[)(]+|[\u{1F300}-\u{1FAFF}\u2600-\u27BF]/gu, " ")
    .trim();
  if (s === "") return undefined;
  const direct = SMALL_TALK_INDEX.get(s);
  if (direct) return direct;
  const words = s.split(" ");
  if (words.length > 6) return undefined;
  const found = new Set<SmallTalk>();
  // Greedy: two-word phrases first, then single words; every word must belong to some phrase.
  for (let i = 0; i < words.length; ) {
    const two = `${words[i]} ${words[i + 1] ?? ""}`;
    const kind2 = words[i + 1] !== undefined ? SMALL_TALK_INDEX.get(two) : undefined;
    if (kind2) {
      found.add(kind2);
      i += 2;
      continue;
    }
    const kind1 = SMALL_TALK_INDEX.get(words[i] ?? "");
    if (!kind1 && !FILLER.has(words[i] ?? "")) return undefined;
    if (kind1) found.add(kind1);
    i += 1;
  }
  for (const kind of ["thanks", "bye", "hello", "ok"] as const) if (found.has(kind)) return kind;
  return undefined;
}

/** Words that may sit inside small talk without making it a question (after `simplify`: «ё» is «е»). */
const FILLER = new Set([
  "вам",
  "вас",
  "и",
  "да",
  "все",
  "теперь",
  "так",
  "очень",
  "а",
  "вы",
  "you",
  "so",
  "much",
  "very",
]);

const YES = /^(да|ага|угу|помогло|да помогло|спасибо помогло|yes|yep|it helped|yes thanks|да спасибо)$/;
const NO =
  /^(нет|не помогло|нет не помогло|специалист|нужен специалист|no|nope|it did not help|didn t help|specialist|нет не то)$/;
const NO_TICKET =
  /^(нет номера|номера нет|не знаю|не помню|не знаю номер|не помню номер|no number|i don t know|не знаю номера)$/;

/** «да, помогло». */
export function isYes(text: string): boolean {
  return YES.test(simplify(text));
}

/** «нет, не помогло». */
export function isNo(text: string): boolean {
  return NO.test(simplify(text));
}

/** «номера нет». */
export function isNoTicket(text: string): boolean {
  return NO_TICKET.test(simplify(text));
}

/** «не помню логин», «forgot my login». */
export function isForgotLogin(text: string): boolean {
  return /(?:не помню|забыл\S*|не знаю|forgot|don t remember|do not remember|потерял\S*)(?: \S+){0,2} (?:логин\S*|login|договор\S*)|^(?:не помню|не знаю|забыл)$/.test(
    simplify(text).replace(/'/g, " "),
  );
}

/** The first ticket-like number: after «заявка/№/#/ticket» when there is one, else 5–10 digits alone. */
export function extractTicketNumber(text: string): string | undefined {
  const near = /(?:заявк\S*|обращени\S*|тикет\S*|ticket|request|№|#)\D{0,12}?(\d{4,12})(?!\d)/iu.exec(text);
  if (near?.[1]) return near[1];
  return /(?<!\d)(\d{5,10})(?!\d)/.exec(text)?.[1];
}

/** A ticket number given on its own (the answer to «send the ticket number»). */
export function parseTicketAnswer(text: string): string | undefined {
  const s = text.trim().replace(/^(?:№|#|номер|заявка|ticket|no\.?)\s*/iu, "");
  const compacted = s.replace(/[\s-]/g, "");
  if (/^\d{4,12}$/.test(compacted)) return compacted;
  return extractTicketNumber(text);
}

/** The payload of a rating button. */
export function ratingPayload(score: number): string {
  return `rate:${score}`;
}

/** A 1–5 rating from a button payload, a digit, or stars. */
export function parseRating(event: InboundEvent, text: string | undefined): number | undefined {
  if (event.kind === "button") {
    const m = /^rate:([1-5])$/.exec(event.payload ?? "");
    return m ? Number(m[1]) : undefined;
  }
  if (text === undefined) return undefined;
  const s = text.trim();
  const digit = /^([1-5])(?:\s*(?:\/\s*5|из\s*5|of\s*5|⭐+|\*+))?[!.]?$/u.exec(s);
  if (digit) return Number(digit[1]);
  const stars = /^(?:⭐️?){1,5}$/u.exec(s);
  if (stars) return [...s.replace(/\uFE0F/g, "")].length;
  return undefined;
}

/** A customer in trouble or angry: a word of empathy goes before the answer. */
export function soundsUpset(text: string): boolean {
  if (/!{2,}|\?!|!\?/.test(text)) return true;
  const letters = text.replace(/[^A-Za-zА-Яа-яЁё]/g, "");
  if (letters.length >= 12 && letters === letters.toUpperCase()) return true;
  return /(?:безобрази|ужас|кошмар|сколько можно|надоел|бесит|достал|отвратительн|возмутительн|издевательств|срочно|потерял\S* деньг|обман|terrible|ridiculous|unacceptable|angry|furious|asap)/i.test(
    text,
  );
}
