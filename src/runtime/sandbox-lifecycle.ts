/**
 * The pod sandbox's life: made (cgroup, volumes, /etc files, the pause process through nodelet-shim, the pod
 * network), checked for a dead pause process, stopped, and removed with everything of the pod on the host.
 * Owns the pod cgroup, the pod's /dev/shm mount, its volumes, its directory and its log directory.
 */
import { promises as fsp } from "node:fs";
import { dirname, join } from "node:path";
import { FieldError } from "../api/errors.js";
import type { Pod } from "../api/types.js";
import type { PreparedNetwork } from "../network/pod-network.js";
import { sleep, isoNow } from "../sys/clock.js";
import { isMountPoint, mount, unmount } from "../sys/mounts.js";
import { isSameProcess, processStartTime, signalProcess } from "../sys/proc.js";
import { timeStep } from "../sys/start-trace.js";
import { readTextOr } from "../sys/text-file.js";
import type { PreparedVolume } from "../storage/volume-plugin.js";
import type { Layout } from "./layout.js";
import { makeLogDirs, removePodLogs } from "./log-files.js";
import { podHostname, renderHostsFile, renderResolvConf } from "./pod-files.js";
import type { SandboxOptions, SandboxRecord } from "./pod-runtime.js";
import { podCgroupLimits } from "./resources.js";
import type { RuntimeContext } from "./runtime-context.js";
import { sandboxArgv } from "./shim-argv.js";
import { runShim } from "./shim-client.js";
import { allocateUsernsRange, type UsernsRange } from "./userns-ranges.js";
import type { WarmSandboxes } from "./warm-sandboxes.js";

export class SandboxLifecycle {
  /** Each pod's volumes, set up once per sandbox (setup is idempotent, so a restarted daemon redoes it). */
  private readonly podVolumes = new Map<string, Map<string, PreparedVolume>>();
  /** The cgroup of a sandbox being made, for a removal that comes before its record exists. */
  private readonly cgroupOf = new Map<string, string>();

  /** Each pod's log directories being made while its sandbox starts (awaited by its containers' starts). */
  private readonly logDirsMade = new Map<string, Promise<void>>();

  /** User namespace ranges given to sandboxes being made, before their record holds them. */
  private readonly usernsPending = new Map<string, UsernsRange>();

  constructor(
    private readonly x: RuntimeContext,
    /** The warm pool (--warm-sandboxes); none when it is off. */
    private readonly warm?: WarmSandboxes,
  ) {}

  /** The pod's user namespace range: the one its record holds, else a block no other pod holds. */
  private usernsFor(uid: string): UsernsRange {
    const held = new Map(this.usernsPending);
    for (const r of this.x.records.sandboxes.values()) if (r.userns) held.set(r.podUid, r.userns);
    const range = allocateUsernsRange(uid, held);
    this.usernsPending.set(uid, range);
    return range;
  }

