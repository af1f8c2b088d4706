/**
 * The Linux pod runtime: sandboxes and containers made from namespaces, cgroups and an overlay rootfs through
 * nodelet-shim, with every host step recorded under the pod's uid. Owns everything it creates on the host and
 * removes it in removeSandbox/removeContainer; start() re-adopts what a previous daemon left running.
 */
import { randomBytes, createHash } from "node:crypto";
import { mkdirSync, promises as fsp, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { FieldError } from "../api/errors.js";
import type { Container, Pod } from "../api/types.js";
import type { ExecOptions, ExecSession } from "../apiserver/pod-io.js";
import type { PodNetwork } from "../network/pod-network.js";
import type { CgroupManager, CgroupUsage } from "../sys/cgroups/types.js";
import { unmount } from "../sys/mounts.js";
import { isSameProcess, processStartTime, signalProcess } from "../sys/proc.js";
import type { Runner } from "../sys/runner.js";
import type { VolumeManager } from "../storage/volumes.js";
import { buildContainerLaunch, parsePasswd, type PreparedVolume } from "./container-launch.js";
import { startExec } from "./exec-session.js";
import { readTerminationMessage } from "./termination-message.js";
import { ExitWatcher } from "./exit-watcher.js";
import { normalizeImageRef, type Image, type ImageStore } from "./images.js";
import type { Layout } from "./layout.js";
import { podHostname, renderHostsFile, renderResolvConf, type DnsSettings } from "./pod-files.js";
import {
  ContainerStartError,
  type ContainerRecord,
  type ExitRecord,
  type PodRuntime,
  type RuntimeEvent,
  type SandboxRecord,
  type StartContainerOptions,
} from "./pod-runtime.js";
import { removeOrphans } from "./orphans.js";
import { RuntimeRecords } from "./records.js";
import { containerCgroupLimits, podCgroupLimits, qosClass } from "./resources.js";
import { monitorArgv, sandboxArgv, type ProcessIdentity } from "./shim-argv.js";
import { runShim, ShimError } from "./shim-client.js";

export interface LinuxRuntimeOptions {
  layout: Layout;
  runner: Runner;
  cgroups: CgroupManager;
  images: ImageStore;
  volumes: VolumeManager;
  network: PodNetwork;
  dns: DnsSettings;
  /** pids.max for each pod (default 4096). */
  podPidsLimit: number;
  log: { maxSize: number; maxFiles: number };
  /** Size of each pod's /dev/shm tmpfs. */
  shmSize?: number;
  /** Where start() reports what a crash left behind and it removed. */
  report?: (msg: string) => void;
}

export class LinuxPodRuntime implements PodRuntime {
  private readonly records: RuntimeRecords;
  private readonly exits: ExitWatcher;
  private readonly listeners: ((ev: RuntimeEvent) => void)[] = [];
  private readonly pendingExits = new Map<string, ExitRecord>();
  /** Containers whose shim has not answered yet: "created" with no process is not lost while it is starting. */
  private readonly starting = new Set<string>();
  private readonly exitWaiters = new Map<string, (() => void)[]>();
  /** Each pod's volumes, set up once per sandbox (setup is idempotent, so a restarted daemon redoes it). */
  private readonly podVolumes = new Map<string, Map<string, PreparedVolume>>();

  constructor(private readonly o: LinuxRuntimeOptions) {
    this.records = new RuntimeRecords(o.layout);
    this.exits = new ExitWatcher(o.layout.exitsDir, (id, rec) => void this.containerExited(id, rec));
  }

  async start(): Promise<void> {
    for (const d of [this.o.layout.podsDir, this.o.layout.exitsDir]) await fsp.mkdir(d, { recursive: true, mode: 0o700 });
    await this.o.cgroups.prepare("node");
    await this.records.load();
    const removed = await removeOrphans({
      layout: this.o.layout,
      runner: this.o.runner,
      cgroups: this.o.cgroups,
      pods: new Set(this.records.sandboxes.keys()),
      containers: new Set(this.records.containers.keys()),
    });
    for (const what of removed) this.o.report?.(`removed what a crash left behind: ${what}`);
    for (const s of this.records.sandboxes.values()) {
      if (s.state === "ready" && !isSameProcess(s.pid, s.pidStartTime)) await this.markSandboxDead(s);
    }
    await this.exits.start();
    for (const c of this.records.containers.values()) await this.reconcileLostContainer(c);
  }

  async stop(): Promise<void> {
    this.exits.stop();
  }

  onEvent(listener: (ev: RuntimeEvent) => void): void {
    this.listeners.push(listener);
  }

  private emit(ev: RuntimeEvent): void {
    for (const l of this.listeners) l(ev);
  }

  sandbox(podUid: string): SandboxRecord | undefined {
    return this.records.sandboxes.get(podUid);
  }
  sandboxes(): SandboxRecord[] {
    return [...this.records.sandboxes.values()];
  }
  containers(podUid?: string): ContainerRecord[] {
    const all = [...this.records.containers.values()];
    return podUid ? all.filter((c) => c.podUid === podUid) : all;
  }
  container(id: string): ContainerRecord | undefined {
    return this.records.containers.get(id);
  }

  // ---------------------------------------------------------------------------------------------------- sandbox

  async runSandbox(pod: Pod): Promise<SandboxRecord> {
    const uid = pod.metadata.uid!;
    const { runner, layout } = this.o;
    const old = this.records.sandboxes.get(uid);
    if (old) await this.stopSandbox(uid);
    // The pod directory first: it holds the pod's recorded steps (explain.jsonl).
    await runner.mkdir(layout.podDir(uid), uid, 0o700);
    runner.comment(uid, `pod ${pod.metadata.namespace}/${pod.metadata.name}: the sandbox (pause process, namespaces, cgroup)`);
    const cgroupPath = podCgroupPath(pod);
    const hostname = podHostname(pod);
    const shmDir = layout.podShmDir(uid);
    // The fast path: the sandbox makes the pod's interface itself while it creates its namespace. The address is
    // known first, so /etc/hosts is written once, complete.
    const net = this.o.network;
    const prepared = !pod.spec.hostNetwork && net.prepare ? await net.prepare(pod, uid) : undefined;
    // Independent preparations run together; each is a handful of small file operations.
    try {
      await Promise.all([
        this.records.savePodSpec(pod),
        this.o.cgroups.create(cgroupPath, podCgroupLimits(pod, this.o.podPidsLimit), uid).then(() => this.o.cgroups.create(`${cgroupPath}/pause`, {}, uid)),
        this.volumesFor(pod),
        this.writePodFiles(pod, prepared?.ips ?? []),
        old && !pod.spec.hostIPC ? unmount(runner, shmDir, uid) : undefined,
      ]);
    } catch (err) {
      if (prepared) await net.abort?.(prepared, uid);
      throw err;
    }
    if (prepared) runner.comment(uid, `pod network, made by the sandbox with netlink; the same with ip(8):\n#   ${prepared.equivalent.join("\n#   ")}`);
    const argv = sandboxArgv(layout.shimPath, {
      hostname,
      sharePid: pod.spec.shareProcessNamespace === true && !pod.spec.hostPID,
      hostNetwork: pod.spec.hostNetwork === true,
      hostIPC: pod.spec.hostIPC === true,
      cgroups: this.o.cgroups.dirs(`${cgroupPath}/pause`),
      shm: pod.spec.hostIPC ? undefined : { dir: shmDir, size: this.o.shmSize ?? 64 * 1024 * 1024 },
      network: prepared?.shimArgs,
    });
    let pid: number;
    try {
      [pid] = await runShim(runner, argv, uid);
    } catch (err) {
      if (prepared) await net.abort?.(prepared, uid);
      throw err;
    }
    const sandbox: SandboxRecord = {
      podUid: uid,
      namespace: pod.metadata.namespace ?? "default",
      name: pod.metadata.name ?? "",
      pid,
      pidStartTime: processStartTime(pid),
      createdAt: new Date().toISOString(),
      hostname,
      cgroupPath,
      hostNetwork: pod.spec.hostNetwork === true,
      sharePid: pod.spec.shareProcessNamespace === true,
      hostIPC: pod.spec.hostIPC === true,
      ips: prepared?.ips ?? [],
      state: "ready",
    };
    await this.records.saveSandbox(sandbox);
    if (sandbox.hostNetwork) {
      sandbox.ips = [net.hostIP()];
    } else {
      if (!prepared) runner.comment(uid, "pod network");
      const attached = prepared ? await net.attach!(pod, sandbox, prepared) : await net.setUp(pod, sandbox);
      sandbox.ips = attached.ips;
      sandbox.network = attached.state;
    }
    await this.records.saveSandbox(sandbox);
    if (!prepared && sandbox.ips.length && !sandbox.hostNetwork) await this.writePodFiles(pod, sandbox.ips);
    return sandbox;
  }

  /** The pod's volumes, set up on first use; a failure is the kubelet's FailedMount (VolumeError). */
  async volumesFor(pod: Pod): Promise<Map<string, PreparedVolume>> {
    const uid = pod.metadata.uid!;
    let v = this.podVolumes.get(uid);
    if (!v) {
      v = await this.o.volumes.setup(pod);
      this.podVolumes.set(uid, v);
    }
    return v;
  }

  private async writePodFiles(pod: Pod, ips: string[]): Promise<void> {
    const uid = pod.metadata.uid!;
    const hostHosts = pod.spec.hostNetwork ? readTextOr("/etc/hosts", "") : undefined;
    const files: [Parameters<Layout["podEtcFile"]>[1], string][] = [
      ["etc-hostname", `${podHostname(pod, this.o.dns.clusterDomain)}\n`],
      ["etc-hosts", renderHostsFile(pod, ips, this.o.dns.clusterDomain, hostHosts)],
      ["resolv.conf", renderResolvConf(pod, this.o.dns)],
    ];
    await Promise.all(files.map(([name, text]) => this.o.runner.writeFile(this.o.layout.podEtcFile(uid, name), text, uid, 0o644)));
  }

  async stopSandbox(podUid: string): Promise<void> {
    const s = this.records.sandboxes.get(podUid);
    if (!s) return;
    if (s.state === "ready") {
      if (!s.hostNetwork) await this.o.network.tearDown(s);
      signalProcess(this.o.runner, s.pid, "SIGKILL", s.pidStartTime, podUid);
      await waitGone(s.pid, s.pidStartTime, 2000);
    }
    s.state = "notready";
    await this.records.saveSandbox(s);
  }

  private async markSandboxDead(s: SandboxRecord): Promise<void> {
    if (!s.hostNetwork) await this.o.network.tearDown(s).catch(() => undefined);
    s.state = "notready";
    await this.records.saveSandbox(s);
    this.emit({ type: "SandboxDied", podUid: s.podUid });
  }

  /** Checks that the pause process of every ready sandbox still lives (resync). */
  async checkSandboxes(): Promise<void> {
    for (const s of this.records.sandboxes.values()) {
      if (s.state === "ready" && !isSameProcess(s.pid, s.pidStartTime)) await this.markSandboxDead(s);
    }
  }

  async removeSandbox(podUid: string, pod?: Pod): Promise<void> {
    const { runner, layout } = this.o;
    runner.comment(podUid, "remove the pod");
    for (const c of this.records.containersOf(podUid)) await this.removeContainer(c.id);
    await this.stopSandbox(podUid);
    const spec = pod ?? (await this.records.loadPodSpec(podUid));
    const s = this.records.sandboxes.get(podUid);
    if (spec) await this.o.volumes.teardown(spec);
    this.podVolumes.delete(podUid);
    await unmount(runner, layout.podShmDir(podUid), podUid);
    await this.o.cgroups.remove(s?.cgroupPath ?? (spec ? podCgroupPath(spec) : `pod${podUid}`), podUid);
    if (s || spec) {
      const ns = s?.namespace ?? spec!.metadata.namespace ?? "default";
      const name = s?.name ?? spec!.metadata.name ?? "";
      await fsp.rm(layout.podLogDir(ns, name, podUid), { recursive: true, force: true });
    }
    await fsp.rm(layout.podDir(podUid), { recursive: true, force: true });
    this.records.forgetSandbox(podUid);
  }

  // -------------------------------------------------------------------------------------------------- containers

  async startContainer(pod: Pod, c: Container, opts: StartContainerOptions): Promise<ContainerRecord> {
    const uid = pod.metadata.uid!;
    const sandbox = this.records.sandboxes.get(uid);
    if (!sandbox || sandbox.state !== "ready") throw new ContainerStartError("CreateContainerError", "the pod sandbox is not ready");
    const image = await this.imageFor(c);
    const id = randomBytes(32).toString("hex");
    const { runner, layout } = this.o;
    runner.comment(uid, `container ${c.name} (attempt ${opts.attempt})`);
    const dir = layout.containerDir(uid, id);
    const cgroupPath = `${sandbox.cgroupPath}/${id}`;
    const ns = pod.metadata.namespace ?? "default";
    const logPath = layout.containerLogFile(ns, pod.metadata.name!, uid, c.name, opts.attempt);
    // Independent preparations run together. rootfs/upper/work are made by the shim (mkdir -p) as it mounts them.
    await Promise.all([
      Promise.resolve().then(() => {
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, "termination-log"), "", { mode: 0o666 });
      }),
      this.o.cgroups.create(cgroupPath, containerCgroupLimits(c), uid),
      this.prepareLog(logPath, layout.containerLogLink(ns, pod.metadata.name!, c.name, id)),
    ]);
    const record = await this.launch(pod, c, image, id, opts, { dir, cgroupPath, logPath, sandbox });
    this.emit({ type: "ContainerStarted", podUid: uid, containerId: id });
    const pending = this.pendingExits.get(id);
    if (pending) {
      this.pendingExits.delete(id);
      await this.containerExited(id, pending);
    }
    return record;
  }

  private async imageFor(c: Container): Promise<Image> {
    const ref = c.image ?? "";
    const image = await this.o.images.resolve(ref);
    if (image) return image;
    if (c.imagePullPolicy === "Never") {
      throw new ContainerStartError("ErrImageNeverPull", `Container image "${ref}" is not present with pull policy of Never`);
    }
    throw new ContainerStartError(
      "ErrImagePull",
      `image "${normalizeImageRef(ref)}" is not on this node and nodelet does not pull from registries (build it with \`nodelet image build\`)`,
    );
  }

  /** A fresh log file for this attempt (the monitor creates it) and the kubelet's /var/log/containers link to it. */
  private async prepareLog(logPath: string, link: string): Promise<void> {
    rmSync(logPath, { force: true });
    mkdirSync(dirname(link), { recursive: true });
    rmSync(link, { force: true });
    symlinkSync(logPath, link);
  }

  private async launch(
    pod: Pod,
    c: Container,
    image: Image,
    id: string,
    opts: StartContainerOptions,
    where: { dir: string; cgroupPath: string; logPath: string; sandbox: SandboxRecord },
  ): Promise<ContainerRecord> {
    const uid = pod.metadata.uid!;
    const { layout } = this.o;
    const volumes = await this.volumesFor(pod);
    const fieldPath = containerFieldPath(pod, c);
    let launch;
    try {
      launch = buildContainerLaunch({
        pod, container: c, fieldPath, image, id,
        imagePasswd: parsePasswd(readTextOr(join(image.rootfs, "etc/passwd"), "")),
        paths: {
          rootfs: join(where.dir, "rootfs"), upper: join(where.dir, "upper"), work: join(where.dir, "work"),
          exitFile: layout.exitFile(id), logPath: where.logPath, terminationLog: join(where.dir, "termination-log"),
          hosts: layout.podEtcFile(uid, "etc-hosts"), hostname: layout.podEtcFile(uid, "etc-hostname"),
          resolvConf: layout.podEtcFile(uid, "resolv.conf"), shm: layout.podShmDir(uid),
        },
        cgroupDirs: this.o.cgroups.dirs(where.cgroupPath),
        oomFile: this.o.cgroups.oomFile(where.cgroupPath),
        sandboxPid: where.sandbox.pid,
        volumes,
        env: { ...opts.env, hostname: where.sandbox.hostname, podIP: where.sandbox.ips[0], podIPs: where.sandbox.ips },
        log: this.o.log,
      });
    } catch (err) {
      if (err instanceof FieldError) throw new ContainerStartError("CreateContainerConfigError", err.message);
      throw err;
    }
    const record: ContainerRecord = {
      id, podUid: uid, name: c.name, attempt: opts.attempt, init: opts.init,
      image: c.image ?? "", imageId: `sha256:${image.id}`, specHash: containerSpecHash(c),
      createdAt: new Date().toISOString(), state: "created", logPath: where.logPath, cgroupPath: where.cgroupPath,
      process: processIdentity(launch),
      stopSignal: image.config.StopSignal,
      terminationMessagePolicy: c.terminationMessagePolicy,
    };
    this.starting.add(id);
    await this.records.saveContainer(record);
    try {
      const [monitorPid, pid] = await runShim(this.o.runner, monitorArgv(layout.shimPath, launch), uid);
      // A command that ends at once can have its exit record read (containerExited, on this same object) before
      // the shim's report of the start comes back: the exit stands, only the pids are added.
      if ((record.state as ContainerRecord["state"]) === "exited") Object.assign(record, { monitorPid, pid });
      else Object.assign(record, { monitorPid, pid, pidStartTime: processStartTime(pid), startedAt: new Date().toISOString(), state: "running" });
      await this.records.saveContainer(record);
      return record;
    } catch (err) {
      if (!(err instanceof ShimError)) throw err;
      // The shim wrote an exit record with reason StartError too; it arrives through the watcher.
      throw new ContainerStartError("RunContainerError", err.message);
    } finally {
      this.starting.delete(id);
    }
  }

  /** An exit record arrived: the container is exited. Records for containers we have not registered yet wait. */
  private async containerExited(id: string, exit: ExitRecord): Promise<void> {
    const c = this.records.containers.get(id);
    if (!c) {
      this.pendingExits.set(id, exit);
      return;
    }
    if (c.state === "exited") return;
    const written = await readTerminationMessage({
      file: join(this.o.layout.containerDir(c.podUid, id), "termination-log"),
      logPath: c.logPath, policy: c.terminationMessagePolicy, exitCode: exit.exitCode, reason: exit.reason,
    });
    if ((c.state as ContainerRecord["state"]) === "exited") return; // reported again while we read
    Object.assign(c, {
      state: "exited",
      exitCode: exit.exitCode,
      signal: exit.signal || undefined,
      reason: exit.reason,
      // The runtime's own message first, then the container's (kuberuntime_container.go getPodContainerStatuses).
      message: [exit.message, written].filter(Boolean).join(": ") || undefined,
      oomKilled: exit.oomKilled,
      startedAt: exit.startedAt ?? c.startedAt,
      finishedAt: exit.finishedAt,
    });
    await this.records.saveContainer(c);
    for (const w of this.exitWaiters.get(id) ?? []) w();
    this.exitWaiters.delete(id);
    this.emit({ type: "ContainerDied", podUid: c.podUid, containerId: id });
  }

  /** A container recorded as running whose process is gone and whose monitor left no record (monitor died). */
  private async reconcileLostContainer(c: ContainerRecord): Promise<void> {
    if (c.state === "exited" || this.starting.has(c.id)) return;
    if (c.state === "running" && c.pid && isSameProcess(c.pid, c.pidStartTime)) return;
    if (await this.exits.check(c.id)) {
      // The record was reported (now or earlier) yet the container is not marked exited: apply it again.
      const exit = await this.exits.read(c.id);
      if (exit && (c.state as ContainerRecord["state"]) !== "exited") await this.containerExited(c.id, exit);
      return;
    }
    await this.containerExited(c.id, {
      exitCode: c.state === "created" ? 128 : 255,
      signal: 0,
      oomKilled: false,
      reason: c.state === "created" ? "StartError" : "Error",
      message: "the container's process is gone and its monitor left no exit record",
      finishedAt: new Date().toISOString(),
    });
  }

  /** Resync: exit records missed by the watch, dead monitors, dead sandboxes. */
  async resync(): Promise<void> {
    await this.exits.scan();
    for (const c of this.records.containers.values()) await this.reconcileLostContainer(c);
    await this.checkSandboxes();
  }

  waitForExit(id: string, timeoutMs: number): Promise<boolean> {
    return this.waitExit(id, timeoutMs);
  }

  private waitExit(id: string, timeoutMs: number): Promise<boolean> {
    const c = this.records.containers.get(id);
    if (!c || c.state === "exited") return Promise.resolve(true);
    return new Promise((resolve) => {
      const list = this.exitWaiters.get(id) ?? [];
      const waiter = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        // A waiter that timed out leaves the list, so long log follows do not pile them up.
        const i = list.indexOf(waiter);
        if (i >= 0) list.splice(i, 1);
        resolve(false);
      }, timeoutMs);
      list.push(waiter);
      this.exitWaiters.set(id, list);
    });
  }

  async stopContainer(id: string, graceSeconds: number): Promise<void> {
    const c = this.records.containers.get(id);
    if (!c || c.state !== "running" || !c.pid) return;
    const signal = (c.stopSignal && c.stopSignal.startsWith("SIG") ? c.stopSignal : "SIGTERM") as NodeJS.Signals;
    if (graceSeconds > 0 && signalProcess(this.o.runner, c.pid, signal, c.pidStartTime, c.podUid)) {
      if (await this.waitExit(id, graceSeconds * 1000)) return;
    }
    if (signalProcess(this.o.runner, c.pid, "SIGKILL", c.pidStartTime, c.podUid)) await this.waitExit(id, 10_000);
    // The exit record may have been missed (or the monitor died with the container): settle the state now.
    if ((c.state as string) !== "exited") {
      await this.exits.check(id);
      await this.reconcileLostContainer(c);
    }
  }

  async removeContainer(id: string): Promise<void> {
    const c = this.records.containers.get(id);
    if (!c) return;
    if (c.state === "running") await this.stopContainer(id, 0);
    await this.o.cgroups.remove(c.cgroupPath, c.podUid);
    await fsp.rm(this.o.layout.containerDir(c.podUid, id), { recursive: true, force: true });
    const s = this.records.sandboxes.get(c.podUid);
    if (s) await fsp.rm(this.o.layout.containerLogLink(s.namespace, s.name, c.name, id), { force: true });
    await removeLogFiles(c.logPath);
    await this.exits.forget(id);
    this.records.forgetContainer(id);
  }

  async exec(id: string, opts: Omit<ExecOptions, "container">, timeoutSeconds?: number): Promise<ExecSession> {
    const c = this.records.containers.get(id);
    if (!c || c.state !== "running" || !c.pid) throw new ContainerStartError("RunContainerError", "container is not running");
    return startExec(this.o.runner, this.o.layout.shimPath, {
      ...c.process,
      targetPid: c.pid,
      cgroups: this.o.cgroups.dirs(c.cgroupPath),
      tty: opts.tty,
      timeoutSeconds,
      argv: opts.command,
    }, opts);
  }

  usage(id: string): Promise<CgroupUsage> {
    const c = this.records.containers.get(id);
    return this.o.cgroups.usage(c?.cgroupPath ?? "missing");
  }

  podUsage(podUid: string): Promise<CgroupUsage> {
    return this.o.cgroups.usage(this.records.sandboxes.get(podUid)?.cgroupPath ?? "missing");
  }
}

