/**
 * The topology: a Cytoscape.js graph of what /ui/api/topology pushes (node, bridge, veths, hostPorts, NodePorts,
 * Services → ready endpoints), edges labelled with their live counters, pods coloured by state in the Okabe-Ito
 * palette (safe for colour-blind readers) with the state also written out; beside it, the same pods and Services as
 * a list of links, so every pod is reachable by keyboard and named for screen readers.
 */
import cytoscape, { type Core, type ElementDefinition, type NodeSingular } from "cytoscape";
import { h, bytes, count, type Child } from "./dom.js";
import { applyCounterDelta, type CounterDelta, type Topology, type TopoEdge, type TopoNode } from "../src/ui/topology.js";

export const STATE_COLOURS: Record<string, string> = {
  ready: "#009E73",
  running: "#56B4E9",
  pending: "#E69F00",
  succeeded: "#999999",
  failed: "#D55E00",
  terminating: "#CC79A7",
  unknown: "#000000",
};

const KIND_SHAPES: Record<string, string> = { node: "round-rectangle", bridge: "rectangle", pod: "ellipse", service: "diamond", hostPort: "tag", nodePort: "tag" };

/**
 * An edge's counters in words: a veth's packets and bytes each way (the host end's statistics: what it transmits
 * goes to the pod), a Service → endpoint rule's connections (its NAT rule counts a connection's first packet only)
 * and, where the proxy counts them (nftables), those connections' packets and bytes both ways.
 */
export function counterText(e: TopoEdge): string {
  const parts: string[] = [];
  if (e.link) parts.push(`to pod ${count(e.link.txPackets)} pkt ${bytes(e.link.txBytes)}, from pod ${count(e.link.rxPackets)} pkt ${bytes(e.link.rxBytes)}`);
  if (e.rule) {
    const traffic = e.rule.packets !== undefined ? `, ${count(e.rule.packets)} pkt ${bytes(e.rule.bytes ?? 0)} both ways` : "";
    parts.push(`${count(e.rule.connections)} connection${e.rule.connections === 1 ? "" : "s"}${traffic}`);
  }
  return parts.join("; ");
}

function edgeLabel(e: TopoEdge): string {
  return [e.label, counterText(e)].filter(Boolean).join("\n");
}

function nodeElement(n: TopoNode): ElementDefinition {
  return { group: "nodes", data: { id: n.id, label: n.state ? `${n.label}\n(${n.state})` : n.label, kind: n.kind, colour: n.state ? STATE_COLOURS[n.state] : n.kind === "service" ? "#0072B2" : "#F0E442" } };
}

function edgeElement(e: TopoEdge): ElementDefinition {
  return { group: "edges", data: { id: e.id, source: e.source, target: e.target, label: edgeLabel(e), kind: e.kind } };
}

export class TopologyView {
  private cy: Core | undefined;
  private readonly graph = h("div", { class: "graph", role: "img", "aria-label": "Graph of the node's network: the same items are listed beside it" });
  private readonly list = h("div", { class: "topo-list" });
  private readonly scopeNote = h("p", { class: "note scope-note", role: "note", hidden: true });
  readonly root = h("section", { class: "topology", "aria-labelledby": "topo-title" }, h("h1", { id: "topo-title" }, "Topology"), this.scopeNote, legend(), h("div", { class: "topo-body" }, this.graph, this.list));
  private shape = "";

  constructor(
    private readonly openPod: (namespace: string, name: string) => void,
    private readonly focus: string | undefined,
  ) {}

  /** The last topology shown; counter deltas are applied to it. */
  private current: Topology | undefined;

  /** Counters that moved (the `counters` event): their list entries and graph labels, nothing else, are redrawn. */
  showCounters(delta: CounterDelta): void {
    if (!this.current) return;
    const changed = applyCounterDelta(this.current, delta);
    this.updateCounters(changed);
    const cy = this.cy;
    if (!cy) return;
    cy.batch(() => {
      for (const e of changed) cy.getElementById(e.id).data("label", edgeLabel(e));
    });
  }