  async run(pod: Pod, opts: SandboxOptions): Promise<SandboxRecord> {
    const uid = pod.metadata.uid!;
    const { runner, layout } = this.x.o;
    const old = this.x.records.sandboxes.get(uid);
    if (old) await this.stop(uid);
    this.startLogDirs(pod);
    const broken: string[] = [];
    const w = !old && this.warm ? await this.step(uid, "warm sandbox: claim", () => this.warm!.take(pod, uid, (why) => broken.push(why))) : undefined;
    if (w) {
      try {
        return await this.runWarm(pod, opts, w);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        await this.warm!.abandon(uid, w, why);
        broken.push(`its claim failed: ${why}`);
      }
    }
    // Only when the pod pays for it (it starts the normal way, later): a broken one skipped for an intact one is reported, not evented.
    if (broken.length) this.x.emit({ type: "WarmSandboxDiscarded", podUid: uid, message: `Warm pod sandbox discarded (${broken.join("; ")}); the pod sandbox is created the normal way` });
    // The pod directory first: it holds the pod's recorded steps (explain.jsonl).
    await runner.mkdir(layout.podDir(uid), uid, 0o700);
    runner.comment(uid, `pod ${pod.metadata.namespace}/${pod.metadata.name}: the sandbox (pause process, namespaces, cgroup)`);
    const { cgroupPath } = opts;
    this.cgroupOf.set(uid, cgroupPath);
    const hostname = podHostname(pod);
    const shmDir = layout.podShmDir(uid);
    // The fast path: the sandbox makes the pod's interface itself while it creates its namespace. The address is
    // known first, so /etc/hosts is written once, complete.
    const net = this.x.o.network;
    const prepared = pod.spec.hostNetwork ? undefined : await this.step(uid, "network: address and interface names", () => this.prepareNetwork(pod, uid));
    // Independent preparations run together; each is a handful of small file operations.
    const cgroups = this.x.o.cgroups;
    try {
      await Promise.all([
        this.step(uid, "pod spec record", () => this.x.records.savePodSpec(pod)),
        this.step(uid, "pod cgroup", () => cgroups.create(cgroupPath, podCgroupLimits(pod, this.x.o.podPidsLimit), uid).then(() => cgroups.create(`${cgroupPath}/pause`, {}, uid))),
        this.step(uid, "volumes", () => this.volumesFor(pod)),
        this.step(uid, "/etc/hosts, hostname, resolv.conf", () => this.writePodFiles(pod, prepared?.ips ?? [])),
        old && !pod.spec.hostIPC ? unmount(runner, shmDir, uid) : undefined,
      ]);
    } catch (err) {
      if (prepared) await net.abort(prepared, uid);
      throw err;
    }
    if (prepared?.equivalent.length) runner.comment(uid, `pod network, made by the sandbox with netlink; the same with ip(8):\n#   ${prepared.equivalent.join("\n#   ")}`);
    const userns = pod.spec.hostUsers === false ? this.usernsFor(uid) : undefined;
    if (userns) runner.comment(uid, `the pod's own user namespace: its IDs 0-${userns.size - 1} are the host's ${userns.hostId}-${userns.hostId + userns.size - 1}`);
    let pid: number;
    try {
      pid = await this.step(uid, "pause process and namespaces (shim sandbox)", () => this.startPause(pod, { hostname, cgroupPath, shmDir, prepared, userns }));
    } catch (err) {
      this.usernsPending.delete(uid);
      throw err;
    }
    const sandbox: SandboxRecord = {
      podUid: uid,
      namespace: pod.metadata.namespace ?? "default",
      name: pod.metadata.name ?? "",
      pid,
      pidStartTime: processStartTime(pid),
      createdAt: isoNow(this.x.clock),
      hostname,
      cgroupPath,
      hostNetwork: pod.spec.hostNetwork === true,
      sharePid: pod.spec.shareProcessNamespace === true,
      hostIPC: pod.spec.hostIPC === true,
      ips: prepared?.ips ?? [],
      state: "ready",
      userns,
    };
    await this.step(uid, "sandbox record", () => this.x.records.saveSandbox(sandbox));
    this.usernsPending.delete(uid);
    if (!prepared) {
      sandbox.ips = [net.hostIP()];
    } else {
      const attached = await this.step(uid, "network: attach to the bridge", () => net.attach(pod, sandbox, prepared));
      sandbox.ips = attached.ips;
      sandbox.network = attached.state;
    }
    await this.x.records.saveSandbox(sandbox);
    return sandbox;
  }

  /**
   * The pod's sandbox from a warm one (warm-sandboxes.ts take() moved its directory here): the lease re-keyed, the
   * pause process moved into the pod's cgroup, the pod's files and volumes made — all at once. The hostname is set by
   * the pod's first container start (SandboxRecord.utsHostnamePending).
   */
  private async runWarm(pod: Pod, opts: SandboxOptions, w: SandboxRecord): Promise<SandboxRecord> {
    const uid = pod.metadata.uid!;
    const warm = this.warm!;
    const { cgroupPath } = opts;
    this.cgroupOf.set(uid, cgroupPath);
    const hostname = podHostname(pod);
    const cgroups = this.x.o.cgroups;
    // Every step settles before a failure is acted on: abandon() must not kill the pause process under one still running.
    const [attached] = await allSettled([
      this.step(uid, "network: the warm sandbox's address, re-keyed to the pod", () => warm.claimNetwork(pod, uid, w)),
      this.step(uid, "pod spec record", () => this.x.records.savePodSpec(pod)),
      this.step(uid, "pod cgroup, pause process moved into it", async () => {
        await cgroups.create(cgroupPath, podCgroupLimits(pod, this.x.o.podPidsLimit), uid);
        await cgroups.create(`${cgroupPath}/pause`, {}, uid);
        await warm.moveCgroup(uid, w, cgroupPath);
      }),
      this.step(uid, "volumes", () => this.volumesFor(pod)),
      this.step(uid, "/etc/hosts, hostname, resolv.conf", () => this.writePodFiles(pod, w.ips)),
    ] as const);
    const sandbox: SandboxRecord = {
      podUid: uid,
      namespace: pod.metadata.namespace ?? "default",
      name: pod.metadata.name ?? "",
      pid: w.pid,
      pidStartTime: w.pidStartTime,
      createdAt: isoNow(this.x.clock),
      hostname,
      cgroupPath,
      hostNetwork: false,
      sharePid: pod.spec.shareProcessNamespace === true,
      hostIPC: false,
      ips: attached.ips.length ? attached.ips : w.ips,
      state: "ready",
      network: attached.state,
      // Set by the first container's start, in the process that joins the pod (no exec of its own here).
      utsHostnamePending: true,
    };
    await this.step(uid, "sandbox record", () => this.x.records.saveSandbox(sandbox));
    return sandbox;
  }

