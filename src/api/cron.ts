/**
 * Cron schedules as CronJobs read them (github.com/robfig/cron/v3 ParseStandard, which the CronJob validator and
 * controller use): five fields (minute hour day-of-month month day-of-week) with `*`, `?`, lists, ranges, steps and
 * JAN-DEC / SUN-SAT names, the descriptors @yearly @annually @monthly @weekly @daily @midnight @hourly and
 * `@every DURATION`. Errors are worded as robfig/cron words them (they reach users inside field errors).
 *
 * Times are evaluated on the wall clock of an IANA time zone (Intl): a wall time skipped by a DST jump never
 * happens, one repeated by a DST fall-back happens twice, as in robfig/cron. Pure: no clock but the one passed in.
 */
import { parseGoDuration } from "./duration.js";

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTH_NAMES: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DOW_NAMES: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const FIELDS: Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTH_NAMES },
  { min: 0, max: 6, names: DOW_NAMES },
];

const DESCRIPTORS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** A parsed schedule: the allowed values of each field, or a constant interval (`@every`). */
export type CronSchedule =
  | { kind: "spec"; minute: Set<number>; hour: Set<number>; dom: Set<number>; month: Set<number>; dow: Set<number>; domStar: boolean; dowStar: boolean }
  | { kind: "every"; everyMs: number };

export class CronParseError extends Error {}

/** Go's strconv.Atoi on a field part, with robfig's wrapping message. */
function parseIntStrict(expr: string): number {
  if (!/^[+-]?[0-9]+$/.test(expr)) throw new CronParseError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const n = Number.parseInt(expr, 10);
  if (n < 0) throw new CronParseError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function parseValue(expr: string, b: Bounds): number {
  const named = b.names?.[expr.toLowerCase()];
  return named !== undefined ? named : parseIntStrict(expr);
}

/** getRange: one comma-separated part of a field; returns whether it was a bare `*`/`?` (the star bit). */
function parseRange(expr: string, b: Bounds, into: Set<number>): boolean {
  const rangeAndStep = expr.split("/");
  const lowAndHigh = rangeAndStep[0].split("-");
  const single = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === "*" || lowAndHigh[0] === "?") {
    start = b.min;
    end = b.max;
    star = true;
  } else {
    start = parseValue(lowAndHigh[0], b);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseValue(lowAndHigh[1], b);
    else throw new CronParseError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = parseIntStrict(rangeAndStep[1]);
    if (single) end = b.max; // "N/step" means "N-max/step"
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) throw new CronParseError(`too many slashes: ${expr}`);
  if (start < b.min) throw new CronParseError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new CronParseError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new CronParseError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronParseError(`step of range should be a positive number: ${expr}`);
  for (let v = start; v <= end; v += step) into.add(v);
  return star;
}

function parseField(field: string, b: Bounds): { values: Set<number>; star: boolean } {
  const values = new Set<number>();
  let star = false;
  for (const part of field.split(",")) star = parseRange(part, b, values) || star;
  return { values, star };
}

/** `@every`'s duration (Go's time.ParseDuration); throws CronParseError with robfig/cron's message. */
function everyDuration(s: string): number {
  try {
    return parseGoDuration(s);
  } catch {
    throw new CronParseError(`failed to parse duration @every ${s}: time: invalid duration ${JSON.stringify(s)}`);
  }
}

