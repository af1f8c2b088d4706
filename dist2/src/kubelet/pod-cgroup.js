/**
 * Where the kubelet places a pod's cgroup (pkg/kubelet/cm pod_container_manager + qos_container_manager): a
 * Guaranteed pod directly under the node's parent, a Burstable or BestEffort one under the parent of its class.
 * The runtime creates the cgroup where the kubelet says (SandboxOptions.cgroupPath), as a CRI runtime takes
 * the sandbox's cgroup_parent.
 */
import { podQOSClass } from "../api/qos.js";
/** The pod's cgroup, relative to the cgroup manager's parent: `podUID`, `burstable/podUID` or `besteffort/podUID`. */
export function podCgroupPath(pod) {
    const qos = podQOSClass(pod);
    const leaf = `pod${pod.metadata.uid}`;
    return qos === "Guaranteed" ? leaf : `${qos.toLowerCase()}/${leaf}`;
}
//# sourceMappingURL=pod-cgroup.js.map