/**
 * The kubelet's container hash (pkg/kubelet/container HashContainer): a changed hash means the running container
 * no longer matches its spec and is replaced, and the back-off key includes it so a fixed spec starts at once.
 * The runtime only stores the hash the kubelet gives it (StartContainerOptions.specHash).
 */
import { createHash } from "node:crypto";
/** A stable hash of the container's spec, 16 hex digits. */
export function containerSpecHash(c) {
    return createHash("sha256").update(JSON.stringify(c)).digest("hex").slice(0, 16);
}
//# sourceMappingURL=container-hash.js.map