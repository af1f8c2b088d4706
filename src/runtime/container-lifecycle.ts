/**
 * A container's life in its pod sandbox: launched through nodelet-shim (cgroup, directory, log file, the
 * monitor and the process), stopped with its stop signal then SIGKILL, exec'd into, and removed with its cgroup,
 * directory, logs and exit record. Exits themselves are the state machine's (container-exits.ts).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, promises as fsp, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FieldError } from "../api/errors.js";
import type { Container, Pod } from "../api/types.js";
import type { ExecOptions, ExecSession } from "../api/pod-io.js";
import { isoNow } from "../sys/clock.js";
import { isSameProcess, processStartTime, readProcStat, signalProcess } from "../sys/proc.js";
import { ephemeralTargetPid } from "./ephemeral-target.js";
import { buildContainerLaunch, capabilities, DEFAULT_CAPS } from "./container-launch.js";
import { parseGroup, parsePasswd } from "../images/image-user.js";
import type { ContainerExits } from "./container-exits.js";
import { startExec } from "./exec-session.js";
import type { Image } from "../api/image.js";
import { normalizeImageRef } from "./images.js";
import { prepareLog, removeLogFiles, removeLogLink } from "./log-files.js";
import { ContainerStartError, type ContainerRecord, type SandboxRecord, type StartContainerOptions } from "./pod-runtime.js";
import { containerDeviceRules, volumeDeviceRules } from "./devices.js";
import { containerCgroupLimits } from "./resources.js";
import type { RuntimeContext } from "./runtime-context.js";
import type { SandboxLifecycle } from "./sandbox-lifecycle.js";
import { SeccompProfiles } from "./seccomp/seccomp-profiles.js";
import { monitorCommand, type ProcessIdentity } from "./shim-argv.js";
import { runShim, runShimReport, ShimError } from "./shim-client.js";
import { addShimSpans } from "./start-spans.js";
import { monotonicMs, timeStep } from "../sys/start-trace.js";

interface Where {
  dir: string;
  cgroupPath: string;
  logPath: string;
  sandbox: SandboxRecord;
  /** A seccomp program was written to the container's directory. */
  seccomp: boolean;
}

/** The container's seccomp program, in its state directory; exec'd processes load the same file. */
const SECCOMP_FILE = "seccomp.bpf";

export class ContainerLifecycle {
  private readonly seccomp: SeccompProfiles;

  constructor(
    private readonly x: RuntimeContext,
    private readonly sandboxes: SandboxLifecycle,
    private readonly exits: ContainerExits,
  ) {
    const settings = x.o.seccomp ?? { profileRoot: join(x.o.layout.root, "seccomp"), defaultToRuntime: true };
    this.seccomp = new SeccompProfiles(settings, (compact) => this.buildSeccomp(compact));
  }

  /** Builds the default pod's seccomp program ahead of its first start (libseccomp takes milliseconds). */
  warm(): Promise<void> {
    return this.seccomp.warm(DEFAULT_CAPS);
  }

