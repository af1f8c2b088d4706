/**
 * IP address management for the node's pod CIDR, like the CNI host-local plugin but without its leak
 * (containernetworking/plugins#498: leases of pods that vanished while the runtime was down are never freed):
 * start() keeps only the leases of pods that still exist.
 *
 * Allocation is synchronous — the daemon is one Node process, so no two allocations can interleave and no lock is
 * needed — and every change is persisted before the call returns, by writing a temporary file and renaming it over
 * the old one (rename(2) is atomic: a crash leaves the old or the new file, never a torn one). The lease also
 * records the pod's hostPorts, so a restarted daemon can rebuild its NAT rules from this file alone.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { FieldError, HostError } from "../api/errors.js";
import { contains, formatCidr, formatIPv4, parseIPv4, podRange, type Cidr } from "./cidr.js";
import { hostPortConflict, type HostPortMapping } from "./host-ports.js";

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

  constructor(
    readonly file: string,
    private readonly cidr: Cidr,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Reads the lease file; a missing file is an empty store. Throws HostError on an unreadable or corrupt file. */
  load(): void {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      throw new HostError("read", this.file, "", err);
    }
    let parsed: LeaseFile;
    try {
      parsed = JSON.parse(text) as LeaseFile;
    } catch (err) {
      throw new HostError("parse lease file", this.file, "", err);
    }
    this.leases.clear();
    for (const l of parsed.leases ?? []) this.leases.set(l.podUid, { ...l, hostPorts: l.hostPorts ?? [] });
    this.last = parsed.last === undefined ? undefined : parseIPv4(parsed.last);
  }

  all(): Lease[] {
    return [...this.leases.values()];
  }

  byPod(podUid: string): Lease | undefined {
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

  /** Frees the pod's lease, persisting; returns it (undefined when it had none). */
  release(podUid: string): Lease | undefined {
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
    this.leases.clear();
    this.last = undefined;
    rmSync(this.file, { force: true });
  }

  private persist(): void {
    const data: LeaseFile = {
      version: 1,
      podCIDR: formatCidr(this.cidr),
      last: this.last === undefined ? undefined : formatIPv4(this.last),
      leases: this.all(),
    };
    const tmp = `${this.file}.tmp`;
    try {
      mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
      writeFileSync(tmp, `${JSON.stringify(data, null, 1)}\n`, { mode: 0o600 });
      renameSync(tmp, this.file);
    } catch (err) {
      throw new HostError("write", this.file, "", err);
    }
  }
}
