/**
 * Warm sandboxes (`--warm-sandboxes N`): pod sandboxes made ahead — pause process, UTS/IPC/network namespaces, the
 * veth with its address and routes, the /dev/shm tmpfs — each under an id of its own, claimed by the next pod that
 * fits and renamed to it: its directory (with the shm mount in it) moved to the pod's, the lease re-keyed to the pod,
 * the pause process moved into the pod's cgroup, the hostname set in its UTS namespace by the pod's first container
 * start. The pool's rules are in warm-pool.ts. Owns each warm sandbox until a pod claims it: its directory pods/ID, its cgroup warm/podID, its
 * lease and veth, its pause process; its record (sandbox.json, `warm: true`) lets a restarted daemon find it and
 * adopt it into its pool when it is intact and the pool has room, or remove it, saying why (`nodelet reset`, whose
 * pool is off, removes them all: adoptOrRemove()); the orphan sweep knows its cgroup and directory.
 */
import { randomUUID } from "node:crypto";
import { existsSync, promises as fsp, renameSync } from "node:fs";
import type { Pod } from "../api/types.js";
import type { NetworkAttachment, PreparedNetwork } from "../network/pod-network.js";
import { isoNow, sleep } from "../sys/clock.js";
import { isMountPoint, unmount } from "../sys/mounts.js";
import { isSameProcess, processStartTime, signalProcess } from "../sys/proc.js";
import { writeJsonState } from "../sys/json-state.js";
import type { SandboxRecord } from "./pod-runtime.js";
import type { RuntimeContext } from "./runtime-context.js";
import { sandboxArgv } from "./shim-argv.js";
import { runShim } from "./shim-client.js";
import { WarmPool } from "./warm-pool.js";

/** The cgroup (under the node's parent) that holds the warm sandboxes' pause processes, one `podID` each. */
export const WARM_CGROUP = "warm";
/** The namespace a warm sandbox's lease names until a pod claims it (for messages: `nodelet` shows lease owners). */
export const WARM_NAMESPACE = "(warm)";

/** A traced start older than this no longer holds a refill back (a pod that never gets to Running). */
const STARTING_WINDOW_MS = 10_000;

/**
 * Why the pod cannot take a warm sandbox, or undefined when it can. A warm sandbox has new UTS, IPC and network
 * namespaces and no PID namespace of its own; the pod's /etc files, hostname and hostPorts are set at the claim, so
 * DNS settings, hostAliases, hostname/subdomain and hostPorts all fit. hostPID pods fit: their sandbox is the same
 * (only their containers stay in the host's PID namespace).
 */
export function warmMisfit(pod: Pod): string | undefined {
  const s = pod.spec;
  if (s.hostNetwork) return "hostNetwork: the pod uses the host's network namespace";
  if (s.hostIPC) return "hostIPC: the pod uses the host's IPC namespace";
  if (s.shareProcessNamespace && !s.hostPID) return "shareProcessNamespace: the pod needs a PID namespace of its own";
  if (s.hostUsers === false) return "hostUsers: false: the pod's namespaces belong to its own user namespace";
  return undefined;
}

/**
 * What a restarted daemon does with a warm sandbox the previous one left under directory `dirUid`: undefined (adopt
 * it) or why it is removed. `broken` is why the sandbox itself is no longer whole (WarmSandboxes.broken), `size` the
 * pool's size now and `adopted` how many were adopted before this one.
 */
export function leftoverWarmVerdict(dirUid: string, s: SandboxRecord, o: { size: number; adopted: number; broken: () => string | undefined }): string | undefined {
  if (dirUid !== s.podUid) return `pod ${dirUid}'s claim of it was cut short (the pod starts again, the normal way)`;
  if (o.size <= 0) return "the warm pool is off (--warm-sandboxes 0, or nodelet reset)";
  if (o.adopted >= o.size) return `the warm pool is full (--warm-sandboxes ${o.size})`;
  if (s.pid <= 0 || !s.network) return "it was not finished (the previous daemon stopped while making it)";
  return o.broken();
}

export class WarmSandboxes {
  readonly pool: WarmPool<SandboxRecord>;
  /** Pod starts under way (sandboxes and containers): a refill waits for none (warm-pool.ts). */
  private starts = 0;
  /** Warm cgroups a claim emptied, removed off the start path (removeEmptied). */
  private readonly emptied: { cgroupPath: string; owner: string }[] = [];

