/**
 * `npx tsx tests/bench/flow-micro.ts`: µs per question of the flow's pure text path: classify a
 * question, then look it up in the knowledge base (what `handleQuestion` + `respond("general")` do).
 * A fixed set of 50 questions written for this script (not from the evaluation corpus), Russian and
 * English, every category. Short on purpose: a few hundred milliseconds per figure, best of 5.
 *
 * Figures: `classify` alone, `kb.find` alone, and `classify+find` on the same text (the flow's order);
 * then `cold` is `classify+find` with the per-word stem cache emptied before every question (each
 * word stemmed from scratch: the worst case, a vocabulary never seen before).
 *
 * Optional argument: iterations per round (default 100).
 */
import { performance } from "node:perf_hooks";
import { createClassifier } from "../../flows/classifier/index.js";
import { defaultKnowledgeBase } from "../../flows/knowledge-base.js";
import { clearTextCaches } from "../../flows/nlp/tokenize.js";

/** Our own sample questions, one line each. */
export const MICRO_QUESTIONS: readonly string[] = [
  "Добрый вечер, подскажите как написать в поддержку если кабинет не открывается",
  "сколько обычно ждать ответа от специалистов?",
  "где в панели посмотреть переписку с поддержкой",
  "можно ли позвонить вам ночью",
  "какой телефон у техподдержки",
  "что указать в обращении чтобы меня быстро нашли",
  "ответ придёт на электронную почту?",
  "как узнать, что заявку взяли в работу",
  "how do I contact your support team",
  "where can I read replies to my tickets",
  "Смените, пожалуйста, владельца договора на мою жену",
  "сбросьте пароль от личного кабинета",
  "хочу вернуть деньги за неиспользованный хостинг",
  "переведите домен example.ru на другой аккаунт",
  "сколько у меня осталось денег на счету",
  "удалите мой аккаунт полностью",
  "я владелец, поменяйте email для входа",
  "please reset my account password",
  "сайт выдаёт ошибку 502 после обновления плагинов",
  "не работает почта на домене, письма не доходят",
  "php скрипт падает с out of memory, как увеличить лимит",
  "после переноса сайт открывается без стилей",
  "не могу подключиться по ssh, connection refused",
  "база данных mysql тормозит, запросы по 10 секунд",
  "SSL сертификат не продлился автоматически, браузер ругается",
  "my WordPress site shows a white screen",
  "cron задачи перестали выполняться со вчерашнего дня",
  "оплатил счёт вчера, а услуга до сих пор не активна",
  "почему списали больше, чем стоит тариф",
  "нужен счёт на оплату для юрлица",
  "где скачать закрывающие документы за прошлый квартал",
  "как оплатить хостинг картой другого банка",
  "I was charged twice for the same invoice",
  "пришёл акт сверки с ошибкой в сумме",
  "СРОЧНО сайт лежит, магазин не принимает заказы!!!",
  "всё упало, ни один сайт не открывается уже час",
  "нас взломали, на главной чужая реклама",
  "сервер не отвечает, клиенты звонят, помогите срочно",
  "urgent: the whole server is down right now",
  "какой статус у заявки 4815162",
  "что с моим обращением номер 112233, прошла неделя",
  "есть новости по тикету?",
  "what is the status of ticket 90817",
  "когда ответят по моей заявке про перенос",
  "соедините с живым человеком",
  "хочу поговорить с оператором",
  "позовите специалиста, бот не понимает",
  "can I talk to a human please",
  "ммм ладно",
  "абракадабра шмяк",
];

function measure(label: string, iterations: number, body: (q: string) => unknown): number {
  let sink = 0;
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    const start = performance.now();
    for (let i = 0; i < iterations; i++) {
      for (const q of MICRO_QUESTIONS) if (body(q) !== undefined) sink++;
    }
    const us = ((performance.now() - start) * 1000) / (iterations * MICRO_QUESTIONS.length);
    best = Math.min(best, us);
  }
  process.stdout.write(`${label.padEnd(16)} ${best.toFixed(2).padStart(7)} µs/question  (sink ${sink})\n`);
  return best;
}

function main(): void {
  const iterations = Number(process.argv[2] ?? 100);
  const classifier = createClassifier();
  const kb = defaultKnowledgeBase();
  // Warm-up: JIT, and any per-word caches a real process has filled after its first minutes.
  for (let i = 0; i < 50; i++) {
    for (const q of MICRO_QUESTIONS) {
      classifier.classify(q);
      kb.find(q);
    }
  }
  const results = {
    classify: measure("classify", iterations, (q) => classifier.classify(q)),
    find: measure("kb.find", iterations, (q) => kb.find(q) ?? null),
    both: measure("classify+find", iterations, (q) => {
      classifier.classify(q);
      return kb.find(q) ?? null;
    }),
    cold: measure("cold", Math.ceil(iterations / 4), (q) => {
      clearTextCaches();
      classifier.classify(q);
      return kb.find(q) ?? null;
    }),
  };
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

// Only when run as a program, so the question list can be imported without running the bench.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/"))) main();
