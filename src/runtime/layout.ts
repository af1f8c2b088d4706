/**
 * Where everything of the runtime lives on disk, in one place. Paths follow the kubelet's where there is a
 * convention users know (/var/log/pods/NS_POD_UID/CTR/N.log, /var/log/containers/POD_NS_CTR-ID.log,
 * pods/UID/volumes/kubernetes.io~empty-dir/NAME).
 */
import { join } from "node:path";

export class Layout {
  constructor(
    /** --root, default /var/lib/nodelet. */
    readonly root: string,
    /** --log-dir: holds pods/ and containers/; default /var/log, or ROOT/log when --root is not the default. */
    readonly logDir: string,
    /** Directory of the nodelet-shim binary. */
    readonly shimPath: string,
  ) {}

  get storeFile(): string {
    return join(this.root, "store.db");
  }
  get imagesDir(): string {
    return join(this.root, "images");
  }
  /** Monitors drop one exit record per container here; the runtime watches this one directory. */
  get exitsDir(): string {
    return join(this.root, "exits");
  }
  get podsDir(): string {
    return join(this.root, "pods");
  }
  podDir(uid: string): string {
    return join(this.podsDir, uid);
  }
  podStateFile(uid: string): string {
    return join(this.podDir(uid), "sandbox.json");
  }
  /** Recorded host steps for `nodelet explain`. */
  podExplainFile(uid: string): string {
    return join(this.podDir(uid), "explain.jsonl");
  }
  podEtcFile(uid: string, name: "etc-hosts" | "etc-hostname" | "resolv.conf"): string {
    return join(this.podDir(uid), name);
  }
  /**
   * The pod's tmpfs for state that must not reach the disk: the environment of containers that read Secrets
   * (containerd keeps its specs under /run for the same reason).
   */
  podRunDir(uid: string): string {
    return join(this.podDir(uid), "run");
  }
  containerEnvFile(uid: string, id: string): string {
    return join(this.podRunDir(uid), `${id}.env.json`);
  }
  podShmDir(uid: string): string {
    return join(this.podDir(uid), "shm");
  }
  volumeDir(uid: string, plugin: string, name: string): string {
    return join(this.podDir(uid), "volumes", plugin, name);
  }
  containerDir(uid: string, id: string): string {
    return join(this.podDir(uid), "containers", id);
  }
  /** The container's stdin FIFO (`stdin: true`), held by its monitor (shim/monitor_attach.h). */
  containerStdinFifo(uid: string, id: string): string {
    return join(this.containerDir(uid, id), "stdin");
  }
  /** The FIFO that carries an attach session's resizes and stdinOnce's close to the monitor. */
  containerControlFifo(uid: string, id: string): string {
    return join(this.containerDir(uid, id), "control");
  }
  containerStateFile(uid: string, id: string): string {
    return join(this.containerDir(uid, id), "container.json");
  }
  exitFile(id: string): string {
    return join(this.exitsDir, `${id}.json`);
  }
  podLogDir(namespace: string, name: string, uid: string): string {
    return join(this.logDir, "pods", `${namespace}_${name}_${uid}`);
  }
  containerLogFile(namespace: string, name: string, uid: string, container: string, attempt: number): string {
    return join(this.podLogDir(namespace, name, uid), container, `${attempt}.log`);
  }
  containerLogLink(namespace: string, name: string, container: string, id: string): string {
    return join(this.logDir, "containers", `${name}_${namespace}_${container}-${id}.log`);
  }
}
