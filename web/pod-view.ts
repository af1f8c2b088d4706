/**
 * A pod's page: its containers (state, restarts, last termination), CPU and memory over the last 15 minutes beside
 * the requests and limits, its events, a log tail that follows, and its `explain` script with the veth and cgroup
 * it names linked to the topology. A pod deleted while the page is open is said so, and the page stops reading.
 */
import uPlot from "uplot";
import { getJson, getText, HttpError, k8s, streamLines, type EventObject, type PodObject } from "./api.js";
import { age, bytes, h, table } from "./dom.js";
import { explainLinks, type ExplainKind } from "./explain-links.js";
import type { Topology } from "../src/ui/topology.js";

interface UsagePoint {
  t: number;
  cpuNanoCores: number;
  memoryBytes: number;
}

const MAX_LOG_LINES = 1000;

export class PodView {
  readonly root: HTMLElement;
  private readonly abort = new AbortController();
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly containers = h("div", { class: "containers" });
  private readonly charts = h("div", { class: "charts" });
  private readonly events = h("div", { class: "events" });
  private readonly log = h("pre", { class: "log", tabindex: "0", "aria-label": "Log tail (follows)" });
  private readonly explain = h("div", { class: "explain" });
  private readonly status = h("p", { class: "pod-status", role: "status" });
  private cpu: uPlot | undefined;
  private mem: uPlot | undefined;
  private pod: PodObject | undefined;
  private gone = false;

  constructor(
    private readonly ns: string,
    private readonly name: string,
  ) {
    this.root = h(
      "section",
      { class: "pod", "aria-labelledby": "pod-title" },
      h("h1", { id: "pod-title" }, `Pod ${ns}/${name}`),
      h("p", {}, h("a", { href: `#/?focus=${encodeURIComponent(`pod/${ns}/${name}`)}` }, "Show in the topology")),
      this.status,
      h("h2", {}, "Containers"),
      this.containers,
      h("h2", {}, "CPU and memory, last 15 minutes"),
      this.charts,
      h("h2", {}, "Events"),
      this.events,
      h("h2", {}, "Log"),
      this.log,
      h("h2", {}, "How nodelet built it (explain)"),
      this.explain,
    );
  }

  async start(): Promise<void> {
    await this.refresh();
    if (this.gone) return;
    void this.followLog();
    void this.loadExplain();
    this.timer = setInterval(() => void this.refresh(), 3000);
  }

  destroy(): void {
    this.abort.abort();
    clearInterval(this.timer);
    this.cpu?.destroy();
    this.mem?.destroy();
  }

  private base(): string {
    return `/api/v1/namespaces/${encodeURIComponent(this.ns)}`;
  }

  private async refresh(): Promise<void> {
    try {
      this.pod = await getJson<PodObject>(k8s(`${this.base()}/pods/${encodeURIComponent(this.name)}`));
    } catch (err) {
      if (err instanceof HttpError && err.status === 404) {
        this.gone = true;
        this.status.textContent = `Pod ${this.ns}/${this.name} was deleted. What is below is what it was.`;
        this.destroyStreams();
        return;
      }
      if (err instanceof HttpError && err.status === 403) {
        // Not a passing failure: the API's RBAC refuses this user the pod; nothing else on the page would be allowed.
        this.gone = true;
        this.status.textContent = `Forbidden: your user may not read pod ${this.ns}/${this.name}. ${err.message}`;
        this.status.classList.add("forbidden");
        this.destroyStreams();
        return;
      }
      this.status.textContent = err instanceof Error ? err.message : String(err);
      return;
    }
    const p = this.pod;
    this.status.textContent = `${p.status?.phase ?? "Unknown"}${p.metadata.deletionTimestamp ? " (terminating)" : ""} · IP ${p.status?.podIP ?? "none"} · QoS ${p.status?.qosClass ?? "?"} · age ${age(p.metadata.creationTimestamp)}`;
    this.renderContainers(p);
    await Promise.all([this.renderCharts(p), this.renderEvents()]);
  }

  private destroyStreams(): void {
    this.abort.abort();
    clearInterval(this.timer);
  }

  private renderContainers(p: PodObject): void {
    const statuses = new Map((p.status?.containerStatuses ?? []).map((s) => [s.name, s]));
    this.containers.replaceChildren(
      table(
        "Containers",
        ["name", "image", "state", "ready", "restarts", "last termination", "requests", "limits"],
        p.spec.containers.map((c) => {
          const s = statuses.get(c.name);
          const st = s?.state;
          const state = st?.running ? `running since ${age(st.running.startedAt)}` : st?.waiting ? `waiting: ${st.waiting.reason ?? ""}` : st?.terminated ? `terminated: ${st.terminated.reason ?? ""} (exit ${st.terminated.exitCode})` : "unknown";
          const last = s?.lastState?.terminated;
          return [c.name, c.image, state, s?.ready ? "yes" : "no", s?.restartCount ?? 0, last ? `${last.reason ?? ""} exit ${last.exitCode} ${age(last.finishedAt)} ago` : "none", resources(c.resources?.requests), resources(c.resources?.limits)];
        }),
      ),
    );
  }