  /**
   * The pod's address; when none is free and the warm pool holds some, one warm sandbox gives its address back and
   * the pod takes it (the pool does not take it again while addresses are short).
   */
  private async prepareNetwork(pod: Pod, uid: string): Promise<PreparedNetwork> {
    const net = this.x.o.network;
    try {
      return await net.prepare(pod, uid);
    } catch (err) {
      if (!(err instanceof FieldError && /no free address/.test(err.message)) || !(await this.warm?.pool.release())) throw err;
      this.x.o.runner.comment(uid, "no free pod address: a warm sandbox gave its address back for this pod");
      return net.prepare(pod, uid);
    }
  }

  /** Makes the pod's log directories (log-files.ts makeLogDirs). A failure is the container start's to report (logDirs()). */
  private startLogDirs(pod: Pod): void {
    const uid = pod.metadata.uid!;
    const { layout } = this.x.o;
    const ns = pod.metadata.namespace ?? "default";
    const name = pod.metadata.name ?? "";
    const dirs = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c) => join(layout.podLogDir(ns, name, uid), c.name));
    dirs.push(dirname(layout.containerLogLink(ns, name, "c", "id")));
    const made = this.step(uid, "log directories", async () => makeLogDirs(dirs));
    made.catch(() => undefined); // awaited (and reported) by the container start
    this.logDirsMade.set(uid, made);
  }

  /** The pod's log directories, once made (a pod adopted from a previous daemon: at once; the monitor makes them). */
  logDirs(uid: string): Promise<void> {
    return this.logDirsMade.get(uid) ?? Promise.resolve();
  }

  /** Times one step of a sandbox start in the pod's start trace (when starts are traced). */
  private step<T>(uid: string, name: string, work: () => Promise<T>): Promise<T> {
    return timeStep(this.x.o.traces, uid, name, work);
  }

  /** Starts the pause process; a failure gives the prepared network back. */
  private async startPause(pod: Pod, w: { hostname: string; cgroupPath: string; shmDir: string; prepared?: PreparedNetwork; userns?: UsernsRange }): Promise<number> {
    const uid = pod.metadata.uid!;
    const argv = sandboxArgv(this.x.o.layout.shimPath, {
      hostname: w.hostname,
      sharePid: pod.spec.shareProcessNamespace === true && !pod.spec.hostPID,
      hostNetwork: pod.spec.hostNetwork === true,
      hostIPC: pod.spec.hostIPC === true,
      cgroups: this.x.o.cgroups.dirs(`${w.cgroupPath}/pause`),
      shm: pod.spec.hostIPC ? undefined : { dir: w.shmDir, size: this.x.o.shmSize ?? 64 * 1024 * 1024 },
      network: w.prepared?.shimArgs,
      userns: w.userns,
    });
    try {
      const [pid] = await runShim(this.x.o.runner, argv, uid);
      return pid;
    } catch (err) {
      if (w.prepared) await this.x.o.network.abort(w.prepared, uid);
      throw err;
    }
  }

  /** Mounts the pod's tmpfs for secret state (Layout.podRunDir) unless it is there; removed with the pod. */
  async ensureRunDir(uid: string): Promise<void> {
    const dir = this.x.o.layout.podRunDir(uid);
    if (isMountPoint(dir)) return;
    await this.x.o.runner.mkdir(dir, uid, 0o700);
    await mount(this.x.o.runner, { source: "tmpfs", target: dir, type: "tmpfs", options: ["mode=0700", "nosuid", "nodev", "noexec", "size=16m"] }, uid);
  }

  /** The pod's volumes, set up on first use; a failure is the kubelet's FailedMount (VolumeError). */
  async volumesFor(pod: Pod): Promise<Map<string, PreparedVolume>> {
    const uid = pod.metadata.uid!;
    let v = this.podVolumes.get(uid);
    if (!v) {
      v = await this.x.o.volumes.setup(pod);
      this.podVolumes.set(uid, v);
    }
    return v;
  }

  /**
   * Re-projects the volumes that follow API objects. A daemon that restarted has not set them up in this process:
   * setup is idempotent (mounts kept) and writes the current content.
   */
  async refreshVolumes(pod: Pod): Promise<void> {
    const s = this.x.records.sandboxes.get(pod.metadata.uid!);
    if (!s || s.state !== "ready") return;
    if (!this.podVolumes.has(pod.metadata.uid!)) await this.volumesFor(pod);
    else await this.x.o.volumes.refresh(pod);
  }

  private async writePodFiles(pod: Pod, ips: string[]): Promise<void> {
    const uid = pod.metadata.uid!;
    const { dns, runner, layout } = this.x.o;
    const hostHosts = pod.spec.hostNetwork ? readTextOr("/etc/hosts", "") : undefined;
    const files: [Parameters<Layout["podEtcFile"]>[1], string][] = [
      ["etc-hostname", `${podHostname(pod, dns.clusterDomain)}\n`],
      ["etc-hosts", renderHostsFile(pod, ips, dns.clusterDomain, hostHosts)],
      ["resolv.conf", renderResolvConf(pod, dns)],
    ];
    await Promise.all(files.map(([name, text]) => runner.writeFile(layout.podEtcFile(uid, name), text, uid, 0o644)));
  }

  /** Kills the pause process (its namespaces go with it) after taking the pod's network down. */
  async stop(podUid: string): Promise<void> {
    const s = this.x.records.sandboxes.get(podUid);
    if (!s) return;
    if (s.state === "ready") {
      if (!s.hostNetwork) await this.x.o.network.tearDown(s);
      signalProcess(this.x.o.runner, s.pid, "SIGKILL", s.pidStartTime, podUid);
      await this.waitGone(s.pid, s.pidStartTime, 2000);
    }
    s.state = "notready";
    await this.x.records.saveLater({ kind: "sandbox", record: s }, this.x.o.report);
  }

  /** Marks every ready sandbox whose pause process is gone not ready (start and resync), reporting SandboxDied. */
  async checkAll(): Promise<void> {
    for (const s of this.x.records.sandboxes.values()) {
      if (s.state === "ready" && !isSameProcess(s.pid, s.pidStartTime)) await this.markDead(s);
    }
  }

  private async markDead(s: SandboxRecord): Promise<void> {
    if (!s.hostNetwork) await this.x.o.network.tearDown(s).catch(() => undefined);
    s.state = "notready";
    await this.x.records.saveLater({ kind: "sandbox", record: s }, this.x.o.report);
    this.x.emit({ type: "SandboxDied", podUid: s.podUid });
  }

  /** Stops the sandbox and removes the pod's volumes, /dev/shm, cgroup, logs and directory; its containers go first. */
  /** A stopped pod's volumes and shared memory, released while its records and logs stay. Idempotent. */
  async releaseVolumes(pod: Pod): Promise<void> {
    const { runner, layout } = this.x.o;
    const uid = pod.metadata.uid!;
    runner.comment(uid, "release the stopped pod's volumes");
    await this.x.o.volumes.teardown(pod);
    this.podVolumes.delete(uid);
    await unmount(runner, layout.podShmDir(uid), uid);
  }

  async remove(podUid: string, pod?: Pod): Promise<void> {
    const { runner, layout, cgroups } = this.x.o;
    await this.stop(podUid);
    const spec = pod ?? (await this.x.records.loadPodSpec(podUid));
    const s = this.x.records.sandboxes.get(podUid);
    if (spec) await this.x.o.volumes.teardown(spec);
    this.podVolumes.delete(podUid);
    await unmount(runner, layout.podShmDir(podUid), podUid);
    await unmount(runner, layout.podRunDir(podUid), podUid);
    const cgroupPath = s?.cgroupPath ?? this.cgroupOf.get(podUid);
    if (cgroupPath) await cgroups.remove(cgroupPath, podUid);
    this.cgroupOf.delete(podUid);
    // Log directories still being made would outlive the removal of the pod's logs.
    await this.logDirsMade.get(podUid)?.catch(() => undefined);
    this.logDirsMade.delete(podUid);
    if (s || spec) {
      const ns = s?.namespace ?? spec!.metadata.namespace ?? "default";
      const name = s?.name ?? spec!.metadata.name ?? "";
      await removePodLogs(layout.podLogDir(ns, name, podUid));
    }
    await fsp.rm(layout.podDir(podUid), { recursive: true, force: true });
    this.x.records.forgetSandbox(podUid);
  }

  private async waitGone(pid: number, startTime: number | undefined, timeoutMs: number): Promise<void> {
    const deadline = this.x.clock.now() + timeoutMs;
    while (isSameProcess(pid, startTime) && this.x.clock.now() < deadline) await sleep(this.x.clock, 5);
  }
}

/** Promise.all that waits for every promise before rejecting with the first failure. */
async function allSettled<T extends readonly unknown[]>(ps: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const results = await Promise.allSettled(ps);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
