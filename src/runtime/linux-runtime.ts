/**
 * The Linux pod runtime: sandboxes and containers made from namespaces, cgroups and an overlay rootfs through
 * nodelet-shim, with every host step recorded under the pod's uid. Owns everything it creates on the host and
 * removes it in removeSandbox/removeContainer; start() re-adopts what a previous daemon left running.
 * The work is done by its parts: sandbox-lifecycle.ts, container-lifecycle.ts and the exit state machine in
 * container-exits.ts; this file wires them to the PodRuntime interface and runs the start-up reconciliation.
 */
import { fifoAttachment, type ContainerAttachment } from "./container-attach.js";
import { promises as fsp } from "node:fs";
import type { Container, Pod } from "../api/types.js";
import type { ExecOptions, ExecSession } from "../api/pod-io.js";
import type { CgroupUsage } from "../sys/cgroups/types.js";
import { realClock } from "../sys/clock.js";
import { ContainerExits } from "./container-exits.js";
import { ContainerLifecycle } from "./container-lifecycle.js";
import { removeOrphans } from "./orphans.js";
import type {
  ContainerRecord,
  PodRuntime,
  RuntimeEvent,
  SandboxOptions,
  SandboxRecord,
  StartContainerOptions,
} from "./pod-runtime.js";
import { RuntimeRecords } from "./records.js";
import type { LinuxRuntimeOptions, RuntimeContext } from "./runtime-context.js";
import { SandboxLifecycle } from "./sandbox-lifecycle.js";
import { MonitorZygote, removeZygoteCgroup } from "./shim-zygote.js";
import { WarmSandboxes } from "./warm-sandboxes.js";

export type { LinuxRuntimeOptions } from "./runtime-context.js";

export class LinuxPodRuntime implements PodRuntime {
  private readonly records: RuntimeRecords;
  private readonly listeners: ((ev: RuntimeEvent) => void)[] = [];
  private readonly sandboxLife: SandboxLifecycle;
  private readonly exits: ContainerExits;
  private readonly containerLife: ContainerLifecycle;
  private readonly x: RuntimeContext;
  private readonly warm: WarmSandboxes | undefined;
  private readonly zygote: MonitorZygote | undefined;

  constructor(private readonly o: LinuxRuntimeOptions) {
    this.records = new RuntimeRecords(o.layout);
    const x: RuntimeContext = (this.x = { o, records: this.records, clock: o.clock ?? realClock, emit: (ev) => this.emit(ev) });
    this.warm = (o.warmSandboxes ?? 0) > 0 ? new WarmSandboxes(x, o.warmSandboxes!) : undefined;
    this.sandboxLife = new SandboxLifecycle(x, this.warm);
    this.exits = new ContainerExits(x);
    this.zygote = o.monitorZygote ? new MonitorZygote({ shimPath: o.layout.shimPath, runner: o.runner, cgroups: o.cgroups, report: o.report, ...(typeof o.monitorZygote === "object" ? o.monitorZygote : {}) }) : undefined;
    this.containerLife = new ContainerLifecycle(x, this.sandboxLife, this.exits);
  }

  async start(): Promise<void> {
    for (const d of [this.o.layout.podsDir, this.o.layout.exitsDir]) await fsp.mkdir(d, { recursive: true, mode: 0o700 });
    await this.o.cgroups.prepare("node");
    if (this.zygote) {
      await this.zygote.start();
      this.o.runner.useForkServer?.(this.zygote);
    }
    await this.containerLife.warm();
    const held = await this.records.load(new Date(this.x.clock.now()));
    for (const [uid, h] of held) this.o.report?.(`pod ${uid} held, not adopted and not swept: ${h.reason}`);
    await this.adoptLeftoverWarm();
    const removed = await removeOrphans({
      layout: this.o.layout,
      runner: this.o.runner,
      cgroups: this.o.cgroups,
      // The warm sandboxes just adopted are live too (their cgroups, mounts and directories stay).
      pods: new Set([...this.records.sandboxes.keys(), ...this.warmSandboxes().map((w) => w.podUid)]),
      containers: new Set(this.records.containers.keys()),
      held: new Set(held.keys()),
    });
    for (const what of removed) this.o.report?.(`removed what a crash left behind: ${what}`);
    await this.sandboxLife.checkAll();
    await this.exits.start();
    for (const c of this.records.containers.values()) await this.exits.reconcileLost(c);
    this.warm?.pool.start();
  }

  /**
   * Warm sandboxes a previous daemon left (a crash, a restart, or `nodelet reset`'s runtime, whose pool is off): each
   * intact one is adopted into the pool while it has room, the others are removed with the reason reported (also a
   * claim cut short: a pod's directory still holding the warm record; what the pod was given goes with it, and the
   * kubelet starts the pod again). Warm records never stay among the pods' sandboxes.
   */
  private async adoptLeftoverWarm(): Promise<void> {
    const leftovers = [...this.records.sandboxes].filter(([, s]) => s.warm);
    if (leftovers.length === 0) return;
    for (const [dirUid] of leftovers) this.records.forgetSandbox(dirUid);
    const warm = this.warm ?? new WarmSandboxes(this.x, 0);
    for (const line of await warm.adoptOrRemove(leftovers)) this.o.report?.(line);
  }

