/**
 * `nodelet image pull` output: on a terminal, one bar per layer redrawn in place (bytes, total, speed), as docker
 * pull draws them; otherwise one plain line per layer state change, so logs and pipes stay readable.
 */
export interface LayerProgress {
  layer: string;
  state: "waiting" | "exists" | "downloading" | "done";
  bytes: number;
  total: number;
}

const WIDTH = 30;

export function shortDigest(d: string): string {
  return d.replace(/^sha\d+:/, "").slice(0, 12);
}

export function humanBytes(n: number): string {
  if (n < 1000) return `${n}B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)}kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)}MB`;
  return `${(n / 1e9).toFixed(2)}GB`;
}

/** One layer's line: "abc123456789: Downloading [=====>     ] 1.2MB/4.0MB 3.1MB/s". */
export function layerLine(p: LayerProgress, elapsedMs: number): string {
  const id = shortDigest(p.layer);
  switch (p.state) {
    case "waiting":
      return `${id}: Waiting`;
    case "exists":
      return `${id}: Already exists`;
    case "done":
      return `${id}: Pull complete (${humanBytes(p.total)})`;
    case "downloading": {
      const frac = p.total > 0 ? Math.min(1, p.bytes / p.total) : 0;
      const full = Math.floor(frac * WIDTH);
      const bar = `${"=".repeat(Math.max(0, full - 1))}${full > 0 ? ">" : ""}${" ".repeat(WIDTH - full)}`;
      const speed = elapsedMs > 0 ? `${humanBytes(Math.round((p.bytes * 1000) / elapsedMs))}/s` : "";
      return `${id}: Downloading [${bar}] ${humanBytes(p.bytes)}/${humanBytes(p.total)} ${speed}`.trimEnd();
    }
  }
}

/** Draws progress to `out`: bars redrawn in place on a TTY, plain lines on state changes otherwise. */
export class PullProgressView {
  private readonly order: string[] = [];
  private readonly latest = new Map<string, LayerProgress>();
  private readonly started = new Map<string, number>();
  private drawn = 0;

  constructor(
    private readonly out: { write(s: string): unknown },
    private readonly tty: boolean,
    private readonly now: () => number = Date.now,
  ) {}

  update(p: LayerProgress): void {
    const prev = this.latest.get(p.layer);
    if (!prev) this.order.push(p.layer);
    if (p.state === "downloading" && !this.started.has(p.layer)) this.started.set(p.layer, this.now());
    this.latest.set(p.layer, p);
    if (this.tty) return this.redraw();
    if (prev?.state !== p.state) this.out.write(`${layerLine(p, 0).replace(/ \[.*$/, "")}\n`);
  }

  private redraw(): void {
    let s = this.drawn ? `\x1b[${this.drawn}A` : "";
    for (const id of this.order) {
      const p = this.latest.get(id)!;
      s += `\x1b[2K${layerLine(p, this.now() - (this.started.get(id) ?? this.now()))}\n`;
    }
    this.drawn = this.order.length;
    this.out.write(s);
  }
}
