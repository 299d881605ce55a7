import { CHANNEL_LABEL, categoryName } from "./card.js";
import type { DeskContext } from "./desk-context.js";

/** Lines of each list in the overview; the rest is counted, not listed. */
const LISTED = 15;

/**
 * The queue overview pinned in «General» (and shown by /queue): how many wait and for how long,
 * urgent ones first (the waiting set's own order), and who has what.
 */
export async function renderOverview(c: DeskContext): Promise<string> {
  const t = c.texts;
  const now = c.now();
  const [count, waitingIds, claimedIds] = await Promise.all([
    c.records.waitingCount(),
    c.records.waitingIds(LISTED),
    c.records.claimedIds(LISTED),
  ]);
  const waiting = (await Promise.all(waitingIds.map((id) => c.records.read(id)))).filter(
    (r) => r !== undefined,
  );
  const claimed = (await Promise.all(claimedIds.map((id) => c.records.read(id)))).filter(
    (r) => r !== undefined,
  );
  const minutes = (since: number) => Math.max(0, Math.round((now - since) / 60_000));
  const lines: string[] = [];
  if (count === 0) lines.push(t.overviewEmpty);
  else {
    const oldest = Math.max(0, ...waiting.map((r) => minutes(r.createdAt)));
    lines.push(`${t.overview(count)}, ${t.overviewOldest(oldest)}`);
    for (const r of waiting)
      lines.push(
        `${r.priority === "high" ? "🔴" : "⏳"} #${r.n ?? "?"} · ${CHANNEL_LABEL[r.channel]} · ${categoryName(t, r.category)} · ${t.minutes(minutes(r.createdAt))}`,
      );
  }
  if (claimed.length > 0) {
    lines.push("", t.overviewOwners);
    for (const r of claimed)
      lines.push(
        `🟢 #${r.n ?? "?"} · ${CHANNEL_LABEL[r.channel]} · ${categoryName(t, r.category)} · ${r.agentName ?? "?"}`,
      );
  }
  return lines.join("\n");
}
