/**
 * Allocation of cluster IPs and node ports at create and update time, as the service REST storage does
 * (pkg/registry/core/service/storage/alloc.go): a hook after admission and before the store write fills in what
 * was left out, checks what was asked for, and refuses the whole request with 422 Invalid (every field error at
 * once) when a value is out of range or taken. A LoadBalancer with `allocateLoadBalancerNodePorts: false` gets only
 * the node ports it asks for. A LoadBalancer with externalTrafficPolicy Local gets a `healthCheckNodePort` from the
 * node port range (the one asked for, or any), kept across updates and released when the service stops needing it
 * (service.ts clears it then); a requested one that is taken or out of range is upstream's 500 "failed to allocate
 * requested HealthCheck NodePort". Nothing is recorded outside the store: the allocators' indexes follow
 * the stored Services, so a refused or dry-run request holds nothing.
 */
import { ApiError, type FieldError } from "../api/errors.js";
import { index } from "../api/field.js";
import type { KubeObject, Service } from "../api/types.js";
import { formatCidr } from "../api/cidr.js";
import type { Store } from "../store/store.js";
import { ClusterIPAllocator } from "./cluster-ip-allocator.js";
import { keyOf } from "./object-index.js";
import { NodePortAllocator } from "./node-port-allocator.js";
import { needsHealthCheck } from "../api/service.js";

export interface HookRegistry {
  registerCreateHook(kind: string, fn: (obj: KubeObject) => KubeObject | void): () => void;
  registerUpdateHook(kind: string, fn: (obj: KubeObject, old: KubeObject) => KubeObject | void): () => void;
}

export class ServiceAllocation {
  constructor(
    readonly ips: ClusterIPAllocator,
    readonly ports: NodePortAllocator,
  ) {}

  /** Follows the store and registers the hooks; returns the function that undoes both. */
  install(store: Store, api: HookRegistry): () => void {
    const stops = [
      this.ips.follow(store),
      this.ports.follow(store),
      api.registerCreateHook("Service", (obj) => this.onCreate(obj as Service)),
      api.registerUpdateHook("Service", (obj, old) => this.onUpdate(obj as Service, old as Service)),
    ];
    return () => stops.forEach((s) => s());
  }

  /** Fills spec.clusterIP(s) and nodePorts of a new Service; throws ApiError Invalid naming each bad field. */
  onCreate(svc: Service): Service {
    const errs: FieldError[] = [];
    this.assignClusterIP(svc, undefined, errs);
    this.assignNodePorts(svc, undefined, errs);
    if (errs.length) throw ApiError.invalid("Service", svc.metadata.name ?? "", errs);
    this.assignHealthCheckNodePort(svc, undefined);
    return svc;
  }

  /** The same for an update: new or changed values are checked, missing ones allocated (type ClusterIP → NodePort). */
  onUpdate(svc: Service, old: Service): Service {
    const errs: FieldError[] = [];
    this.assignClusterIP(svc, old, errs);
    this.assignNodePorts(svc, old, errs);
    if (errs.length) throw ApiError.invalid("Service", svc.metadata.name ?? "", errs);
    this.assignHealthCheckNodePort(svc, old);
    return svc;
  }

  private assignClusterIP(svc: Service, old: Service | undefined, errs: FieldError[]): void {
    const s = svc.spec;
    if (s.type === "ExternalName") return;
    const owner = keyOf(svc);
    const requested = s.clusterIP;
    if (requested === "None") return;
    if (requested) {
      if (old?.spec.clusterIP === requested) return;
      try {
        this.ips.checkRequested(requested, owner);
      } catch (err) {
        errs.push(err as FieldError);
      }
      return;
    }
    const ip = this.ips.allocate();
    if (!ip) throw new ApiError("InternalError", `failed to allocate a serviceIP: range ${formatCidr(this.ips.cidr)} is full`);
    s.clusterIP = ip;
    s.clusterIPs = [ip];
  }

  private assignNodePorts(svc: Service, old: Service | undefined, errs: FieldError[]): void {
    const s = svc.spec;
    if (s.type !== "NodePort" && s.type !== "LoadBalancer") return;
    const owner = keyOf(svc);
    const had = new Set((old?.spec.ports ?? []).map((p) => p.nodePort ?? 0));
    const picked = new Set<number>();
    (s.ports ?? []).forEach((p, i) => {
      if (p.nodePort) {
        if (!had.has(p.nodePort) && !picked.has(p.nodePort)) this.check(p.nodePort, owner, `${index("spec.ports", i)}.nodePort`, errs);
        picked.add(p.nodePort);
        return;
      }
      // Upstream's initNodePorts: "Don't allocate new ports, but do respect specific requests."
      if (s.type === "LoadBalancer" && s.allocateLoadBalancerNodePorts === false) return;
      // The same service port number over TCP and UDP shares one node port (Kubernetes does the same).
      const twin = s.ports!.find((q) => q !== p && q.port === p.port && q.nodePort);
      const port = twin?.nodePort ?? this.ports.allocate(picked);
      if (port === undefined) throw new ApiError("InternalError", `failed to allocate a nodePort: range ${this.ports.range.join("-")} is full`);
      p.nodePort = port;
      picked.add(port);
    });
  }

  /** The health check node port of a LoadBalancer with externalTrafficPolicy Local: kept, checked, or allocated. */
  private assignHealthCheckNodePort(svc: Service, old: Service | undefined): void {
    const s = svc.spec;
    if (!needsHealthCheck(s)) return;
    const owner = keyOf(svc);
    const requested = s.healthCheckNodePort;
    if (requested) {
      if (old && old.spec.healthCheckNodePort === requested) return;
      // The service's own node ports are in the same operation upstream: taken too.
      const own = (s.ports ?? []).some((p) => p.nodePort === requested);
      const why = own ? "provided port is already allocated" : this.ports.problem(requested, owner);
      if (why) throw new ApiError("InternalError", `Internal error occurred: failed to allocate requested HealthCheck NodePort ${requested}: ${why}`);
      return;
    }
    const picked = new Set((s.ports ?? []).map((p) => p.nodePort ?? 0));
    const port = this.ports.allocate(picked);
    if (port === undefined) throw new ApiError("InternalError", `Internal error occurred: failed to allocate a HealthCheck NodePort: range ${this.ports.range.join("-")} is full`);
    s.healthCheckNodePort = port;
  }

  private check(port: number, owner: string, field: string, errs: FieldError[]): void {
    try {
      this.ports.checkRequested(port, owner, field);
    } catch (err) {
      errs.push(err as FieldError);
    }
  }
}
