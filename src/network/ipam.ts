/**
 * IP address management for the node's pod CIDR, like the CNI host-local plugin but without its leak
 * (containernetworking/plugins#498: leases of pods that vanished while the runtime was down are never freed):
 * start() keeps only the leases of pods that still exist.
 *
 * Allocation is synchronous — the daemon is one Node process, so no two allocations can interleave and no lock is
 * needed — and every change is persisted before the call returns, replacing the file so that a crash leaves the old
 * or the new one, never a torn one (sys/state-file.ts: without a rename over the old file, which stalls on ext4). The lease also
 * records the pod's hostPorts, so a restarted daemon can rebuild its NAT rules from this file alone.
 */
import { FieldError } from "../api/errors.js";
import { HostError } from "../sys/host-error.js";
import { contains, formatCidr, formatIPv4, parseIPv4, podRange, type Cidr } from "../api/cidr.js";
import { hostPortConflict, type HostPortMapping } from "./host-ports.js";
import { CorruptStateError, readJsonState, writeJsonState } from "../sys/json-state.js";
import { removeStateFile } from "../sys/state-file.js";

export interface Lease {
  ip: string;
  podUid: string;
  /** namespace/name, for messages. */
  pod: string;
  /** Host end of the pod's veth. */
  veth: string;
  hostPorts: HostPortMapping[];
  since: string;
}

export type LeaseRequest = Omit<Lease, "ip" | "since">;

interface LeaseFile {
  version: 1;
  podCIDR: string;
  /** The last address handed out: the next search starts after it (host-local's round robin), so a freed address
   * is reused as late as possible and stale conntrack or neighbour entries for it have long expired. */
  last?: string;
  leases: Lease[];
}

export class LeaseStore {
  private readonly leases = new Map<string, Lease>(); // by podUid
  private last: number | undefined;
  private loaded = false;

  constructor(
    readonly file: string,
    private readonly cidr: Cidr,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Reads the lease file; a missing file is an empty store. Throws HostError on an unreadable or corrupt file.
   * Every other method loads on first use, so a tearDown that comes before start() (the runtime reconciling dead
   * sandboxes) still frees the right lease.
   */
  load(): void {
    this.loaded = true;
    let parsed: LeaseFile | undefined;
    try {
      parsed = readJsonState<LeaseFile>(this.file);
    } catch (err) {
      if (err instanceof CorruptStateError) throw new HostError("parse lease file", this.file, "", err.cause);
      throw err;
    }
    if (parsed === undefined) return;
    this.leases.clear();
    for (const l of parsed.leases ?? []) this.leases.set(l.podUid, { ...l, hostPorts: l.hostPorts ?? [] });
    this.last = parsed.last === undefined ? undefined : parseIPv4(parsed.last);
  }

  private ensureLoaded(): void {
    if (!this.loaded) this.load();
  }

  all(): Lease[] {
    this.ensureLoaded();
    return [...this.leases.values()];
  }

  byPod(podUid: string): Lease | undefined {
    this.ensureLoaded();
    return this.leases.get(podUid);
  }

  /**
   * Leases a free address to the pod (the one it already holds, if any) and records its hostPorts, then persists.
   * Throws FieldError for a hostPort another pod holds, or when the range is exhausted; nothing changes then.
   */
  allocate(req: LeaseRequest): Lease {
    const others = this.all().filter((l) => l.podUid !== req.podUid);
    const conflict = hostPortConflict(req.hostPorts, others.map((l) => ({ pod: l.pod, mappings: l.hostPorts })));
    if (conflict) throw conflict;
    const held = this.leases.get(req.podUid);
    const ip = held && contains(this.cidr, parseIPv4(held.ip) ?? -1) ? parseIPv4(held.ip)! : this.nextFree(others);
    const lease: Lease = { ...req, ip: formatIPv4(ip), since: this.now().toISOString() };
    const lastBefore = this.last;
    this.leases.set(req.podUid, lease);
    this.last = ip;
    try {
      this.persist();
    } catch (err) {
      if (held) this.leases.set(req.podUid, held);
      else this.leases.delete(req.podUid);
      this.last = lastBefore;
      throw err;
    }
    return lease;
  }

  private nextFree(others: Lease[]): number {
    const used = new Set(others.map((l) => parseIPv4(l.ip)));
    const { first, last } = podRange(this.cidr);
    const size = last - first + 1;
    const start = this.last !== undefined && this.last >= first && this.last < last ? this.last + 1 : first;
    for (let i = 0; i < size; i++) {
      const candidate = first + ((start - first + i) % size);
      if (!used.has(candidate)) return candidate;
    }
    throw new FieldError("--pod-cidr", `no free address: all ${Math.max(size, 0)} pod addresses of ${formatCidr(this.cidr)} are leased`);
  }

  /**
   * Moves the lease `from` holds to the pod of `req` (a warm sandbox claimed by a pod: same address, same veth), with
   * the pod's name and hostPorts, and persists. Throws FieldError for a hostPort another pod holds, HostError when
   * `from` holds no lease or `req.podUid` already holds one; nothing changes then.
   */
  rekey(from: string, req: Omit<LeaseRequest, "veth">): Lease {
    this.ensureLoaded();
    const held = this.leases.get(from);
    if (!held) throw new HostError("re-key lease", this.file, "", `${from} holds no lease`);
    if (this.leases.has(req.podUid)) throw new HostError("re-key lease", this.file, "", `pod ${req.pod} already holds ${this.leases.get(req.podUid)!.ip}`);
    const others = this.all().filter((l) => l.podUid !== from);
    const conflict = hostPortConflict(req.hostPorts, others.map((l) => ({ pod: l.pod, mappings: l.hostPorts })));
    if (conflict) throw conflict;
    const lease: Lease = { ...held, ...req, since: this.now().toISOString() };
    this.leases.delete(from);
    this.leases.set(req.podUid, lease);
    try {
      this.persist();
    } catch (err) {
      this.leases.delete(req.podUid);
      this.leases.set(from, held);
      throw err;
    }
    return lease;
  }

  /** How many pod addresses no lease holds. */
  freeCount(): number {
    const { first, last } = podRange(this.cidr);
    return Math.max(0, last - first + 1 - this.all().length);
  }

  /** Frees the pod's lease, persisting; returns it (undefined when it had none). */
  release(podUid: string): Lease | undefined {
    this.ensureLoaded();
    const lease = this.leases.get(podUid);
    if (!lease) return undefined;
    this.leases.delete(podUid);
    this.persist();
    return lease;
  }

  /** Frees every lease whose pod is not in `live`; returns the freed leases. */
  retain(live: Set<string>): Lease[] {
    const gone = this.all().filter((l) => !live.has(l.podUid));
    for (const l of gone) this.leases.delete(l.podUid);
    if (gone.length) this.persist();
    return gone;
  }

  /** Forgets every lease and removes the file (for reset). */
  clear(): void {
    this.loaded = true;
    this.leases.clear();
    this.last = undefined;
    removeStateFile(this.file);
  }

  private persist(): void {
    const data: LeaseFile = {
      version: 1,
      podCIDR: formatCidr(this.cidr),
      last: this.last === undefined ? undefined : formatIPv4(this.last),
      leases: this.all(),
    };
    try {
      writeJsonState(this.file, data, { mode: 0o600, pretty: true });
    } catch (err) {
      throw new HostError("write", this.file, "", err);
    }
  }
}
