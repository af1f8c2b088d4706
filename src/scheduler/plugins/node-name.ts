/** NodeName (plugins/nodename): a pod that names a node fits only there. */
import type { Plugin } from "../types.js";

export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

export const nodeName: Plugin = {
  name: "NodeName",
  filter: ({ pod }, { node }) =>
    pod.spec.nodeName && pod.spec.nodeName !== node.metadata.name ? { plugin: "NodeName", code: "UnschedulableAndUnresolvable", reasons: [ERR_REASON_NODE_NAME] } : undefined,
};