  async start(pod: Pod, c: Container, opts: StartContainerOptions): Promise<ContainerRecord> {
    const uid = pod.metadata.uid!;
    const sandbox = this.x.records.sandboxes.get(uid);
    if (!sandbox || sandbox.state !== "ready") throw new ContainerStartError("CreateContainerError", "the pod sandbox is not ready");
    const image = await this.step(uid, "image", () => this.imageFor(c));
    const id = randomBytes(32).toString("hex");
    const { runner, layout } = this.x.o;
    runner.comment(uid, `container ${c.name} (attempt ${opts.attempt})`);
    const dir = layout.containerDir(uid, id);
    const cgroupPath = `${sandbox.cgroupPath}/${id}`;
    const ns = pod.metadata.namespace ?? "default";
    const logPath = layout.containerLogFile(ns, pod.metadata.name!, uid, c.name, opts.attempt);
    // Before anything of the container exists: a profile that cannot be loaded refuses the start.
    const seccomp = await this.step(uid, "seccomp program", () => this.seccompFor(pod, c));
    // Independent preparations run together. rootfs/upper/work are made by the shim (mkdir -p) as it mounts them.
    await this.step(uid, "container directory, cgroup, log link", () => Promise.all([
      Promise.resolve().then(() => {
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, "termination-log"), "", { mode: 0o666 });
        // Not on argv and readable by root alone (the shim opens it O_NOFOLLOW before it enters the pod).
        if (seccomp !== undefined) writeFileSync(join(dir, SECCOMP_FILE), seccomp, { mode: 0o600 });
      }),
      this.sandboxes.volumesFor(pod).then((volumes) => {
        const devices = containerDeviceRules(c.securityContext?.privileged === true, volumeDeviceRules(c, volumes));
        return this.x.o.cgroups.create(cgroupPath, { ...containerCgroupLimits(c), devices }, uid);
      }),
      this.sandboxes.logDirs(uid).then(() => this.step(uid, "log file and its /var/log/containers link", async () => prepareLog(logPath, layout.containerLogLink(ns, pod.metadata.name!, c.name, id)))),
    ]));
    const record = await this.launch(pod, c, image, id, opts, { dir, cgroupPath, logPath, sandbox, seccomp: seccomp !== undefined });
    this.x.emit({ type: "ContainerStarted", podUid: uid, containerId: id });
    await this.exits.applyPending(id);
    return record;
  }

  /** Times one step of a container start in the pod's start trace (when starts are traced). */
  private step<T>(uid: string, name: string, work: () => Promise<T>): Promise<T> {
    return timeStep(this.x.o.traces, uid, name, work);
  }

  /** The seccomp program of c, or undefined (unconfined); a bad profile is CreateContainerError. */
  private async seccompFor(pod: Pod, c: Container): Promise<Buffer | undefined> {
    const fieldPath = containerFieldPath(pod, c);
    try {
      return await this.seccomp.forContainer(pod, c, fieldPath, capabilities(c, fieldPath));
    } catch (err) {
      if (err instanceof FieldError) throw new ContainerStartError("CreateContainerError", err.message);
      throw err;
    }
  }

  /** A compact profile's BPF program, built by the shim's libseccomp; rejects with the shim's reason. */
  private async buildSeccomp(compact: string): Promise<Buffer> {
    const file = join(this.x.o.layout.root, `seccomp-${randomBytes(8).toString("hex")}`);
    writeFileSync(file, compact, { mode: 0o600 });
    try {
      await runShim(this.x.o.runner, [this.x.o.layout.shimPath, "seccomp-compile", file, `${file}.bpf`]);
      return readFileSync(`${file}.bpf`);
    } finally {
      rmSync(file, { force: true });
      rmSync(`${file}.bpf`, { force: true });
    }
  }

  private async imageFor(c: Container): Promise<Image> {
    const ref = c.image ?? "";
    const image = await this.x.o.images.resolve(ref);
    if (image) return image;
    if (c.imagePullPolicy === "Never") {
      throw new ContainerStartError("ErrImageNeverPull", `Container image "${ref}" is not present with pull policy of Never`);
    }
    throw new ContainerStartError(
      "ErrImagePull",
      `image "${normalizeImageRef(ref)}" is not on this node and nodelet does not pull from registries (build it with \`nodelet image build\`)`,
    );
  }

  /** The host pid of an ephemeral container's target, checked to still be its process (ephemeral-target.ts). */
  private targetPid(pod: Pod, c: Container): number | undefined {
    const startTimeOf = (pid: number): number | undefined => {
      const st = readProcStat(pid);
      return st && st.state !== "Z" ? st.startTime : undefined;
    };
    return ephemeralTargetPid(pod, c, this.x.records.containersOf(pod.metadata.uid!), startTimeOf);
  }

  private async launch(pod: Pod, c: Container, image: Image, id: string, opts: StartContainerOptions, where: Where): Promise<ContainerRecord> {
    const uid = pod.metadata.uid!;
    const { layout } = this.x.o;
    const volumes = await this.sandboxes.volumesFor(pod);
    const users = await this.step(uid, "image users (/etc/passwd, /etc/group)", () => this.x.o.images.imageUserFiles(image)).catch((err: Error) => {
      throw new ContainerStartError("CreateContainerError", `cannot read the image's /etc/passwd or /etc/group: ${err.message}`);
    });
    let launch;
    try {
      launch = buildContainerLaunch({
        pod, container: c, fieldPath: containerFieldPath(pod, c), image, id,
        imageUsers: { passwd: parsePasswd(users.passwd), group: parseGroup(users.group) },
        paths: {
          rootfs: join(where.dir, "rootfs"), upper: join(where.dir, "upper"), work: join(where.dir, "work"),
          exitFile: layout.exitFile(id), logPath: where.logPath, terminationLog: join(where.dir, "termination-log"),
          stdinFifo: layout.containerStdinFifo(uid, id), controlFifo: layout.containerControlFifo(uid, id),
          hosts: layout.podEtcFile(uid, "etc-hosts"), hostname: layout.podEtcFile(uid, "etc-hostname"),
          resolvConf: layout.podEtcFile(uid, "resolv.conf"), shm: layout.podShmDir(uid),
        },
        cgroupDirs: this.x.o.cgroups.dirs(where.cgroupPath),
        oomFile: this.x.o.cgroups.oomFile(where.cgroupPath),
        sandboxPid: where.sandbox.pid,
        utsHostname: where.sandbox.utsHostnamePending ? where.sandbox.hostname : undefined,
        targetPid: this.targetPid(pod, c),
        volumes,
        env: { ...opts.env, hostname: where.sandbox.hostname, podIP: where.sandbox.ips[0], podIPs: where.sandbox.ips },
        log: this.x.o.log,
        seccompFile: where.seccomp ? join(where.dir, SECCOMP_FILE) : undefined,
        deviceFilterDir: this.x.o.cgroups.deviceFilterDir(where.cgroupPath),
        cgroupView: this.x.o.cgroups.containerView(),
      });
    } catch (err) {
      if (err instanceof FieldError) throw new ContainerStartError("CreateContainerConfigError", err.message);
      throw err;
    }
    const record: ContainerRecord = {
      id, podUid: uid, name: c.name, attempt: opts.attempt, init: opts.init,
      image: c.image ?? "", imageId: `sha256:${image.id}`, specHash: opts.specHash,
      createdAt: isoNow(this.x.clock), state: "created", logPath: where.logPath, cgroupPath: where.cgroupPath,
      process: processIdentity(launch),
      secretEnv: readsSecrets(c) || undefined,
      stopSignal: image.config.StopSignal,
      terminationMessagePolicy: c.terminationMessagePolicy,
    };
    this.exits.markStarting(id);
    if (record.secretEnv) await this.sandboxes.ensureRunDir(uid);
    await this.step(uid, "container record", () => this.x.records.saveContainer(record));
    try {
      const traces = this.x.o.traces;
      const began = monotonicMs();
      const { numbers: [monitorPid, pid], marks } = await runShimReport(this.x.o.runner, monitorCommand(layout.shimPath, launch), uid);
      if (traces) addShimSpans(traces, uid, marks, began, monotonicMs());
      // A command that ends at once can have its exit record read (the exit state machine, on this same record)
      // before the shim's report of the start comes back: the exit stands, only the pids are added.
      const monitorStartTime = processStartTime(monitorPid);
      if ((record.state) === "exited") Object.assign(record, { monitorPid, monitorStartTime, pid });
      else Object.assign(record, { monitorPid, monitorStartTime, pid, pidStartTime: processStartTime(pid), startedAt: isoNow(this.x.clock), state: "running" });
      await this.x.records.saveContainer(record);
      this.exits.watchMonitor(record);
      if (launch.utsHostname !== undefined && where.sandbox.utsHostnamePending) {
        delete where.sandbox.utsHostnamePending;
        await this.x.records.saveLater({ kind: "sandbox", record: where.sandbox }, this.x.o.report);
      }
      return record;
    } catch (err) {
      if (!(err instanceof ShimError)) throw err;
      // The shim wrote an exit record with reason StartError too; it arrives through the watcher.
      throw new ContainerStartError("RunContainerError", err.message);
    } finally {
      this.exits.markStarted(id);
    }
  }

  /** Signals the container (its image's stop signal, else SIGTERM), waits up to graceSeconds, then SIGKILL. */
  async stop(id: string, graceSeconds: number): Promise<void> {
    const c = this.x.records.containers.get(id);
    if (!c || c.state !== "running" || !c.pid) return;
    const runner = this.x.o.runner;
    const signal = (c.stopSignal && c.stopSignal.startsWith("SIG") ? c.stopSignal : "SIGTERM") as NodeJS.Signals;
    if (graceSeconds > 0 && signalProcess(runner, c.pid, signal, c.pidStartTime, c.podUid)) {
      if (await this.exits.wait(id, graceSeconds * 1000)) return;
    }
    if (signalProcess(runner, c.pid, "SIGKILL", c.pidStartTime, c.podUid)) await this.exits.wait(id, 10_000);
    await this.exits.settle(c);
  }

  /** Stops the container if it runs, then removes its cgroup, directory, log files, log link and exit record. */
  async remove(id: string): Promise<void> {
    const c = this.x.records.containers.get(id);
    if (!c) return;
    const { layout, cgroups } = this.x.o;
    if (c.state === "running") await this.stop(id, 0);
    await cgroups.remove(c.cgroupPath, c.podUid);
    await fsp.rm(layout.containerDir(c.podUid, id), { recursive: true, force: true });
    await fsp.rm(layout.containerEnvFile(c.podUid, id), { force: true });
    const s = this.x.records.sandboxes.get(c.podUid);
    if (s) await removeLogLink(layout.containerLogLink(s.namespace, s.name, c.name, id));
    await removeLogFiles(c.logPath);
    await this.exits.forget(id);
    this.x.records.forgetContainer(id);
  }

  async exec(id: string, opts: Omit<ExecOptions, "container">, timeoutSeconds?: number): Promise<ExecSession> {
    const c = this.x.records.containers.get(id);
    if (!c || c.state !== "running" || !c.pid) throw new ContainerStartError("RunContainerError", "container is not running");
    // The record may lag an exit: a pid that names another process now is not entered.
    if (!isSameProcess(c.pid, c.pidStartTime)) throw new ContainerStartError("RunContainerError", "container is not running: its process has exited");
    return startExec(this.x.o.runner, this.x.o.layout.shimPath, {
      ...c.process,
      targetPid: c.pid,
      cgroups: this.x.o.cgroups.dirs(c.cgroupPath),
      tty: opts.tty,
      timeoutSeconds,
      argv: opts.command,
    }, opts);
  }
}

/** The identity part of a launch, kept in the record so exec runs as the container does. */
function processIdentity(l: ProcessIdentity): ProcessIdentity {
  const { cwd, env, uid, gid, groups, caps, noNewPrivs, privileged, seccompFile } = l;
  return { cwd, env, uid, gid, groups, caps, noNewPrivs, privileged, seccompFile };
}

/** Whether the container's environment takes values from Secrets (secretKeyRef, envFrom secretRef). */
function readsSecrets(c: Container): boolean {
  return (c.env ?? []).some((e) => e.valueFrom?.secretKeyRef) || (c.envFrom ?? []).some((e) => e.secretRef);
}

function containerFieldPath(pod: Pod, c: Container): string {
  const i = pod.spec.containers.indexOf(c);
  if (i >= 0) return `spec.containers[${i}]`;
  const e = (pod.spec.ephemeralContainers ?? []).indexOf(c);
  if (e >= 0) return `spec.ephemeralContainers[${e}]`;
  return `spec.initContainers[${(pod.spec.initContainers ?? []).indexOf(c)}]`;
}
