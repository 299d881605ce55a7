import { Gauge, type Registry } from "prom-client";
import type { AgentFigures, DeskDirectory } from "./directory.js";

/**
 * Per-agent figures on /metrics, read from the desk directory at scrape time (so every instance
 * reports the same, shared numbers): handoffs handled, mean time to claim, mean time to first reply,
 * mean rating. Labelled by the agent's Telegram id and display name.
 */
export function registerAgentMetrics(registry: Registry, directory: DeskDirectory): void {
  const gauge = (name: string, help: string, value: (f: AgentFigures) => number | undefined) => {
    const g: Gauge<"agent_id" | "agent"> = new Gauge({
      name,
      help,
      labelNames: ["agent_id", "agent"],
      registers: [registry],
      // prom-client collects the gauges side by side, so each reads the figures itself.
      async collect() {
        const figures = await directory.figures();
        g.reset();
        for (const f of figures) {
          const v = value(f);
          if (v !== undefined) g.set({ agent_id: f.agentId, agent: f.name }, v);
        }
      },
    });
  };
  const mean = (total: number, n: number, scale = 1) => (n > 0 ? total / n / scale : undefined);
  gauge("support_agent_handoffs_handled", "Handoffs an agent has taken", (f) => f.handled);
  gauge("support_agent_claim_seconds_mean", "Mean wait of the handoffs an agent took, until taken", (f) =>
    mean(f.claimMsTotal, f.claims, 1000),
  );
  gauge("support_agent_first_reply_seconds_mean", "Mean time to an agent's first delivered reply", (f) =>
    mean(f.firstReplyMsTotal, f.firstReplies, 1000),
  );
  gauge("support_agent_rating_mean", "Mean customer rating of an agent's handoffs (1-5)", (f) =>
    mean(f.ratingTotal, f.ratings),
  );
}
