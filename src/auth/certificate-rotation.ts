/**
 * When to renew a certificate, and the loop that does it: the kubelet's certificate manager
 * (k8s.io/client-go/util/certificate/certificate_manager.go), for the node's client certificate and its kubelet
 * serving certificate alike.
 *
 * - The deadline is NotBefore plus a jittered 70–90 % of the certificate's whole life (NotAfter − NotBefore,
 *   backdating included): `jitteryDuration` = wait.Jitter(total, 0.2) − 0.3·total, so nodes that joined together do
 *   not all renew together. A certificate that cannot be read is due at once.
 * - At the deadline `rotate` runs (a new key, a CSR, the issued certificate written and put to use). A failure is
 *   retried as upstream's wait.ExponentialBackoff{Duration: 2s, Factor: 2, Jitter: 0.1, Steps: 5} (after 2, 4, 8
 *   and 16 s), then every 32 s (wait.PollInfinite); after a success the next deadline is computed from the new
 *   certificate.
 * Time is the injected clock's and the jitter the injected random's, so the schedule is tested on fake time.
 */
import { X509Certificate } from "node:crypto";
import type { Clock } from "../sys/clock.js";

/** The share of a certificate's life after which it is renewed, before jitter; jitter adds up to 20 points. */
const BASE_SHARE = 0.7;
const JITTER_SHARE = 0.2;
/** wait.Backoff{Duration: 2s, Factor: 2, Steps: 5}: the waits between the first five attempts. */
const BACKOFF_FIRST_MS = 2000;
const BACKOFF_STEPS = 5;
const BACKOFF_JITTER = 0.1;
/** wait.PollInfinite's interval once the backoff is spent. */
const POLL_MS = 32_000;
/** The longest one timer waits (Node's timers overflow past 2^31 − 1 ms, about 24.8 days, and fire at once). */
const MAX_TIMER_MS = 24 * 3600_000;

/** The rotation deadline of a certificate valid from `notBefore` to `notAfter` (ms), with `random` in [0, 1). */
export function rotationDeadline(notBefore: number, notAfter: number, random: number): number {
  const total = notAfter - notBefore;
  return notBefore + Math.round(total * (BASE_SHARE + JITTER_SHARE * random));
}

/** The wait before attempt `attempt` + 1 after `attempt` failed ones (1-based), with `random` in [0, 1). */
export function retryDelay(attempt: number, random: number): number {
  if (attempt >= BACKOFF_STEPS) return POLL_MS;
  return Math.round(BACKOFF_FIRST_MS * 2 ** (attempt - 1) * (1 + BACKOFF_JITTER * random));
}

/** A certificate's validity, ms since the epoch. */
export interface Validity {
  notBefore: number;
  notAfter: number;
}

/** The validity of a PEM certificate; undefined when there is none or it cannot be read. */
export function validityOf(certPem: string | undefined): Validity | undefined {
  if (!certPem) return undefined;
  try {
    const x = new X509Certificate(certPem);
    return { notBefore: Date.parse(x.validFrom), notAfter: Date.parse(x.validTo) };
  } catch {
    return undefined;
  }
}

/** Runs `fn` once the clock reaches `when` (ms), however far off (a chain of timers of at most a day). */
export function atTime(clock: Clock, when: number, fn: () => void): { cancel(): void } {
  let timer: { cancel(): void };
  const arm = () => {
    const left = when - clock.now();
    if (left <= MAX_TIMER_MS) timer = clock.setTimeout(fn, left);
    else timer = clock.setTimeout(arm, MAX_TIMER_MS);
  };
  arm();
  return { cancel: () => timer.cancel() };
}

export interface RotationOptions {
  /** What is rotated, for the log ("client certificate", "kubelet serving certificate"). */
  name: string;
  clock: Clock;
  /** [0, 1) (default Math.random). */
  random?: () => number;
  /** The validity of the certificate in use (undefined: none that can be read: renewed at once). */
  current: () => Validity | undefined;
  /** Gets a new certificate and puts it to use; throws to be retried. */
  rotate: () => Promise<void>;
  log: (m: string) => void;
}

export class CertificateRotation {
  private timer?: { cancel(): void };
  private stopped = true;
  private running?: Promise<void>;

  constructor(private readonly o: RotationOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  /** Stops the loop; resolves once a rotation under way has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.running;
  }

  /** When the current certificate is due (clock ms). */
  deadline(): number {
    const v = this.o.current();
    return v ? rotationDeadline(v.notBefore, v.notAfter, this.random()) : this.o.clock.now();
  }

  private schedule(): void {
    if (this.stopped) return;
    const now = this.o.clock.now();
    const due = this.deadline();
    if (due > now) this.o.log(`${this.o.name}: next rotation at ${new Date(due).toISOString()}`);
    this.timer = atTime(this.o.clock, due, () => this.attempt(1));
  }

  private attempt(n: number): void {
    if (this.stopped) return;
    this.running = this.o.rotate().then(
      () => this.schedule(),
      (err: Error) => {
        if (this.stopped) return;
        const wait = retryDelay(n, this.random());
        this.o.log(`${this.o.name}: rotation failed (attempt ${n}; again in ${Math.round(wait / 1000)} s): ${err.message}`);
        this.timer = this.o.clock.setTimeout(() => this.attempt(n + 1), wait);
      },
    );
  }

  private random(): number {
    return (this.o.random ?? Math.random)();
  }
}
