import { describe, expect, it } from "vitest";
import { KeyedSerializer } from "../../src/engine/keyed-serializer.js";

describe("keyed serializer", () => {
  it("runs tasks of one key in submission order, even when earlier ones are slower", async () => {
    const s = new KeyedSerializer();
    const order: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const first = s.run("k", async () => {
      await gate;
      order.push(1);
    });
    const second = s.run("k", async () => {
      order.push(2);
    });
    const other = s.run("other", async () => {
      order.push(3);
    });
    await other;
    expect(order).toEqual([3]);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual([3, 1, 2]);
  });

  it("keeps going after a failed task and forgets idle keys", async () => {
    const s = new KeyedSerializer();
    await expect(s.run("k", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await s.run("k", async () => 42)).toBe(42);
    await s.idle();
    await new Promise((r) => setImmediate(r));
    expect(s.size).toBe(0);
  });
});
