import type { Api } from "grammy";
import type { BotCommand } from "grammy/types";
import type { Logger } from "pino";
import type { Locale } from "../../flows/model.js";

/**
 * The command menu per locale. Russian is also the default for every other language, as the
 * customers of a Russian hosting provider mostly write in Russian.
 */
export const COMMAND_MENU: Record<Locale, BotCommand[]> = {
  ru: [
    { command: "start", description: "Начать сначала" },
    { command: "operator", description: "Позвать специалиста" },
    { command: "cancel", description: "Выйти из текущего шага" },
  ],
  en: [
    { command: "start", description: "Start over" },
    { command: "operator", description: "Talk to a specialist" },
    { command: "cancel", description: "Leave the current step" },
  ],
};

/**
 * Sets the command menu (default → Russian, `en` → English). Cosmetic: a failure is logged and
 * swallowed, because a bot without a menu still serves customers and must not fail to start.
 */
export async function setCommandMenu(api: Api, logger: Logger): Promise<void> {
  const calls: [string, Promise<unknown>][] = [
    ["default", api.setMyCommands(COMMAND_MENU.ru)],
    ["en", api.setMyCommands(COMMAND_MENU.en, { language_code: "en" })],
  ];
  for (const [scope, call] of calls) {
    await call.catch((err: unknown) =>
      logger.warn({ err, scope }, "setMyCommands failed; the menu is cosmetic"),
    );
  }
}
