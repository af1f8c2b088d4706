/** Deployment, ReplicaSet, StatefulSet, DaemonSet and ControllerRevision columns (printers.go printDeployment, printReplicaSet, ...). */
import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from "../apps-types.js";
import { formatAge } from "./format.js";
import { templateCells } from "./template-cells.js";
import { AGE_COLUMN, NAME_COLUMN, column, type Printer } from "./table.js";

const WIDE = [
  column("Containers", "Names of each container in the template.", { priority: 1 }),
  column("Images", "Images referenced by each container in the template.", { priority: 1 }),
  column("Selector", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.", { priority: 1 }),
];

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
      ...templateCells(d.spec.template, d.spec.selector),
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
      ...templateCells(rs.spec.template, rs.spec.selector),
    ];
  },
};

export const statefulSetPrinter: Printer<StatefulSet> = {
  columns: [NAME_COLUMN, column("Ready", "Number of the pod with ready state"), AGE_COLUMN, ...WIDE.slice(0, 2)],
  cells(ss, now) {
    return [
      ss.metadata.name ?? "",
      `${ss.status?.readyReplicas ?? 0}/${ss.spec.replicas ?? 0}`,
      formatAge(ss.metadata.creationTimestamp, now),
      ...templateCells(ss.spec.template, ss.spec.selector).slice(0, 2),
    ];
  },
};

/** labels.FormatLabels: sorted `k=v` pairs, `<none>` when empty. */
function formatLabels(m: Record<string, string> | undefined): string {
  const keys = Object.keys(m ?? {}).sort();
  return keys.length ? keys.map((k) => `${k}=${(m ?? {})[k]}`).join(",") : "<none>";
}

export const daemonSetPrinter: Printer<DaemonSet> = {
  columns: [
    NAME_COLUMN,
    column("Desired", "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/", { type: "integer" }),
    column("Current", "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/", { type: "integer" }),
    column("Ready", "numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.", { type: "integer" }),
    column("Up-to-date", "The total number of nodes that are running updated daemon pod", { type: "integer" }),
    column("Available", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)", { type: "integer" }),
    column("Node Selector", "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/"),
    AGE_COLUMN,
    ...WIDE.slice(0, 2),
    column("Selector", "A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", { priority: 1 }),
  ],
  cells(ds, now) {
    const s = ds.status;
    return [
      ds.metadata.name ?? "",
      s?.desiredNumberScheduled ?? 0,
      s?.currentNumberScheduled ?? 0,
      s?.numberReady ?? 0,
      s?.updatedNumberScheduled ?? 0,
      s?.numberAvailable ?? 0,
      formatLabels(ds.spec.template?.spec?.nodeSelector),
      formatAge(ds.metadata.creationTimestamp, now),
      ...templateCells(ds.spec.template, ds.spec.selector),
    ];
  },
};

export const controllerRevisionPrinter: Printer<ControllerRevision> = {
  columns: [NAME_COLUMN, column("Controller", "Controller of the object"), column("Revision", "Revision of the object", { type: "integer" }), AGE_COLUMN],
  cells(cr, now) {
    const ref = cr.metadata.ownerReferences?.find((r) => r.controller === true);
    const group = ref?.apiVersion.includes("/") ? ref.apiVersion.split("/")[0] : "";
    const controller = ref ? `${ref.kind.toLowerCase()}${group ? `.${group}` : ""}/${ref.name}` : "<none>";
    return [cr.metadata.name ?? "", controller, cr.revision ?? 0, formatAge(cr.metadata.creationTimestamp, now)];
  },
};
