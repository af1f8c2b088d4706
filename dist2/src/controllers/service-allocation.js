/**
 * Allocation of cluster IPs and node ports at create and update time, as the service REST storage does
 * (pkg/registry/core/service/storage/alloc.go): a hook after admission and before the store write fills in what
 * was left out, checks what was asked for, and refuses the whole request with 422 Invalid (every field error at
 * once) when a value is out of range or taken. Nothing is recorded outside the store: the allocators' indexes follow
 * the stored Services, so a refused or dry-run request holds nothing.
 */
import { ApiError } from "../api/errors.js";
import { index } from "../api/field.js";
import { formatCidr } from "../api/cidr.js";
import { keyOf } from "./object-index.js";
export class ServiceAllocation {
    ips;
    ports;
    constructor(ips, ports) {
        this.ips = ips;
        this.ports = ports;
    }
    /** Follows the store and registers the hooks; returns the function that undoes both. */
    install(store, api) {
        const stops = [
            this.ips.follow(store),
            this.ports.follow(store),
            api.registerCreateHook("Service", (obj) => this.onCreate(obj)),
            api.registerUpdateHook("Service", (obj, old) => this.onUpdate(obj, old)),
        ];
        return () => stops.forEach((s) => s());
    }
    /** Fills spec.clusterIP(s) and nodePorts of a new Service; throws ApiError Invalid naming each bad field. */
    onCreate(svc) {
        const errs = [];
        this.assignClusterIP(svc, undefined, errs);
        this.assignNodePorts(svc, undefined, errs);
        if (errs.length)
            throw ApiError.invalid("Service", svc.metadata.name ?? "", errs);
        return svc;
    }
    /** The same for an update: new or changed values are checked, missing ones allocated (type ClusterIP → NodePort). */
    onUpdate(svc, old) {
        const errs = [];
        this.assignClusterIP(svc, old, errs);
        this.assignNodePorts(svc, old, errs);
        if (errs.length)
            throw ApiError.invalid("Service", svc.metadata.name ?? "", errs);
        return svc;
    }
    assignClusterIP(svc, old, errs) {
        const s = svc.spec;
        if (s.type === "ExternalName")
            return;
        const owner = keyOf(svc);
        const requested = s.clusterIP;
        if (requested === "None")
            return;
        if (requested) {
            if (old?.spec.clusterIP === requested)
                return;
            try {
                this.ips.checkRequested(requested, owner);
            }
            catch (err) {
                errs.push(err);
            }
            return;
        }
        const ip = this.ips.allocate();
        if (!ip)
            throw new ApiError("InternalError", `failed to allocate a serviceIP: range ${formatCidr(this.ips.cidr)} is full`);
        s.clusterIP = ip;
        s.clusterIPs = [ip];
    }
    assignNodePorts(svc, old, errs) {
        const s = svc.spec;
        if (s.type !== "NodePort" && s.type !== "LoadBalancer")
            return;
        const owner = keyOf(svc);
        const had = new Set((old?.spec.ports ?? []).map((p) => p.nodePort ?? 0));
        const picked = new Set();
        (s.ports ?? []).forEach((p, i) => {
            if (p.nodePort) {
                if (!had.has(p.nodePort) && !picked.has(p.nodePort))
                    this.check(p.nodePort, owner, `${index("spec.ports", i)}.nodePort`, errs);
                picked.add(p.nodePort);
                return;
            }
            // The same service port number over TCP and UDP shares one node port (Kubernetes does the same).
            const twin = s.ports.find((q) => q !== p && q.port === p.port && q.nodePort);
            const port = twin?.nodePort ?? this.ports.allocate(picked);
            if (port === undefined)
                throw new ApiError("InternalError", `failed to allocate a nodePort: range ${this.ports.range.join("-")} is full`);
            p.nodePort = port;
            picked.add(port);
        });
    }
    check(port, owner, field, errs) {
        try {
            this.ports.checkRequested(port, owner, field);
        }
        catch (err) {
            errs.push(err);
        }
    }
}
//# sourceMappingURL=service-allocation.js.map