  show(t: Topology): void {
    this.current = t;
    const note = t.scope ? `Showing namespace${t.scope.length === 1 ? "" : "s"} ${t.scope.join(", ")} only: your user may not list pods, services and endpoints in the others.` : "";
    this.scopeNote.hidden = !note;
    if (this.scopeNote.textContent !== note) this.scopeNote.textContent = note;
    this.renderList(t);
    // The list first, the graph (its layout is the slow part) in a task of its own: a new pod is in the page at once.
    clearTimeout(this.drawTimer);
    this.drawTimer = setTimeout(() => this.draw(t), 0);
  }

  private drawTimer: ReturnType<typeof setTimeout> | undefined;
  private listKey = "";

  private draw(t: Topology): void {
    if (!this.cy) {
      this.cy = cytoscape({
        container: this.graph,
        style: [
          { selector: "node", style: { label: "data(label)", "background-color": "data(colour)", "text-wrap": "wrap", "font-size": 10, "text-valign": "bottom", "text-margin-y": 4, width: 26, height: 26, "border-width": 1, "border-color": "#333" } },
          ...Object.entries(KIND_SHAPES).map(([kind, shape]) => ({ selector: `node[kind = "${kind}"]`, style: { shape: shape as never } })),
          { selector: "edge", style: { label: "data(label)", "font-size": 8, "text-wrap": "wrap", "curve-style": "bezier", "target-arrow-shape": "triangle", width: 1.5, "line-color": "#777", "target-arrow-color": "#777", "text-background-color": "#fff", "text-background-opacity": 0.8 } },
          { selector: 'edge[kind = "endpoint"]', style: { "line-color": "#0072B2", "target-arrow-color": "#0072B2", "line-style": "dashed" } },
          { selector: ":selected", style: { "border-width": 4, "border-color": "#000", "line-color": "#000" } },
        ],
        wheelSensitivity: 0.3,
        minZoom: 0.2,
        maxZoom: 3,
      });
      this.cy.on("tap", 'node[kind = "pod"]', (ev) => {
        // Cytoscape types an event's target as any: it is the tapped node here (the selector says so).
        const [, ns, name] = (ev.target as NodeSingular).id().split("/");
        this.openPod(ns, name);
      });
    }
    const cy = this.cy;
    const wanted = [...t.nodes.map(nodeElement), ...t.edges.map(edgeElement)];
    const ids = new Set(wanted.map((e) => e.data.id));
    cy.batch(() => {
      cy.elements().forEach((el) => {
        if (!ids.has(el.id())) el.remove();
      });
      for (const def of wanted) {
        const el = cy.getElementById(def.data.id!);
        if (el.nonempty()) el.data(def.data);
        else cy.add(def);
      }
    });
    const shape = [...ids].sort().join(",");
    if (shape !== this.shape) {
      this.shape = shape;
      // On a narrow screen (a phone) the graph's row of levels becomes a column, so labels do not overlap.
      const narrow = this.graph.clientWidth < 600;
      cy.layout({ name: "breadthfirst", directed: true, roots: ["#node"], spacingFactor: 1.1, padding: 20, animate: false, transform: (_n, p) => (narrow ? { x: p.y, y: p.x } : p) }).run();
      this.showFocus(cy);
    }
  }

  /** The element `#/?focus=ID` names (a pod, a veth edge, a Service, a hostPort): selected and centred in the graph. */
  private showFocus(cy: Core): void {
    if (!this.focus) return;
    const el = cy.getElementById(this.focus);
    if (el.empty()) return;
    cy.elements().unselect();
    el.select();
    cy.center(el);
  }

  /** Keyboard focus to the focused element's entry in the list, once (it is what a screen reader announces). */
  private focusListEntry(): void {
    if (!this.focus || this.listFocused) return;
    const entry = this.list.querySelector<HTMLElement>(`[data-focus-id="${CSS.escape(this.focus)}"]`);
    if (!entry) return;
    this.listFocused = true;
    entry.focus();
  }

  private listFocused = false;

