import { describe, expect, it } from "vitest";
import { parseWorkingHours, WorkingHoursError } from "../../src/handoff/working-hours.js";

describe("working hours", () => {
  const hours = parseWorkingHours("Mon-Fri 09:00-18:00", "Europe/Moscow");

  it("is open on a weekday afternoon in the desk's time zone", () => {
    // Tue 2026-11-24 12:00 UTC = 15:00 Moscow.
    expect(hours.isOpen(Date.UTC(2026, 10, 24, 12, 0))).toBe(true);
  });

  it("is closed at night and at the weekend, and names the next opening", () => {
    // Tue 2026-11-24 16:00 UTC = 19:00 Moscow: closed, back Wednesday 09:00.
    expect(hours.isOpen(Date.UTC(2026, 10, 24, 16, 0))).toBe(false);
    expect(hours.nextOpening(Date.UTC(2026, 10, 24, 16, 0))).toBe(Date.UTC(2026, 10, 25, 6, 0));
    // Sat 2026-11-28 10:00 UTC: back Monday 09:00 Moscow = 06:00 UTC.
    expect(hours.nextOpening(Date.UTC(2026, 10, 28, 10, 0))).toBe(Date.UTC(2026, 10, 30, 6, 0));
  });

  it("rejects a malformed schedule with an example", () => {
    expect(() => parseWorkingHours("9 to 5", "Europe/Moscow")).toThrow(WorkingHoursError);
    expect(() => parseWorkingHours("Mon-Fri 18:00-09:00", "Europe/Moscow")).toThrow(/Mon-Fri 09:00-18:00/);
  });
});
