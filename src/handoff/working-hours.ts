/** When agents work. */
export interface WorkingHours {
  /** The IANA time zone the hours are in. */
  timeZone: string;
  isOpen(at: number): boolean;
  /** The next opening at or after `at` (epoch ms, to the 5 minutes). */
  nextOpening(at: number): number;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;

/** A bad WORK_HOURS value. */
export class WorkingHoursError extends Error {
  override readonly name = "WorkingHoursError";
  constructor(readonly value: string) {
    super(`WORK_HOURS "${value}" is not valid; use e.g. "Mon-Fri 09:00-18:00" or "Mon-Sun 00:00-24:00".`);
  }
}

/**
 * Parses `Mon-Fri 09:00-18:00` (days range, then hours range, in `timeZone`) into a schedule.
 * The time zone is an IANA name (e.g. `Europe/Moscow`).
 */
export function parseWorkingHours(spec: string, timeZone: string): WorkingHours {
  const m =
    /^\s*(Sun|Mon|Tue|Wed|Thu|Fri|Sat)-(Sun|Mon|Tue|Wed|Thu|Fri|Sat)\s+(\d{2}):(\d{2})-(\d{2}):(\d{2})\s*$/.exec(
      spec,
    );
  if (!m) throw new WorkingHoursError(spec);
  const from = DAYS.indexOf(m[1] as (typeof DAYS)[number]);
  const to = DAYS.indexOf(m[2] as (typeof DAYS)[number]);
  const open = Number(m[3]) * 60 + Number(m[4]);
  const close = Number(m[5]) * 60 + Number(m[6]);
  if (open >= close || close > 24 * 60) throw new WorkingHoursError(spec);
  const days = new Set<number>();
  for (let d = from; ; d = (d + 1) % 7) {
    days.add(d);
    if (d === to) break;
  }
  // Throws RangeError on an unknown zone: at start-up, not at the first handoff.
  const fmt = new Intl.DateTimeFormat("en-US", {
    timeZone,
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const local = (at: number) => {
    const parts = Object.fromEntries(fmt.formatToParts(at).map((p) => [p.type, p.value]));
    return {
      day: DAYS.indexOf(parts.weekday as (typeof DAYS)[number]),
      minute: Number(parts.hour) * 60 + Number(parts.minute),
    };
  };
  const isOpen = (at: number) => {
    const { day, minute } = local(at);
    return days.has(day) && minute >= open && minute < close;
  };
  return {
    timeZone,
    isOpen,
    nextOpening(at) {
      // Walk forward in 5-minute steps (at most 8 days): simple and exact enough for a notice.
      const step = 5 * 60_000;
      let t = Math.ceil(at / step) * step;
      for (let i = 0; i < (8 * 24 * 60) / 5 && !isOpen(t); i++) t += step;
      return t;
    },
  };
}