/** The identity part of a launch, kept in the record so exec runs as the container does. */
function processIdentity(l: ProcessIdentity): ProcessIdentity {
  const { cwd, env, uid, gid, groups, caps, noNewPrivs, privileged } = l;
  return { cwd, env, uid, gid, groups, caps, noNewPrivs, privileged };
}

/** The kubelet's cgroup layout: Guaranteed pods directly under the parent, others under their QoS class. */
export function podCgroupPath(pod: Pod): string {
  const qos = qosClass(pod);
  const leaf = `pod${pod.metadata.uid}`;
  return qos === "Guaranteed" ? leaf : `${qos.toLowerCase()}/${leaf}`;
}

function containerFieldPath(pod: Pod, c: Container): string {
  const i = pod.spec.containers.indexOf(c);
  if (i >= 0) return `spec.containers[${i}]`;
  return `spec.initContainers[${(pod.spec.initContainers ?? []).indexOf(c)}]`;
}

/** A stable hash of the fields that, changed, make the kubelet replace a container (its spec minus status-only). */
export function containerSpecHash(c: Container): string {
  return createHash("sha256").update(JSON.stringify(c)).digest("hex").slice(0, 16);
}

function readTextOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return fallback;
  }
}

/** A container's log and the files the monitor rotated it into (N.log.YYYYMMDD-HHMMSS[.K]). */
async function removeLogFiles(logPath: string): Promise<void> {
  const dir = join(logPath, "..");
  const base = logPath.slice(dir.length + 1);
  for (const f of await fsp.readdir(dir).catch(() => [] as string[])) {
    if (f === base || f.startsWith(`${base}.`)) await fsp.rm(join(dir, f), { force: true });
  }
}

async function waitGone(pid: number, startTime: number | undefined, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isSameProcess(pid, startTime) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}
