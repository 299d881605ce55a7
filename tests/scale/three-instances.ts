import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import type { InboundEvent } from "../../flows/model.js";
import { ConversationStore } from "../../src/store/conversation-store.js";
import type { RecordingState } from "../helpers/fake-flow.js";
import type { RedisClient, RedisTarget } from "../../src/redis/connection.js";
import type { InstanceMessage, InstanceOutcome } from "./instance.js";

/**
 * The three-instance scenario, on any topology: three engine processes (tests/scale/instance.ts) on
 * one Redis (a single one, or a Cluster) over 200 interleaved conversations, with webhook retries
 * landing on a second instance and late redeliveries. Used by three-instances.test.ts (single Redis)
 * and tests/topology (Cluster).
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const INSTANCES = ["a", "b", "c"];
const CONVERSATIONS = 200;
const UPDATES_PER_CONVERSATION = 5;
/** Chance that an update is also delivered, at the same moment, to a second instance. */
const TWIN_RATE = 0.3;
/** Chance that an earlier update of the conversation is redelivered late, to any instance. */
const LATE_RATE = 0.15;

/** A small seeded PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function eventOf(conversation: number, k: number): InboundEvent {
  return {
    channel: "console",
    conversationKey: `cli-s${conversation}`,
    chatId: `s${conversation}`,
    userId: `s${conversation}`,
    kind: "text",
    text: `s${conversation}:m${k}`,
    updateId: `s${conversation}-u${k}`,
    at: 1_700_000_000_000 + k,
  };
}

/** Where the instances run, and how the test reads and writes the same Redis. */
export interface ScaleTopology {
  target: RedisTarget;
  /** A fresh client (the caller closes it with the topology). */
  client(): RedisClient;
}

/** Starts one instance process and resolves when it exits. */
function startInstance(
  target: RedisTarget,
  prefix: string,
  id: string,
  children: ChildProcess[],
): Promise<number | null> {
  const where =
    target.kind === "single" && !target.password && !target.tls ? target.url : JSON.stringify(target);
  const child = spawn(process.execPath, ["--import", "tsx", "tests/scale/instance.ts", where, prefix, id], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
  });
  children.push(child);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/**
 * Runs the scenario and asserts: every update handled once across the processes, each
 * conversation's order kept, no state lost, and the work really shared.
 */
export async function runThreeInstances(topology: ScaleTopology): Promise<void> {
  const children: ChildProcess[] = [];
  try {
    const prefix = `scale-${randomUUID()}`;
    const client = topology.client();
    const outbox = topology.client();
    const exits = INSTANCES.map((id) => startInstance(topology.target, prefix, id, children));
    const random = prng(20261124);
    const pick = (except?: string) => {
      const choices = INSTANCES.filter((id) => id !== except);
      return choices[Math.floor(random() * choices.length)] ?? "a";
    };

    // Outcomes arrive on one list; the first outcome of an update (handled or duplicate) means it is
    // committed, which is when Telegram would send the chat's next update.
    const outcomes: InstanceOutcome[] = [];
    const waiting = new Map<string, () => void>();
    let sent = 0;
    let collecting = true;
    const collector = (async () => {
      while (collecting || outcomes.length < sent) {
        const popped = await outbox.blpop(`${prefix}:out`, 1);
        if (!popped) continue;
        const outcome = JSON.parse(popped[1]) as InstanceOutcome;
        outcomes.push(outcome);
        waiting.get(outcome.updateId)?.();
        waiting.delete(outcome.updateId);
      }
    })();
    const deliver = async (instance: string, event: InboundEvent) => {
      const message: InstanceMessage = { event, copy: sent++ };
      await client.rpush(`${prefix}:in:${instance}`, JSON.stringify(message));
    };

    const conversation = async (c: number) => {
      for (let k = 0; k < UPDATES_PER_CONVERSATION; k++) {
        const event = eventOf(c, k);
        const accepted = new Promise<void>((resolve) => waiting.set(event.updateId, resolve));
        const first = pick();
        const copies = [deliver(first, event)];
        // A webhook retry landing on another instance while the first delivery is still in flight.
        if (random() < TWIN_RATE) copies.push(deliver(pick(first), event));
        // A stale redelivery of an update handled earlier.
        if (k > 0 && random() < LATE_RATE) copies.push(deliver(pick(), eventOf(c, Math.floor(random() * k))));
        await Promise.all(copies);
        await accepted;
      }
    };
    await Promise.all(Array.from({ length: CONVERSATIONS }, (_, c) => conversation(c)));
    collecting = false;
    await collector;
    for (const id of INSTANCES) await client.rpush(`${prefix}:in:${id}`, JSON.stringify({ stop: true }));
    expect(await Promise.all(exits)).toEqual([0, 0, 0]);

    // Each update handled exactly once across the three processes; every other copy was a duplicate.
    expect(outcomes).toHaveLength(sent);
    expect(outcomes.filter((o) => o.status === "error" || o.status === "dropped")).toEqual([]);
    const handled = new Map<string, number>();
    for (const o of outcomes)
      if (o.status === "handled") handled.set(o.updateId, (handled.get(o.updateId) ?? 0) + 1);
    expect(handled.size).toBe(CONVERSATIONS * UPDATES_PER_CONVERSATION);
    expect([...handled.values()].every((n) => n === 1)).toBe(true);
    expect(sent).toBeGreaterThan(CONVERSATIONS * UPDATES_PER_CONVERSATION * 1.2);
    // The work really was shared between the processes.
    for (const id of INSTANCES) {
      expect(outcomes.filter((o) => o.instance === id && o.status === "handled").length).toBeGreaterThan(100);
    }

    // Per conversation: the state saw every update in the order sent, saved at every step, and each
    // reply went out once, in order.
    const store = new ConversationStore(client, { prefix });
    for (let c = 0; c < CONVERSATIONS; c++) {
      const expected = Array.from({ length: UPDATES_PER_CONVERSATION }, (_, k) => `s${c}:m${k}`);
      const [stateJson, version] = await client.hmget(store.keys(`cli-s${c}`)[0], "s", "v");
      const state = JSON.parse(stateJson ?? "null") as RecordingState | null;
      expect(state?.seen, `conversation ${c}`).toEqual(expected);
      expect(Number(version)).toBe(UPDATES_PER_CONVERSATION);
      expect(await client.lrange(`${prefix}:replies:s${c}`, 0, -1)).toEqual(expected.map((t) => `echo ${t}`));
    }
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  }
}