/** ParseStandard. Throws CronParseError with robfig/cron's message. */
export function parseCron(spec: string): CronSchedule {
  if (spec.length === 0) throw new CronParseError("empty spec string");
  let s = spec;
  if (s.startsWith("TZ=") || s.startsWith("CRON_TZ=")) {
    const i = s.indexOf(" ");
    const tz = s.slice(s.indexOf("=") + 1, i < 0 ? undefined : i);
    if (!isTimeZone(tz)) throw new CronParseError(`provided bad location ${tz}: unknown time zone ${tz}`);
    s = i < 0 ? "" : s.slice(i).trim();
  }
  if (s.startsWith("@")) {
    if (s.startsWith("@every ")) {
      // ConstantDelaySchedule: at least a second, whole seconds.
      const ms = everyDuration(s.slice("@every ".length));
      return { kind: "every", everyMs: Math.max(1000, Math.floor(ms / 1000) * 1000) };
    }
    const expanded = DESCRIPTORS[s];
    if (!expanded) throw new CronParseError(`unrecognized descriptor: ${s}`);
    s = expanded;
  }
  const fields = s.split(/\s+/).filter((f) => f !== "");
  if (fields.length !== 5) throw new CronParseError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(" ")}]`);
  const [minute, hour, dom, month, dow] = fields.map((f, i) => parseField(f, FIELDS[i]));
  return { kind: "spec", minute: minute.values, hour: hour.values, dom: dom.values, month: month.values, dow: dow.values, domStar: dom.star, dowStar: dow.star };
}

// ---------------------------------------------------------------------------------------------------------------
// Time zones

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string | undefined): Intl.DateTimeFormat {
  const key = tz ?? "";
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
    formatters.set(key, f);
  }
  return f;
}

/** Whether Intl knows the IANA zone (time.LoadLocation succeeding). */
export function isTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

/** The wall clock of `instant` in `tz` (undefined: the host's zone) as a UTC-based millisecond count. */
function wallOf(instant: number, tz: string | undefined): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(instant))) if (p.type !== "literal") parts[p.type] = Number(p.value);
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) + (((instant % 1000) + 1000) % 1000);
}

/** The zone's offset from UTC at `instant`, in ms. */
function offsetAt(instant: number, tz: string | undefined): number {
  return wallOf(instant, tz) - instant;
}

/** Every instant whose wall clock in `tz` reads `wall`: none in a DST gap, two in a DST overlap. */
function instantsOf(wall: number, tz: string | undefined): number[] {
  const out = new Set<number>();
  for (const guess of [offsetAt(wall - 86_400_000, tz), offsetAt(wall + 86_400_000, tz), offsetAt(wall, tz)]) {
    const instant = wall - guess;
    if (offsetAt(instant, tz) === guess) out.add(instant);
  }
  return [...out].sort((a, b) => a - b);
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** How far apart the wall clock and instant order can be across a DST change (zones shift by at most 2 h). */
const DST_SLACK = 3 * HOUR;

/** DST_SLACK when the zone's offset changes within a day of `instant`, else 0. */
function slackAt(instant: number, tz: string | undefined): number {
  return offsetAt(instant - 86_400_000, tz) === offsetAt(instant + 86_400_000, tz) ? 0 : DST_SLACK;
}

/** robfig's dayMatches: with a restricted day-of-month and day-of-week, either may match. */
function dayMatches(s: Extract<CronSchedule, { kind: "spec" }>, d: Date): boolean {
  const domMatch = s.dom.has(d.getUTCDate());
  const dowMatch = s.dow.has(d.getUTCDay());
  return s.domStar || s.dowStar ? domMatch && dowMatch : domMatch || dowMatch;
}

/** The first wall time >= `from` (a UTC-based wall count, whole minutes) that the schedule matches, within 5 years. */
function nextWall(s: Extract<CronSchedule, { kind: "spec" }>, from: number): number | undefined {
  const limit = new Date(from).getUTCFullYear() + 5;
  let t = new Date(from);
  while (t.getUTCFullYear() <= limit) {
    if (!s.month.has(t.getUTCMonth() + 1)) {
      t = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1));
      continue;
    }
    if (!dayMatches(s, t)) {
      t = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate() + 1));
      continue;
    }
    if (!s.hour.has(t.getUTCHours())) {
      t = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), t.getUTCHours() + 1));
      continue;
    }
    if (!s.minute.has(t.getUTCMinutes())) {
      t = new Date(t.getTime() + MINUTE);
      continue;
    }
    return t.getTime();
  }
  return undefined;
}

/**
 * The first time strictly after `after` at which the schedule fires in `tz` (undefined: the host's zone), or
 * undefined when none comes within five years (robfig returns the zero time then).
 */
export function nextCron(s: CronSchedule, after: number, tz?: string): number | undefined {
  if (s.kind === "every") return Math.floor(after / 1000) * 1000 + s.everyMs;
  // Around a DST change, wall order and instant order differ by up to the shift: search from earlier walls, and
  // past the first hit, for an instant between `after` and it.
  const startWall = Math.floor(wallOf(after, tz) / MINUTE) * MINUTE - slackAt(after, tz);
  let best: number | undefined;
  let bestWall = Infinity;
  let bestSlack = 0;
  for (let w = nextWall(s, startWall); w !== undefined; w = nextWall(s, w + MINUTE)) {
    if (w > bestWall + bestSlack) break;
    for (const instant of instantsOf(w, tz)) {
      if (instant > after && (best === undefined || instant < best)) {
        best = instant;
        bestWall = w;
        bestSlack = slackAt(instant, tz);
      }
    }
  }
  return best;
}

/** `instant` as RFC 3339 on the wall clock of `tz` (Go's Time.In(loc).Format(time.RFC3339)): "Z" at offset 0. */
export function rfc3339In(instant: number, tz?: string): string {
  const secs = Math.floor(instant / 1000) * 1000;
  const offsetMin = Math.round(offsetAt(secs, tz) / MINUTE);
  const wall = new Date(secs + offsetMin * MINUTE).toISOString().replace(/\.\d{3}Z$/, "");
  if (offsetMin === 0) return `${wall}Z`;
  const abs = Math.abs(offsetMin);
  return `${wall}${offsetMin < 0 ? "-" : "+"}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}