  constructor(
    private readonly x: RuntimeContext,
    private readonly size: number,
  ) {
    const net = x.o.network;
    this.pool = new WarmPool<SandboxRecord>({
      clock: x.clock,
      size,
      make: () => this.make(),
      destroy: (w) => this.destroy(w, w.podUid),
      broken: (w) => this.broken(w),
      // The pool never holds the last `size` free addresses: pods that cannot take a warm sandbox still get one.
      room: () => (net.freeAddresses?.() ?? Infinity) - size,
      // A start is under way from the API request to the Running status write (its trace), not only while the
      // runtime works on it: a refill then waits for the status write too.
      busy: () => this.starts > 0 || (x.o.traces?.starting(STARTING_WINDOW_MS) ?? 0) > 0,
      report: x.o.report,
    });
  }

  /** Marks a pod start under way until `work` settles (a refill does not compete with it). */
  async during<T>(work: () => Promise<T>): Promise<T> {
    this.starts++;
    try {
      return await work();
    } finally {
      this.starts--;
    }
  }

  /** Why a warm sandbox can no longer be claimed (pause process dead, network attachment gone), or undefined. */
  broken(w: SandboxRecord): string | undefined {
    if (!isSameProcess(w.pid, w.pidStartTime)) return `its pause process ${w.pid} died`;
    return this.x.o.network.attachmentBroken?.(w);
  }

  /**
   * Daemon start: each warm sandbox a previous daemon left (`dirUid` → its record) is adopted into the pool when it
   * is whole and the pool has room, else removed with the reason reported. Returns what was done, one line each.
   */
  async adoptOrRemove(leftovers: [string, SandboxRecord][]): Promise<string[]> {
    const out: string[] = [];
    let adopted = 0;
    // Oldest first, as the pool hands them out.
    for (const [dirUid, s] of [...leftovers].sort((a, b) => a[1].createdAt.localeCompare(b[1].createdAt))) {
      const why = leftoverWarmVerdict(dirUid, s, {
        size: this.size,
        adopted,
        broken: () => this.broken(s) ?? (isMountPoint(this.x.o.layout.podShmDir(s.podUid)) ? undefined : "its /dev/shm is not mounted"),
      });
      if (why === undefined && this.pool.adopt(s)) {
        adopted++;
        out.push(`adopted warm sandbox ${s.podUid} (pause process ${s.pid}, ${s.ips.join(", ")}) left by the previous daemon`);
        continue;
      }
      await this.destroy(s, dirUid);
      out.push(`removed warm sandbox ${s.podUid} (pause process ${s.pid}) left by the previous daemon: ${why ?? "the warm pool is full"}`);
    }
    return out;
  }

  /**
   * Takes a warm sandbox for the pod and moves it to the pod's uid: the directory (with the shm mount and the record)
   * (whose record the caller rewrites as the pod's). Undefined when the pod does not fit or none is ready.
   * `onBroken` hears of each broken warm sandbox skipped (and removed) on the way.
   */
  async take(pod: Pod, uid: string, onBroken?: (why: string) => void): Promise<SandboxRecord | undefined> {
    if (warmMisfit(pod) !== undefined || !this.x.o.network.claim) return undefined;
    const { layout, runner } = this.x.o;
    if (existsSync(layout.podDir(uid))) return undefined; // a pod that had a sandbox before: its directory stays
    const w = this.pool.take(onBroken);
    if (!w) return undefined;
    try {
      // Synchronous: one rename; on the thread pool it waited for a free thread on a loaded node (up to 35 ms).
      renameSync(layout.podDir(w.podUid), layout.podDir(uid));
    } catch (err) {
      this.pool.discard(w, `its directory could not be moved to pod ${pod.metadata.namespace}/${pod.metadata.name} (${(err as Error).message})`);
      return undefined;
    }
    runner.comment(uid, `pod ${pod.metadata.namespace}/${pod.metadata.name}: warm sandbox ${w.podUid} claimed (made ahead: pause process ${w.pid}, namespaces, veth, /dev/shm); its directory moved here: mv ${layout.podDir(w.podUid)} ${layout.podDir(uid)}`);
    return w;
  }

  /** The pod's network: the warm sandbox's lease and veth, re-keyed to the pod (with its hostPorts). */
  claimNetwork(pod: Pod, uid: string, w: SandboxRecord): Promise<NetworkAttachment> {
    return this.x.o.network.claim!(pod, uid, w);
  }

  /**
   * Moves the pause process into the pod's cgroup (made by the caller). The warm cgroup, empty now, is removed off
   * the start's path: by the next refill (which waits for starts to finish) or the runtime's stop; after a crash the
   * orphan sweep finds it (a pod cgroup no record names).
   */
  async moveCgroup(uid: string, w: SandboxRecord, cgroupPath: string): Promise<void> {
    await this.x.o.cgroups.addProcess(`${cgroupPath}/pause`, w.pid, uid);
    this.emptied.push({ cgroupPath: w.cgroupPath, owner: uid });
  }

