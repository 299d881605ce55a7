import { createHash } from "node:crypto";

/**
 * A deterministic VK `random_id` for one chunk of one reply: a positive 31-bit integer derived from
 * the peer, the reply's idempotency key and the chunk's index.
 *
 * VK drops a second `messages.send` with the same `random_id` to the same peer (and returns the first
 * message's id), so a reply sent again after a crash or a retried request is not posted twice. The
 * value must therefore be the same on every attempt — hence a hash, not a random number — and differ
 * per chunk so a long reply's parts are not taken for one another. Never 0: VK treats 0 as «no
 * dedupe».
 */
export function randomIdFor(peerId: string, idempotencyKey: string, chunk: number): number {
  const digest = createHash("sha256").update(`${peerId}\u0000${idempotencyKey}\u0000${chunk}`).digest();
  const value = digest.readUInt32BE(0) & 0x7fffffff;
  return value === 0 ? 1 : value;
}
