/**
 * Splits text into chunks of at most `limit` UTF-16 code units, cutting at the last line break that
 * fits, else the last space, else (one unbroken run of characters) at the limit itself — never inside
 * a surrogate pair, so an emoji is never cut in half. Whitespace at a cut is dropped: platforms trim it
 * anyway, and Telegram and VK both reject an all-blank message. Shared by every channel's renderer.
 *
 * @param limit Largest chunk, the platform's limit on one message.
 */
export function splitAtBoundaries(text: string, limit: number): string[] {
  if (limit < 2) throw new RangeError(`splitAtBoundaries: limit must be at least 2, got ${limit}`);
  const chunks: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    const cut = cutPoint(rest, limit);
    const head = rest.slice(0, cut).trimEnd();
    if (head.length > 0) chunks.push(head);
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0) chunks.push(rest);
  return chunks;
}

/** Where to cut `text` (longer than `limit`) so the head fits. */
function cutPoint(text: string, limit: number): number {
  // The character at `limit` is included in the search: a break exactly there makes a full chunk.
  const window = text.slice(0, limit + 1);
  // A break in the first quarter would leave a tiny chunk followed by many; prefer a word cut then.
  const minUseful = Math.floor(limit / 4);
  const line = window.lastIndexOf("\n");
  if (line >= minUseful) return line;
  const space = lastWhitespace(window);
  if (space >= minUseful) return space;
  if (line > 0) return line;
  if (space > 0) return space;
  // No break at all: a hard cut, stepping back if it would split a surrogate pair.
  const code = text.charCodeAt(limit - 1);
  return code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit;
}

function lastWhitespace(s: string): number {
  for (let i = s.length - 1; i >= 0; i--) {
    const c = s[i];
    if (c === " " || c === "\t" || c === "\u00a0") return i;
  }
  return -1;
}
