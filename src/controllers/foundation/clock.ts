/**
 * The time controllers run on. The same shape as sys/clock.ts (controllers import only api/ and store/, so the
 * interface is restated here, not imported): the daemon passes `realClock`, tests a `FakeClock`; both fit.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): { cancel(): void };
}