  /** Counter texts in the list by edge id: updated in place, so a counter tick moves neither focus nor the page. */
  private counterSpans = new Map<string, HTMLElement>();

  private updateCounters(edges: TopoEdge[]): void {
    for (const e of edges) {
      const span = this.counterSpans.get(e.id);
      if (!span) continue;
      const text = counterText(e);
      const shown = text ? ` (${text})` : "";
      if (span.textContent !== shown) span.textContent = shown;
    }
  }

  private counterSpan(edgeId: string): HTMLElement {
    const span = h("span", { class: "counters", "data-edge": edgeId });
    this.counterSpans.set(edgeId, span);
    return span;
  }

  /** The list is rebuilt only when what it says changed (counters are updated in place), so focus and clicks stay put. */
  private renderList(t: Topology): void {
    this.renderListItems(t);
    this.updateCounters(t.edges);
    this.focusListEntry();
  }

  /** The list entry standing for a topology element: its pod's for a pod or its veth, its own for a Service. */
  private entryAttrs(ids: string[]): Record<string, string | undefined> {
    const hit = this.focus !== undefined && ids.includes(this.focus);
    return hit ? { class: "focused", tabindex: "-1", "data-focus-id": this.focus, "aria-current": "location" } : {};
  }

  private renderListItems(t: Topology): void {
    const pods = t.nodes.filter((n) => n.kind === "pod");
    const services = t.nodes.filter((n) => n.kind === "service");
    const vethOf = new Map(t.edges.filter((e) => e.kind === "veth").map((e) => [e.target, e]));
    const endpointEdges = (id: string) => t.edges.filter((e) => e.kind === "endpoint" && e.source === id);
    const endpointsOf = (id: string) => endpointEdges(id).map((e) => e.target.split("/").slice(1).join("/"));
    const key = JSON.stringify([t.nodeName, pods.map((p) => [p.id, p.state, p.ip, vethOf.get(p.id)?.interface]), services.map((s) => [s.id, s.ip, endpointsOf(s.id)])]);
    if (key === this.listKey) return;
    this.listKey = key;
    this.counterSpans = new Map();
    const endpointItems = (id: string): Child[] => {
      const edges = endpointEdges(id);
      if (edges.length === 0) return ["no ready endpoints"];
      return edges.flatMap((e, i) => [i > 0 ? ", " : "", e.target.split("/").slice(1).join("/"), this.counterSpan(e.id)]);
    };
    this.list.replaceChildren(
      h("h2", {}, `Pods on ${t.nodeName} (${pods.length})`),
      h(
        "ul",
        { class: "pods", "aria-label": "Pods" },
        ...pods.map((p) => {
          const veth = vethOf.get(p.id);
          return h(
            "li",
            { "data-pod": p.id, ...this.entryAttrs([p.id, ...(veth ? [veth.id] : [])]) },
            h("span", { class: `dot state-${p.state ?? "unknown"}`, "aria-hidden": "true" }),
            h("a", { href: `#/pod/${encodeURIComponent(p.namespace!)}/${encodeURIComponent(p.name!)}` }, `${p.namespace}/${p.name}`),
            ` ${p.state} · ${p.ip ?? "no IP"}`,
            veth ? ` · veth ${veth.interface}` : "",
            veth ? this.counterSpan(veth.id) : "",
          );
        }),
      ),
      h("h2", {}, `Services (${services.length})`),
      h("ul", { class: "services", "aria-label": "Services" }, ...services.map((s) => h("li", { "data-service": s.id, ...this.entryAttrs([s.id]) }, `${s.namespace}/${s.name} ${s.ip ?? ""} → `, ...endpointItems(s.id)))),
    );
  }

  destroy(): void {
    clearTimeout(this.drawTimer);
    this.cy?.destroy();
  }
}

function legend(): HTMLElement {
  return h("ul", { class: "legend", "aria-label": "Pod colours" }, ...Object.entries(STATE_COLOURS).map(([state]) => h("li", {}, h("span", { class: `dot state-${state}`, "aria-hidden": "true" }), state)));
}
