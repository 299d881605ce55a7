/**
 * Runs tasks one at a time per key, in the order they were submitted, and concurrently across keys.
 * Keeps per-conversation arrival order inside one process without a Redis round trip; the store's
 * lock does the same across processes.
 */
export class KeyedSerializer {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Queues `task` behind earlier tasks of the same key; its result or error is returned as is. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    // A failed predecessor must not stop its successors: they chain on its settlement, not success.
    const next = previous.then(task, task);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    // Drop the entry once this task is the last one, so idle keys cost no memory.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  /** Number of keys with work queued or running. */
  get size(): number {
    return this.tails.size;
  }

  /** Resolves when every task submitted before the call has settled. */
  async idle(): Promise<void> {
    await Promise.all([...this.tails.values()]);
  }
}
