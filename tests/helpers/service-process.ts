import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { resolve } from "node:path";
import { createInterface } from "node:readline";

const ROOT = resolve(import.meta.dirname, "../..");

/** One JSON log line of the service. */
export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

/** The bot running as a real child process (`node --import tsx src/main.ts`), as in production. */
export interface ServiceProcess {
  proc: ChildProcess;
  logs: LogLine[];
  /** Resolves with the first log line (past or future) that matches. */
  waitForLog(match: (line: LogLine) => boolean): Promise<LogLine>;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): void;
}

/**
 * Starts the service with `env` (on top of PATH and HOME only, so nothing of the developer's
 * environment leaks in). Logs are JSON (NODE_ENV=production) and collected.
 */
export function startService(env: Record<string, string>): ServiceProcess {
  const proc = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "production",
      LOG_LEVEL: "info",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: LogLine[] = [];
  let waiters: { match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  const stderr: string[] = [];
  proc.stderr?.on("data", (c: Buffer) => stderr.push(c.toString()));
  if (proc.stdout) {
    createInterface({ input: proc.stdout }).on("line", (raw) => {
      let line: LogLine;
      try {
        line = JSON.parse(raw) as LogLine;
      } catch {
        line = { msg: raw };
      }
      logs.push(line);
      waiters = waiters.filter((w) => {
        if (!w.match(line)) return true;
        w.resolve(line);
        return false;
      });
    });
  }
  const exited = once(proc, "exit").then(([code, signal]) => (code ?? signal) as number | string);
  return {
    proc,
    logs,
    exited,
    kill: (signal) => proc.kill(signal),
    waitForLog(match) {
      const found = logs.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolveLine, reject) => {
        waiters.push({ match, resolve: resolveLine });
        void exited.then((code) =>
          reject(new Error(`service exited (${code}) before the log line came:\n${stderr.join("")}`)),
        );
      });
    },
  };
}
