/** NodeUnschedulable (plugins/nodeunschedulable): a cordoned node takes only pods tolerating its taint. */
import { nodeUnschedulable as filter } from "../../api/scheduling.js";
import type { Plugin } from "../types.js";

export const nodeUnschedulable: Plugin = {
  name: "NodeUnschedulable",
  filter: ({ pod }, info) => filter(pod, info),
};
