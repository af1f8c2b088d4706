/**
 * ImageLocality (plugins/imagelocality): nodes that already hold the pod's images score higher, each image's size
 * scaled by the share of all nodes holding it (one node holding a popular image is not favoured for it alone),
 * clamped between 23 MB and 1000 MB per container and scaled to 0..100.
 */
import type { Node } from "../../api/types.js";
import { MAX_NODE_SCORE, type Plugin } from "../types.js";

const MIN_THRESHOLD = 23 * 1024 * 1024;
const MAX_CONTAINER_THRESHOLD = 1000 * 1024 * 1024;
const KEY = "PreScoreImageLocality";

/** Image names as node.status.images lists them, with `:latest` where a reference names no tag. */
export function normalizedImageName(name: string): string {
  const lastSlash = name.lastIndexOf("/");
  return name.includes("@") || name.slice(lastSlash + 1).includes(":") ? name : `${name}:latest`;
}

function imagesOf(node: Node): Map<string, number> {
  const m = new Map<string, number>();
  for (const img of node.status?.images ?? []) {
    for (const n of img.names ?? []) m.set(normalizedImageName(n), img.sizeBytes ?? 0);
  }
  return m;
}

interface State {
  /** For each image of the pod: how many nodes of the snapshot hold it. */
  spread: Map<string, number>;
  total: number;
}

export const imageLocality: Plugin = {
  name: "ImageLocality",
  preScore: ({ pod, snapshot, state }) => {
    const names = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c) => normalizedImageName(c.image ?? ""));
    const spread = new Map<string, number>(names.map((n) => [n, 0]));
    for (const { node } of snapshot.nodes) {
      const images = imagesOf(node);
      for (const n of spread.keys()) if (images.has(n)) spread.set(n, spread.get(n)! + 1);
    }
    state.write(KEY, { spread, total: snapshot.nodes.length } satisfies State);
    return undefined;
  },
  score: ({ pod, state }, { node }) => {
    const { spread, total } = state.read<State>(KEY)!;
    const containers = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
    const images = imagesOf(node);
    let sum = 0;
    for (const c of containers) {
      const name = normalizedImageName(c.image ?? "");
      const size = images.get(name);
      if (size !== undefined) sum += Math.trunc(size * ((spread.get(name) ?? 0) / total));
    }
    const maxThreshold = MAX_CONTAINER_THRESHOLD * containers.length;
    const clamped = Math.min(Math.max(sum, MIN_THRESHOLD), maxThreshold);
    return Math.trunc((MAX_NODE_SCORE * (clamped - MIN_THRESHOLD)) / (maxThreshold - MIN_THRESHOLD));
  },
};
