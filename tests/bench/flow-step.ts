/**
 * `npm run bench:flow`: the cost of one flow step as customers use it — classify + step, with the
 * real classifier and knowledge base — over every customer line of the conversation suite
 * (`tests/conversations/dialogues.json`), each dialogue played from its start so every step runs in
 * its real state. Prints p50 / p99 / max per step in µs, as a table and as JSON. Target: p99 ≤ 500 µs.
 *
 * Optional argument: rounds (default 30; the first 5 are warm-up and not counted).
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { createClassifier } from "../../flows/classifier/index.js";
import type { InboundEvent } from "../../flows/model.js";
import { createSupportFlow } from "../../flows/support-flow.js";
import type { ConversationState, FlowContext } from "../../flows/types.js";

type Send =
  | string
  | { button: string }
  | { command: "start" | "operator" | "cancel" }
  | { system: string }
  | { wait_hours: number };

const dialogues = JSON.parse(
  readFileSync(new URL("../conversations/dialogues.json", import.meta.url), "utf8"),
) as { name: string; turns: { send: Send }[] }[];

const rounds = Number(process.argv[2] ?? 30);
const WARMUP = 5;
const step = createSupportFlow();
const ctx: FlowContext = { now: 0, idleMs: 30 * 60_000, defaultLocale: "ru", classifier: createClassifier() };
const samples: number[] = [];

for (let round = 0; round < rounds; round++) {
  dialogues.forEach((dialogue, d) => {
    let state: ConversationState | undefined;
    let now = 1_700_000_000_000;
    dialogue.turns.forEach(({ send }, i) => {
      now += 1_000;
      const base = {
        channel: "telegram" as const,
        conversationKey: `tg-${d}`,
        chatId: String(d),
        userId: "1",
        updateId: `${round}-${i}`,
        at: now,
      };
      let event: InboundEvent;
      if (typeof send === "string") event = { ...base, kind: "text", text: send };
      else if ("button" in send) event = { ...base, kind: "button", payload: send.button };
      else if ("command" in send)
        event = { ...base, kind: "command", command: send.command, text: `/${send.command}` };
      else if ("wait_hours" in send) {
        now += send.wait_hours * 3_600_000;
        return;
      } else {
        const id = state?.handoff?.id ?? "none";
        event = {
          ...base,
          kind: "system",
          signal:
            send.system === "claimed"
              ? { type: "agent_claimed", handoffId: id, agentName: "A" }
              : { type: "agent_closed", handoffId: id },
        };
      }
      const started = performance.now();
      state = step(state, event, { ...ctx, now }).state;
      const took = performance.now() - started;
      if (round >= WARMUP) samples.push(took * 1000);
      if (process.env.SLOW && round >= WARMUP && took > 0.5)
        console.error(Math.round(took * 1000), JSON.stringify(send));
    });
  });
}

samples.sort((a, b) => a - b);
const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
const result = {
  steps: samples.length,
  p50_us: Math.round(at(0.5) * 10) / 10,
  p99_us: Math.round(at(0.99) * 10) / 10,
  max_us: Math.round(at(1) * 10) / 10,
  target_p99_us: 500,
};
console.log("flow step (classify + step), customer lines of the conversation suite");
console.log(
  `steps ${result.steps}   p50 ${result.p50_us} µs   p99 ${result.p99_us} µs   max ${result.max_us} µs   (target p99 ≤ 500 µs)`,
);
console.log(JSON.stringify(result));