  /** Removes the warm cgroups claims emptied (moveCgroup); a failure is reported, the orphan sweep retries it. */
  async removeEmptied(): Promise<void> {
    for (const e of this.emptied.splice(0)) {
      await this.x.o.cgroups.remove(e.cgroupPath, e.owner).catch((err: unknown) => this.x.o.report?.(`cannot remove the emptied warm cgroup ${e.cgroupPath}: ${err instanceof Error ? err.message : String(err)}`));
    }
  }

  /**
   * A claim that failed part-way: everything of the warm sandbox goes — its pause process, lease (under either id),
   * /dev/shm, cgroup and record. The pod's directory stays (it may hold the pod's volumes by now): the pod starts the
   * normal way in it.
   */
  async abandon(uid: string, w: SandboxRecord, why: string): Promise<void> {
    this.x.o.report?.(`warm sandbox ${w.podUid} could not be given to pod ${uid} (${why}); removed, the pod starts the normal way`);
    await this.x.o.network.tearDown({ ...w, podUid: uid }).catch(() => undefined);
    await this.destroy(w, uid);
    await fsp.rm(this.x.o.layout.podStateFile(uid), { force: true });
  }

  /** Makes one warm sandbox (the pool's make). */
  private async make(): Promise<SandboxRecord> {
    await this.removeEmptied();
    const uid = randomUUID();
    const { runner, layout, cgroups, network } = this.x.o;
    const placeholder: Pod = { apiVersion: "v1", kind: "Pod", metadata: { name: `warm-${uid.slice(0, 8)}`, namespace: WARM_NAMESPACE, uid }, spec: { containers: [] } };
    const w: SandboxRecord = {
      podUid: uid,
      namespace: WARM_NAMESPACE,
      name: placeholder.metadata.name!,
      pid: 0,
      createdAt: isoNow(this.x.clock),
      hostname: placeholder.metadata.name!,
      cgroupPath: `${WARM_CGROUP}/pod${uid}`,
      hostNetwork: false,
      sharePid: false,
      hostIPC: false,
      ips: [],
      state: "ready",
      warm: true,
    };
    let prepared: PreparedNetwork | undefined;
    let attached = false;
    try {
      await runner.mkdir(layout.podDir(uid), uid, 0o700);
      runner.comment(uid, "a warm sandbox, made ahead for the next pod that fits (--warm-sandboxes)");
      // The record first: whatever happens next, a restarted daemon finds it (and removes it).
      writeJsonState(layout.podStateFile(uid), w);
      await cgroups.create(w.cgroupPath, { pidsMax: 16 }, uid);
      await cgroups.create(`${w.cgroupPath}/pause`, {}, uid);
      prepared = await network.prepare(placeholder, uid);
      const argv = sandboxArgv(layout.shimPath, {
        hostname: w.hostname,
        sharePid: false,
        hostNetwork: false,
        hostIPC: false,
        cgroups: cgroups.dirs(`${w.cgroupPath}/pause`),
        shm: { dir: layout.podShmDir(uid), size: this.x.o.shmSize ?? 64 * 1024 * 1024 },
        network: prepared.shimArgs,
      });
      let pid: number;
      try {
        [pid] = await runShim(runner, argv, uid);
      } catch (err) {
        await network.abort(prepared, uid);
        prepared = undefined;
        throw err;
      }
      w.pid = pid;
      w.pidStartTime = processStartTime(pid);
      writeJsonState(layout.podStateFile(uid), w);
      const a = await network.attach(placeholder, w, prepared);
      attached = true;
      w.ips = a.ips.length ? a.ips : prepared.ips;
      w.network = a.state;
      writeJsonState(layout.podStateFile(uid), w);
      return w;
    } catch (err) {
      if (prepared && !attached) await network.abort(prepared, uid).catch(() => undefined);
      await this.destroy(w, uid).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Removes a warm sandbox from the host, whatever state it got to: network (its lease under its own id), pause
   * process, /dev/shm, cgroup, and the directory it has under `dirUid` (its own id, or a pod's it was moved to).
   */
  async destroy(w: SandboxRecord, dirUid: string): Promise<void> {
    const { runner, layout, cgroups, network } = this.x.o;
    await network.tearDown(w).catch(() => undefined);
    if (w.pid > 0 && signalProcess(runner, w.pid, "SIGKILL", w.pidStartTime, dirUid)) {
      const deadline = this.x.clock.now() + 2000;
      while (isSameProcess(w.pid, w.pidStartTime) && this.x.clock.now() < deadline) await sleep(this.x.clock, 5);
    }
    await unmount(runner, layout.podShmDir(dirUid), dirUid);
    await cgroups.remove(w.cgroupPath, dirUid);
    if (dirUid === w.podUid) await fsp.rm(layout.podDir(dirUid), { recursive: true, force: true });
  }
}
