/**
 * The cluster (#/cluster), once the API has more than one Node: each Node a box (a Cytoscape compound node) holding
 * its pods, coloured by state as in the topology, and the links this node programmed to reach the others' pods (a
 * route via a peer's InternalIP, or VXLAN); beside it the same as a list, with the nodes left out and why.
 * Re-read every 3 s while open.
 */
import cytoscape, { type Core, type ElementDefinition } from "cytoscape";
import { getJson } from "./api.js";
import { h } from "./dom.js";
import { STATE_COLOURS } from "./topology-view.js";
import type { ClusterView as Cluster } from "../src/ui/cluster.js";

export class ClusterView {
  private cy: Core | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private shape = "";
  private readonly graph = h("div", { class: "graph", role: "img", "aria-label": "Graph of the cluster's nodes and their pods: the same items are listed beside it" });
  private readonly list = h("div", { class: "topo-list" });
  readonly root = h("section", { class: "cluster", "aria-labelledby": "cluster-title" }, h("h1", { id: "cluster-title" }, "Cluster"), h("div", { class: "topo-body" }, this.graph, this.list));

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), 3000);
  }

  destroy(): void {
    clearInterval(this.timer);
    this.cy?.destroy();
  }

  private async refresh(): Promise<void> {
    const c = await getJson<Cluster>("/ui/api/cluster");
    this.renderList(c);
    this.draw(c);
  }

  private renderList(c: Cluster): void {
    const key = JSON.stringify(c);
    if (this.list.dataset.key === key) return;
    this.list.dataset.key = key;
    const linkTo = new Map(c.links.map((l) => [l.to, l]));
    const skipped = new Map(c.skipped.map((s) => [s.name, s.why]));
    this.list.replaceChildren(
      h("h2", {}, `Nodes (${c.nodes.length})`),
      c.nodes.length < 2 ? h("p", { class: "note" }, "This node is alone in the cluster: the Topology view shows it.") : "",
      h(
        "ul",
        { class: "nodes", "aria-label": "Nodes" },
        ...c.nodes.map((n) =>
          h(
            "li",
            { "data-node": n.name },
            h("strong", {}, n.name),
            n.self ? " (this node)" : "",
            ` · Ready ${n.ready} · pods ${n.podCIDR ?? "no pod CIDR"} · ${n.internalIP ?? "no InternalIP"}`,
            n.self ? "" : h("span", { class: "route" }, ` · ${linkTo.get(n.name)?.label ?? `no route${skipped.has(n.name) ? `: ${skipped.get(n.name)}` : ""}`}`),
            h(
              "ul",
              { "aria-label": `Pods on ${n.name}` },
              ...n.pods.map((p) => h("li", { "data-pod": p.id }, h("span", { class: `dot state-${p.state}`, "aria-hidden": "true" }), h("a", { href: `#/pod/${encodeURIComponent(p.namespace)}/${encodeURIComponent(p.name)}` }, `${p.namespace}/${p.name}`), ` ${p.state}${p.ip ? ` · ${p.ip}` : ""}`)),
            ),
          ),
        ),
      ),
      c.unscheduled ? h("p", {}, `${c.unscheduled} pod${c.unscheduled === 1 ? "" : "s"} not yet bound to a node.`) : "",
    );
  }

  private draw(c: Cluster): void {
    this.cy ??= cytoscape({
      container: this.graph,
      style: [
        { selector: "node", style: { label: "data(label)", "font-size": 10, "text-wrap": "wrap", "text-valign": "bottom", "background-color": "data(colour)", width: 22, height: 22, "border-width": 1, "border-color": "#333" } },
        { selector: ":parent", style: { "text-valign": "top", "background-color": "#F0E442", "background-opacity": 0.25, "border-width": 2, shape: "round-rectangle", padding: "12px" } },
        { selector: "edge", style: { label: "data(label)", "font-size": 8, "text-wrap": "wrap", "curve-style": "bezier", "target-arrow-shape": "triangle", width: 2, "line-color": "#0072B2", "target-arrow-color": "#0072B2", "text-background-color": "#fff", "text-background-opacity": 0.8 } },
        { selector: 'edge[kind = "vxlan"]', style: { "line-style": "dashed" } },
      ],
      minZoom: 0.2,
      maxZoom: 3,
    });
    const cy = this.cy;
    const els: ElementDefinition[] = [];
    for (const n of c.nodes) {
      els.push({ group: "nodes", data: { id: `node/${n.name}`, label: `${n.name}${n.self ? " (this node)" : ""}\n${n.podCIDR ?? ""} · ${n.internalIP ?? ""} · Ready ${n.ready}`, colour: "#F0E442" } });
      for (const p of n.pods) els.push({ group: "nodes", data: { id: p.id, parent: `node/${n.name}`, label: `${p.namespace}/${p.name}\n(${p.state})`, colour: STATE_COLOURS[p.state] } });
    }
    for (const l of c.links) els.push({ group: "edges", data: { id: `link/${l.from}>${l.to}`, source: `node/${l.from}`, target: `node/${l.to}`, label: l.label, kind: l.kind } });
    const shape = JSON.stringify(els.map((e) => [e.data.id, e.data.parent as string | undefined]));
    cy.batch(() => {
      const ids = new Set(els.map((e) => e.data.id));
      cy.elements().forEach((el) => {
        if (!ids.has(el.id())) el.remove();
      });
      for (const def of els) {
        const el = cy.getElementById(def.data.id!);
        if (el.nonempty()) el.data(def.data);
        else cy.add(def);
      }
    });
    if (shape === this.shape) return;
    this.shape = shape;
    cy.layout({ name: "grid", avoidOverlap: true, padding: 20, animate: false }).run();
  }
}
