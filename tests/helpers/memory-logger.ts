import { Writable } from "node:stream";
import { type Logger, pino } from "pino";

/** A logger that keeps every line, so tests can check that no message text or token is ever logged. */
export function memoryLogger(): { logger: Logger; text(): string } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: "debug" }, stream), text: () => lines.join("") };
}
