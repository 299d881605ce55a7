import { createServer } from "node:net";
import { Queue } from "bullmq";
import { describe, expect, it, vi } from "vitest";
import { logQueueErrors } from "../../src/ops/queue-errors.js";
import { memoryLogger } from "../helpers/memory-logger.js";

/** A port nothing listens on: bound once to learn a free number, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe("BullMQ queue errors", () => {
  it("go to the structured log, not to console.error, while Redis is unreachable", async () => {
    const consoleError = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const { logger, text } = memoryLogger();
    const port = await closedPort();
    const queue = new Queue("handoffs", {
      connection: { host: "127.0.0.1", port, maxRetriesPerRequest: null, retryStrategy: () => 50 },
    });
    logQueueErrors(queue, logger);
    try {
      // Wait for the first logged connection error (a refused connect) rather than for a fixed time.
      await vi.waitFor(() => expect(text()).toContain('"msg":"queue error"'), {
        timeout: 5000,
        interval: 20,
      });
      const line = JSON.parse(text().split("\n")[0] ?? "{}") as {
        queue?: string;
        err?: { message?: string };
      };
      expect(line.queue).toBe("handoffs");
      expect(line.err?.message).toMatch(/ECONNREFUSED/);
      expect(consoleError).not.toHaveBeenCalled();
    } finally {
      await queue.close().catch(() => undefined);
      consoleError.mockRestore();
    }
  });
});
