/**
 * The lines of a pod's `explain` script that name a piece of the picture, each with the topology element it belongs
 * to (pure, so it is unit-tested): the veth → its edge; cgroup files, namespaces and mounts → the pod's node; the
 * firewall rules of a hostPort → that hostPort's node (others → the pod); and, from the topology, the Services that
 * send to this pod → their nodes. The page turns each into a link to `#/?focus=ID`.
 */
import type { Topology } from "../src/ui/topology.js";

export type ExplainKind = "veth" | "cgroup" | "namespace" | "mount" | "rule" | "service";

export interface ExplainLink {
  kind: ExplainKind;
  /** What the line names (an interface, a path, a command). */
  text: string;
  /** The topology element a click focuses. */
  focus: string;
}

const MAX_PER_KIND = 8;

export function explainLinks(script: string, ns: string, name: string, topology?: Topology): ExplainLink[] {
  const pod = `pod/${ns}/${name}`;
  const out: ExplainLink[] = [];
  const add = (kind: ExplainKind, texts: Iterable<string>, focus: (t: string) => string) => {
    for (const text of [...new Set(texts)].slice(0, MAX_PER_KIND)) out.push({ kind, text, focus: focus(text) });
  };
  const lines = script.split("\n");
  const vethEdge = topology?.edges.find((e) => e.kind === "veth" && e.target === pod);
  add("veth", script.match(/\bnl[0-9a-f]{13}\b/g) ?? [], () => (vethEdge ? vethEdge.id : pod));
  add("cgroup", script.match(/\/sys\/fs\/cgroup\/[^\s'"]+/g) ?? [], () => pod);
  add("namespace", script.match(/\/proc\/\d+\/ns\/\w+|\/run\/netns\/[^\s'"]+|--ns[= ]\S+/g) ?? [], () => pod);
  add("mount", script.match(/--(?:rootfs|bind|lower)[= ]\S+|^mount\b[^\n]*/gm) ?? [], () => pod);
  const hostPorts = new Map((topology?.nodes ?? []).filter((n) => n.kind === "hostPort").map((n) => [n.id, n]));
  const ruleFocus = (line: string): string => {
    const port = /\bdport (\d+)\b|--dport (\d+)\b/.exec(line);
    const p = port?.[1] ?? port?.[2];
    const hp = p ? [...hostPorts.keys()].find((id) => id.includes(`:${p}/`)) : undefined;
    return hp ?? pod;
  };
  add("rule", lines.filter((l) => /^(nft|iptables|ip6tables|iptables-restore|iptables-nft|iptables-legacy)\b/.test(l.trim())).map((l) => l.trim()), ruleFocus);
  for (const e of topology?.edges ?? []) {
    if (e.kind === "endpoint" && e.target === pod) out.push({ kind: "service", text: e.source.replace(/^svc\//, ""), focus: e.source });
  }
  return out;
}
