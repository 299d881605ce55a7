import { runPlayground } from "./app/playground.js";
import { runService } from "./app/service.js";
import { ConfigError, loadConfig } from "./config.js";

/**
 * `npm start`: the service when a channel is configured (Telegram, VK or both), else the terminal
 * playground. A bad configuration stops here with a message naming the variable (exit code 2).
 */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (!config.channels.telegram && !config.channels.vk) {
    await runPlayground(config);
    return;
  }
  const service = await runService(config);
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second signal: the operator wants out now.
      service.logger.warn({ signal }, "second signal, exiting at once");
      process.exit(1);
    }
    stopping = true;
    service.logger.info({ signal }, "shutting down");
    service.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        service.logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  void service.gaveUp.then(({ channel, fault }) => {
    if (stopping) return;
    stopping = true;
    // A deaf process must not look healthy: stop, and exit non-zero so restarts and alerts show it.
    service.logger.fatal(
      { channel, fix: fault.fix },
      `exiting: ${channel} still cannot receive customer messages (${fault.reason}). To fix: ${fault.fix}`,
    );
    service.stop().then(
      () => process.exit(3),
      (err: unknown) => {
        service.logger.error({ err }, "shutdown failed");
        process.exit(3);
      },
    );
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`Fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
