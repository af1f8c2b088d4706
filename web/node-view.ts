/**
 * The node's status (conditions with the pressure ones first, capacity and allocatable, addresses) and a live event
 * stream: the events listed, then watched from that resourceVersion, filtered by namespace, type and text.
 */
import { getJson, k8s, streamLines, type EventObject, type NodeObject } from "./api.js";
import { age, h, table } from "./dom.js";

const MAX_EVENTS = 500;
const PRESSURE = ["MemoryPressure", "DiskPressure", "PIDPressure"];

export class NodeView {
  private readonly abort = new AbortController();
  private readonly status = h("div", { class: "node-status" });
  private readonly events: EventObject[] = [];
  private readonly eventList = h("div", { class: "event-list", "aria-live": "polite" });
  private readonly nsFilter = h("input", { id: "f-ns", type: "search", placeholder: "all namespaces" });
  private readonly typeFilter = h("select", { id: "f-type" }, h("option", { value: "" }, "all"), h("option", { value: "Normal" }, "Normal"), h("option", { value: "Warning" }, "Warning"));
  private readonly textFilter = h("input", { id: "f-text", type: "search", placeholder: "reason, object or message" });
  private timer: ReturnType<typeof setInterval> | undefined;
  readonly root = h(
    "section",
    { class: "node", "aria-labelledby": "node-title" },
    h("h1", { id: "node-title" }, "Node status"),
    this.status,
    h("h2", {}, "Events (live)"),
    h("form", { class: "filters", role: "search", "aria-label": "Filter events" }, h("label", { for: "f-ns" }, "Namespace "), this.nsFilter, h("label", { for: "f-type" }, " Type "), this.typeFilter, h("label", { for: "f-text" }, " Text "), this.textFilter),
    this.eventList,
  );

  async start(): Promise<void> {
    for (const f of [this.nsFilter, this.typeFilter, this.textFilter]) f.addEventListener("input", () => this.renderEvents());
    this.root.querySelector("form")?.addEventListener("submit", (e) => e.preventDefault());
    await this.refreshNode();
    this.timer = setInterval(() => void this.refreshNode(), 5000);
    void this.streamEvents();
  }

  destroy(): void {
    this.abort.abort();
    clearInterval(this.timer);
  }

  private async refreshNode(): Promise<void> {
    const nodes = await getJson<{ items: NodeObject[] }>(k8s("/api/v1/nodes"));
    this.status.replaceChildren(...nodes.items.map(renderNode));
  }

  private async streamEvents(): Promise<void> {
    const list = await getJson<{ items: EventObject[]; metadata: { resourceVersion: string } }>(k8s("/api/v1/events?limit=500"));
    this.events.push(...list.items.slice(-MAX_EVENTS));
    this.renderEvents();
    let rv = list.metadata.resourceVersion;
    // A watch ends (timeouts, a daemon restart): it starts again from the last version seen, or from now after a 410.
    while (!this.abort.signal.aborted) {
      try {
        await streamLines(k8s(`/api/v1/events?watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(rv)}`), this.abort.signal, (line) => {
          if (!line.trim()) return;
          const ev = JSON.parse(line) as { type: string; object: EventObject & { code?: number } };
          if (ev.type === "ERROR") {
            rv = "";
            return;
          }
          rv = ev.object.metadata.resourceVersion ?? rv;
          if (ev.type === "BOOKMARK") return;
          const i = this.events.findIndex((e) => e.metadata.uid === ev.object.metadata.uid);
          if (ev.type === "DELETED") {
            if (i >= 0) this.events.splice(i, 1);
          } else if (i >= 0) this.events[i] = ev.object;
          else this.events.push(ev.object);
          if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
          this.renderEvents();
        });
      } catch {
        if (this.abort.signal.aborted) return;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  private renderEvents(): void {
    const ns = this.nsFilter.value.trim();
    const type = this.typeFilter.value;
    const text = this.textFilter.value.trim().toLowerCase();
    const shown = this.events
      .filter((e) => (!ns || e.metadata.namespace === ns) && (!type || e.type === type))
      .filter((e) => !text || `${e.reason} ${e.involvedObject.kind}/${e.involvedObject.name} ${e.message}`.toLowerCase().includes(text))
      .slice(-200)
      .reverse();
    this.eventList.replaceChildren(
      table(
        `Events, newest first (${shown.length} of ${this.events.length})`,
        ["type", "reason", "object", "age", "message"],
        shown.map((e) => [e.type ?? "", e.reason ?? "", `${e.involvedObject.kind ?? ""} ${e.metadata.namespace ?? ""}/${e.involvedObject.name ?? ""}`, age(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp), e.message ?? ""]),
      ),
    );
  }
}

function renderNode(n: NodeObject): HTMLElement {
  const conditions = [...(n.status?.conditions ?? [])].sort((a, b) => Number(PRESSURE.includes(b.type)) - Number(PRESSURE.includes(a.type)));
  const pressured = conditions.filter((c) => PRESSURE.includes(c.type) && c.status === "True").map((c) => c.type);
  const keys = [...new Set([...Object.keys(n.status?.capacity ?? {}), ...Object.keys(n.status?.allocatable ?? {})])];
  return h(
    "div",
    { class: "node-card" },
    h("h2", {}, n.metadata.name),
    h("p", { class: pressured.length ? "pressure bad" : "pressure" }, pressured.length ? `Under pressure: ${pressured.join(", ")}` : "No resource pressure."),
    table("Conditions", ["type", "status", "reason", "since", "message"], conditions.map((c) => [c.type, c.status, c.reason ?? "", age(c.lastTransitionTime), c.message ?? ""])),
    table("Capacity and allocatable", ["resource", "capacity", "allocatable"], keys.map((k) => [k, n.status?.capacity?.[k] ?? "", n.status?.allocatable?.[k] ?? ""])),
    table("Addresses", ["type", "address"], (n.status?.addresses ?? []).map((a) => [a.type, a.address])),
  );
}