  private async renderCharts(p: PodObject): Promise<void> {
    const { points } = await getJson<{ points: UsagePoint[] }>(`/ui/api/usage/${encodeURIComponent(this.ns)}/${encodeURIComponent(this.name)}`);
    const sum = (kind: "requests" | "limits", res: "cpu" | "memory") => {
      let total = 0;
      for (const c of p.spec.containers) {
        const q = c.resources?.[kind]?.[res];
        if (q === undefined) return undefined;
        total += res === "cpu" ? milli(q) : memory(q);
      }
      return total;
    };
    const t = points.map((x) => x.t / 1000);
    const cpu = points.map((x) => x.cpuNanoCores / 1e6);
    const mem = points.map((x) => x.memoryBytes / 1048576);
    const line = (v: number | undefined, scale: number) => t.map(() => (v === undefined ? null : v / scale));
    const cpuData: uPlot.AlignedData = [t, cpu, line(sum("requests", "cpu"), 1), line(sum("limits", "cpu"), 1)];
    const memData: uPlot.AlignedData = [t, mem, line(sum("requests", "memory"), 1048576), line(sum("limits", "memory"), 1048576)];
    if (!this.cpu || !this.mem) {
      const width = Math.min(520, Math.max(260, this.charts.clientWidth / 2 - 20 || 400));
      this.cpu = new uPlot(chartOptions("CPU (millicores)", width), cpuData, this.charts.appendChild(h("figure", { class: "chart", "aria-label": "CPU usage chart" })));
      this.mem = new uPlot(chartOptions("Memory (MiB)", width), memData, this.charts.appendChild(h("figure", { class: "chart", "aria-label": "Memory usage chart" })));
      this.charts.append(h("p", { class: "chart-text" }));
    } else {
      this.cpu.setData(cpuData);
      this.mem.setData(memData);
    }
    // What the charts hold (not what was fetched): the tests read it.
    this.charts.dataset.points = String(Math.min(this.cpu.data[0].length, this.mem.data[0].length));
    const lastPoint = points.at(-1);
    const text = this.charts.querySelector(".chart-text");
    if (text) text.textContent = lastPoint ? `Now: CPU ${(lastPoint.cpuNanoCores / 1e6).toFixed(1)}m, memory ${bytes(lastPoint.memoryBytes)} (${points.length} points)` : "No samples yet: the node takes one every few seconds while the pod runs.";
  }

  private async renderEvents(): Promise<void> {
    const list = await getJson<{ items: EventObject[] }>(k8s(`${this.base()}/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${this.name}`)}`));
    const items = list.items.filter((e) => e.involvedObject.name === this.name).sort((a, b) => (when(a) < when(b) ? -1 : 1));
    this.events.replaceChildren(items.length ? table("Events of the pod", ["type", "reason", "age", "count", "message"], items.map((e) => [e.type ?? "", e.reason ?? "", age(when(e)), e.count ?? 1, e.message ?? ""])) : h("p", {}, "No events."));
  }

  /** Follows the first container's log; a stream that ends (a daemon restart, a network change) starts again. */
  private async followLog(): Promise<void> {
    const container = this.pod?.spec.containers[0]?.name;
    if (!container) return;
    const path = k8s(`${this.base()}/pods/${encodeURIComponent(this.name)}/log?follow=true&tailLines=200&container=${encodeURIComponent(container)}`);
    while (!this.abort.signal.aborted && !this.gone) {
      const lines: string[] = [];
      try {
        await streamLines(path, this.abort.signal, (line) => {
          lines.push(line);
          if (lines.length > MAX_LOG_LINES) lines.splice(0, lines.length - MAX_LOG_LINES);
          const stick = this.log.scrollTop + this.log.clientHeight >= this.log.scrollHeight - 4;
          this.log.textContent = lines.join("\n");
          if (stick) this.log.scrollTop = this.log.scrollHeight;
        });
      } catch (err) {
        if (this.abort.signal.aborted) return;
        if (err instanceof HttpError && err.status >= 400) this.log.append(`\n[log: ${err.message}]`);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  private async loadExplain(): Promise<void> {
    try {
      const script = await getText(k8s(`/apis/nodelet.io/v1/namespaces/${encodeURIComponent(this.ns)}/pods/${encodeURIComponent(this.name)}/explain`));
      // The topology names the veth's edge, hostPorts and the Services that send here; a viewer who may not list
      // them still gets the pod's own lines, linked to the pod.
      const topology = await getJson<Topology>("/ui/api/topology").catch(() => undefined);
      const links = explainLinks(script, this.ns, this.name, topology);
      const words: Record<ExplainKind, string> = { veth: "veth", cgroup: "cgroup", namespace: "namespace", mount: "mount", rule: "rule", service: "Service" };
      this.explain.replaceChildren(
        h(
          "ul",
          { class: "explain-links", "aria-label": "What makes the pod: each links to its place in the topology" },
          ...links.map((l) => h("li", { "data-kind": l.kind }, `${words[l.kind]} `, h("a", { href: `#/?focus=${encodeURIComponent(l.focus)}`, title: `Show ${l.focus} in the topology` }, h("code", {}, l.text)))),
        ),
        h("details", {}, h("summary", {}, "The whole script"), h("pre", { class: "script", tabindex: "0" }, script)),
      );
    } catch (err) {
      this.explain.textContent = `explain: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
}

function when(e: EventObject): string {
  return e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? "";
}

function resources(r: Record<string, string> | undefined): string {
  return r ? Object.entries(r).map(([k, v]) => `${k} ${v}`).join(", ") : "none";
}

const SUFFIX: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1048576, Gi: 1073741824, Ti: 1099511627776 };

function quantity(q: string): number {
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q.trim());
  return m ? Number(m[1]) * (SUFFIX[m[2]] ?? 1) : NaN;
}

const milli = (q: string): number => quantity(q) * 1000;
const memory = (q: string): number => quantity(q);

function chartOptions(title: string, width: number): uPlot.Options {
  return {
    title,
    width,
    height: 160,
    series: [{}, { label: "used", stroke: "#0072B2", width: 2 }, { label: "request", stroke: "#009E73", dash: [6, 4] }, { label: "limit", stroke: "#D55E00", dash: [2, 3] }],
    axes: [{}, { size: 50 }],
  };
}
