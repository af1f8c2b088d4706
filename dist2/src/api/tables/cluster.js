import { formatAge } from "./format.js";
import { AGE_COLUMN, NAME_COLUMN, column } from "./table.js";
export const nodePrinter = {
    columns: [
        NAME_COLUMN,
        column("Status", "The status of the node"),
        column("Roles", "The roles of the node"),
        AGE_COLUMN,
        column("Version", "Kubelet Version reported by the node."),
        column("Internal-IP", "List of addresses reachable to the node.", { priority: 1 }),
        column("External-IP", "List of addresses reachable to the node.", { priority: 1 }),
        column("OS-Image", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", { priority: 1 }),
        column("Kernel-Version", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", { priority: 1 }),
        column("Container-Runtime", "Container runtime version reported by the node through runtime remote API (e.g. containerd://1.4.2).", { priority: 1 }),
    ],
    cells(node, now) {
        const info = node.status?.nodeInfo ?? {};
        const address = (type) => node.status?.addresses?.find((a) => a.type === type)?.address ?? "<none>";
        return [
            node.metadata.name ?? "",
            nodeStatus(node),
            nodeRoles(node),
            formatAge(node.metadata.creationTimestamp, now),
            info.kubeletVersion ?? "",
            address("InternalIP"),
            address("ExternalIP"),
            info.osImage || "<unknown>",
            info.kernelVersion || "<unknown>",
            info.containerRuntimeVersion || "<unknown>",
        ];
    },
};
/** `Ready`, `NotReady`, `Unknown`, plus `SchedulingDisabled` when cordoned. */
function nodeStatus(node) {
    const ready = node.status?.conditions?.find((c) => c.type === "Ready");
    const status = [ready ? (ready.status === "True" ? "Ready" : "NotReady") : "Unknown"];
    if (node.spec?.unschedulable)
        status.push("SchedulingDisabled");
    return status.join(",");
}
/** Roles from `node-role.kubernetes.io/<role>` labels and the `kubernetes.io/role` label (findNodeRoles). */
function nodeRoles(node) {
    const roles = new Set();
    for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
        if (k.startsWith("node-role.kubernetes.io/") && k.length > "node-role.kubernetes.io/".length)
            roles.add(k.slice(24));
        else if (k === "kubernetes.io/role" && v)
            roles.add(v);
    }
    return [...roles].sort().join(",") || "<none>";
}
export const namespacePrinter = {
    columns: [NAME_COLUMN, column("Status", "The status of the namespace"), AGE_COLUMN],
    cells(ns, now) {
        return [ns.metadata.name ?? "", ns.status?.phase ?? "", formatAge(ns.metadata.creationTimestamp, now)];
    },
};
//# sourceMappingURL=cluster.js.map