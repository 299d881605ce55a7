import type { ConversationState } from "../../flows/types.js";

/** What this process knows of a conversation right after it handled one of its updates. */
export interface CachedConversation {
  /** The stored version this state was saved as. */
  version: number;
  state: ConversationState;
  /** Platform message ids of tagged replies (for edits in place). */
  tags: Record<string, string>;
}

/**
 * The last known state of the conversations this process handled most recently, so the next update
 * of one can skip `begin` (the store's `step` checks the version, so a stale entry only costs the
 * long way). Bounded: the least recently used entry goes first, so memory stays flat however many
 * conversations pass through.
 */
export class StateCache {
  private readonly entries = new Map<string, CachedConversation>();

  constructor(private readonly capacity: number) {}

  /** The entry, taken out: whoever uses it puts back what it saved (`set`), or nothing on failure. */
  take(conversationKey: string): CachedConversation | undefined {
    const entry = this.entries.get(conversationKey);
    if (entry) this.entries.delete(conversationKey);
    return entry;
  }

  /** Remembers a conversation's state as saved, as the most recently used. */
  set(conversationKey: string, entry: CachedConversation): void {
    if (this.capacity <= 0) return;
    this.entries.delete(conversationKey);
    this.entries.set(conversationKey, entry);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  /** Forgets a conversation (its stored state may have moved on without this process). */
  delete(conversationKey: string): void {
    this.entries.delete(conversationKey);
  }

  get size(): number {
    return this.entries.size;
  }
}
