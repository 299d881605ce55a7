import { createRequire } from "node:module";
import { type DestinationStream, type Logger, pino } from "pino";

/**
 * Paths redacted from every log line: tokens, secrets, and anything that could carry what a
 * customer wrote. Logs carry ids; code never logs message text on purpose, this is the safety net.
 */
export const REDACT_PATHS = [
  "token",
  "*.token",
  "secret",
  "*.secret",
  "password",
  "*.password",
  "text",
  "*.text",
  "login",
  "*.login",
  "transcript",
  "*.transcript",
  "headers.authorization",
  'headers["x-telegram-bot-api-secret-token"]',
  "err.config",
  "err.payload",
  // vk-io's APIError echoes the request's parameters (message text included) in `params`.
  "params",
  "*.params",
];

/** Options of the logger. */
export interface LoggerOptions {
  level?: string;
  /** Pretty, human-readable lines (development) instead of JSON (production). @defaultValue false */
  pretty?: boolean;
  /** Where JSON lines go (tests capture them). @defaultValue standard output */
  destination?: DestinationStream;
}

/** Whether pino-pretty (a dev dependency) is installed, so development logs can use it. */
function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve("pino-pretty");
    return true;
  } catch {
    // Production images omit dev dependencies: JSON logs then.
    return false;
  }
}

/** Creates the process logger: JSON in production, pretty in development, with redaction. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const pretty = options.pretty && prettyAvailable() && !options.destination;
  const settings = {
    level: options.level ?? "info",
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    base: { svc: "support-bot" },
    ...(pretty
      ? { transport: { target: "pino-pretty", options: { colorize: true, ignore: "pid,hostname,svc" } } }
      : {}),
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
