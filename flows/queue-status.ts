/**
 * The messages the engine and the desk send on the flow's behalf: the queue status (edited in place),
 * the flood notice, and the prefix of an agent's words.
 */
import type { Locale, OutboundReply } from "./model.js";
import type { OperatorProfile } from "./profile.js";
import { PAYLOAD } from "./recognize.js";
import { t, type TextKey } from "./texts/index.js";
import type { QueueStatus } from "./types.js";

/** The tag of the queue-status message, edited in place as the position changes. */
export const QUEUE_STATUS_TAG = "queue";

/**
 * The queue-status message. Only when a worker serves the queue within working hours does it say
 * «you are in the queue»; otherwise it tells the truth and the other routes (DESIGN «Promise only
 * what is true»). Tagged so later updates edit it in place.
 */
export function renderQueueStatus(
  locale: Locale,
  status: QueueStatus,
  profile?: OperatorProfile,
): OutboundReply {
  const tr = (key: TextKey, vars?: Record<string, string | number>) => t(locale, key, vars, profile);
  if (status.taken) return { text: tr("queueTaken"), tag: QUEUE_STATUS_TAG };
  const lines: string[] = [];
  if (status.afterHours) {
    const key = status.guest ? "queueAfterHoursGuest" : "queueAfterHours";
    lines.push(tr(key, { backAt: formatBackAt(locale, status.afterHours) }));
  } else if (status.served === false) {
    lines.push(tr(status.guest ? "queueUnservedGuest" : "queueUnserved"));
  } else {
    lines.push(tr("queuePosition", { position: status.position }));
    lines.push(
      status.waitMinutes === undefined
        ? tr("queueWaitUnknown")
        : tr("queueWait", { minutes: Math.max(1, Math.round(status.waitMinutes)) }),
    );
  }
  lines.push(tr("queueHint"));
  return {
    text: lines.join("\n\n"),
    buttons: [[{ label: tr("btnCancelWait"), payload: PAYLOAD.cancelWait }]],
    tag: QUEUE_STATUS_TAG,
  };
}

/** «вт 09:00 (Europe/Moscow)» / «Tue 09:00 (Europe/Moscow)»: the weekday in the customer's language. */
export function formatBackAt(locale: Locale, back: { backAt: number; timeZone: string }): string {
  const when = new Intl.DateTimeFormat(locale === "ru" ? "ru-RU" : "en-GB", {
    timeZone: back.timeZone,
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(back.backAt);
  return `${when} (${back.timeZone})`;
}

/** The one «please slow down» message for a customer who floods the bot. */
export function floodNotice(locale: Locale, profile?: OperatorProfile): OutboundReply {
  return { text: t(locale, "floodNotice", undefined, profile) };
}

/** What the desk puts before an agent's words when relaying them to the customer. */
export function agentReplyPrefix(locale: Locale, profile?: OperatorProfile): string {
  return t(locale, "agentPrefix", undefined, profile);
}
