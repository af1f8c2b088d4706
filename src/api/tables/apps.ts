/** Deployment and ReplicaSet columns (printers.go printDeployment / printReplicaSet). */
import type { Deployment, PodTemplateSpec, ReplicaSet } from "../apps-types.js";
import { labelSelectorToString } from "../labels.js";
import type { LabelSelector } from "../types.js";
import { formatAge } from "./format.js";
import { AGE_COLUMN, NAME_COLUMN, column, type Printer } from "./table.js";

const WIDE = [
  column("Containers", "Names of each container in the template.", { priority: 1 }),
  column("Images", "Images referenced by each container in the template.", { priority: 1 }),
  column("Selector", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.", { priority: 1 }),
];

/** Containers, Images and Selector cells of a workload's template (layoutContainerCells). */
function wideCells(template: PodTemplateSpec | undefined, selector: LabelSelector | undefined): string[] {
  const containers = template?.spec?.containers ?? [];
  let sel: string;
  try {
    sel = selector ? labelSelectorToString(selector) || "<none>" : "<none>";
  } catch {
    sel = "<invalid>";
  }
  return [containers.map((c) => c.name).join(","), containers.map((c) => c.image ?? "").join(","), sel];
}

export const deploymentPrinter: Printer<Deployment> = {
  columns: [
    NAME_COLUMN,
    column("Ready", "Number of the pod with ready state"),
    column("Up-to-date", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
    column("Available", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
    AGE_COLUMN,
    ...WIDE,
  ],
  cells(d, now) {
    const s = d.status ?? {};
    return [
      d.metadata.name ?? "",
      `${s.readyReplicas ?? 0}/${d.spec.replicas ?? 0}`,
      s.updatedReplicas ?? 0,
      s.availableReplicas ?? 0,
      formatAge(d.metadata.creationTimestamp, now),
      ...wideCells(d.spec.template, d.spec.selector),
    ];
  },
};

export const replicaSetPrinter: Printer<ReplicaSet> = {
  columns: [
    NAME_COLUMN,
    column("Desired", "Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1.", { type: "integer" }),
    column("Current", "Replicas is the most recently observed number of non-terminating pods.", { type: "integer" }),
    column("Ready", "The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.", { type: "integer" }),
    AGE_COLUMN,
    ...WIDE.slice(0, 2),
    column("Selector", "Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set.", { priority: 1 }),
  ],
  cells(rs, now) {
    const s = rs.status;
    return [
      rs.metadata.name ?? "",
      rs.spec.replicas ?? 0,
      s?.replicas ?? 0,
      s?.readyReplicas ?? 0,
      formatAge(rs.metadata.creationTimestamp, now),
      ...wideCells(rs.spec.template, rs.spec.selector),
    ];
  },
};