  /** Pods whose records could not be read: uid → why (records.ts). The runtime refuses to act on them. */
  heldPods(): ReadonlyMap<string, { reason: string }> {
    return this.records.held;
  }

  /**
   * `nodelet reset` only: removes the held pods as orphans — processes killed, mounts unmounted, directories
   * removed — since the person asked for everything to go. Returns what it removed.
   */
  async removeHeldPods(): Promise<string[]> {
    if (this.records.held.size === 0) return [];
    this.records.held.clear();
    return removeOrphans({
      layout: this.o.layout,
      runner: this.o.runner,
      cgroups: this.o.cgroups,
      pods: new Set(this.records.sandboxes.keys()),
      containers: new Set(this.records.containers.keys()),
      held: new Set(),
    });
  }

  async stop(): Promise<void> {
    // Kept, the warm sandboxes are adopted by the next daemon's start (adoptLeftoverWarm), as after a crash.
    if (this.o.warmSandboxesAtStop === "keep") await this.warm?.pool.stop();
    else await this.warm?.pool.drain();
    await this.warm?.removeEmptied();
    this.exits.stop();
    if (this.zygote) this.o.runner.useForkServer?.(undefined);
    await this.zygote?.stop();
    // The zygote's cgroup goes once no container is left whose monitor is in it (also after reset's removals).
    if (![...this.records.containers.values()].some((c) => c.state !== "exited")) await removeZygoteCgroup(this.o.cgroups, this.o.report);
  }

  onEvent(listener: (ev: RuntimeEvent) => void): void {
    this.listeners.push(listener);
  }

  private emit(ev: RuntimeEvent): void {
    for (const l of this.listeners) l(ev);
  }

  /** The monitor zygote's pid while it can fork monitors (undefined: monitors are exec'd). */
  monitorZygotePid(): number | undefined {
    return this.zygote?.pid;
  }

  /** The warm sandboxes ready now (--warm-sandboxes), not any pod's. */
  warmSandboxes(): readonly SandboxRecord[] {
    return this.warm?.pool.items() ?? [];
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

  async runSandbox(pod: Pod, opts: SandboxOptions): Promise<SandboxRecord> {
    this.records.checkNotHeld(pod.metadata.uid!);
    return this.warm ? this.warm.during(() => this.sandboxLife.run(pod, opts)) : this.sandboxLife.run(pod, opts);
  }

  async stopSandbox(podUid: string): Promise<void> {
    this.records.checkNotHeld(podUid);
    return this.sandboxLife.stop(podUid);
  }

  /** Checks that the pause process of every ready sandbox still lives (resync). */
  checkSandboxes(): Promise<void> {
    return this.sandboxLife.checkAll();
  }

  /** Brings configMap/secret/downwardAPI/projected volumes of a ready sandbox up to date (VolumeError on failure). */
  refreshVolumes(pod: Pod): Promise<void> {
    this.records.checkNotHeld(pod.metadata.uid!);
    return this.sandboxLife.refreshVolumes(pod);
  }

  releasePodResources(pod: Pod): Promise<void> {
    return this.sandboxLife.releaseVolumes(pod);
  }

  async removeSandbox(podUid: string, pod?: Pod): Promise<void> {
    this.records.checkNotHeld(podUid);
    this.o.runner.comment(podUid, "remove the pod");
    for (const c of this.records.containersOf(podUid)) await this.containerLife.remove(c.id);
    await this.sandboxLife.remove(podUid, pod);
    this.warm?.pool.poke(); // its address is free again
  }

  startContainer(pod: Pod, c: Container, opts: StartContainerOptions): Promise<ContainerRecord> {
    return this.warm ? this.warm.during(() => this.containerLife.start(pod, c, opts)) : this.containerLife.start(pod, c, opts);
  }

  /** Resync: exit records missed by the watch, dead monitors, dead sandboxes. */
  async resync(): Promise<void> {
    await this.exits.resync();
    await this.sandboxLife.checkAll();
    this.warm?.pool.prune();
  }

  waitForExit(id: string, timeoutMs: number): Promise<boolean> {
    return this.exits.wait(id, timeoutMs);
  }

  stopContainer(id: string, graceSeconds: number): Promise<void> {
    return this.containerLife.stop(id, graceSeconds);
  }

  removeContainer(id: string): Promise<void> {
    return this.containerLife.remove(id);
  }

  exec(id: string, opts: Omit<ExecOptions, "container">, timeoutSeconds?: number): Promise<ExecSession> {
    return this.containerLife.exec(id, opts, timeoutSeconds);
  }

  attach(id: string): ContainerAttachment {
    const c = this.records.containers.get(id);
    const { layout } = this.o;
    return fifoAttachment(layout.containerStdinFifo(c?.podUid ?? "missing", id), layout.containerControlFifo(c?.podUid ?? "missing", id));
  }

  usage(id: string): Promise<CgroupUsage> {
    const c = this.records.containers.get(id);
    return this.o.cgroups.usage(c?.cgroupPath ?? "missing");
  }

  podUsage(podUid: string): Promise<CgroupUsage> {
    return this.o.cgroups.usage(this.records.sandboxes.get(podUid)?.cgroupPath ?? "missing");
  }
}
