/**
 * The configuration volumes — configMap, secret, downwardAPI and projected — as the kubelet's plugins make them:
 * the payload (projection.ts) written by the atomic writer into the pod's volume directory, fsGroup applied to it,
 * mounted read-only into the containers. secret, downwardAPI and projected volumes live on their own tmpfs (the
 * kubelet wraps them in a memory-backed emptyDir), so a Secret's bytes or a token never reach the node's disk;
 * configMap volumes are a directory on disk. The volume root is 0777 (1777 on tmpfs) like the kubelet's.
 *
 * refresh() writes the payload again from the current objects (a no-op when nothing changed): the kubelet calls it
 * on every sync of a running pod, so updates reach the containers within the sync period.
 */
import { createHash } from "node:crypto";
import { promises as fsp } from "node:fs";
import type { Pod, Volume } from "../api/types.js";
import { isMountPoint, mount, unmount } from "../sys/mounts.js";
import type { Runner } from "../sys/runner.js";
import { writeAtomically, type Payload } from "./atomic-writer.js";
import type { ConfigObjects } from "./config-objects.js";
import { fsGroupOf, setVolumeOwnership } from "./fs-group.js";
import {
  configMapPayload,
  DEFAULT_MODE,
  downwardAPIPayload,
  projectedPayload,
  ProjectionError,
  secretPayload,
  type IssuedToken,
} from "./projection.js";
import { VolumeError, type PreparedVolume, type VolumePaths, type VolumePlugin } from "./volume-plugin.js";

const MiB = 1024 * 1024;
/** The largest a ConfigMap or Secret may be (validation), and room for the labels and annotations of a pod. */
const OBJECT_MAX = MiB;
const DOWNWARD_MAX = MiB / 2;

type Kind = "configMap" | "secret" | "downwardAPI" | "projected";

const PLUGIN_DIR: Record<Kind, string> = {
  configMap: "kubernetes.io~configmap",
  secret: "kubernetes.io~secret",
  downwardAPI: "kubernetes.io~downward-api",
  projected: "kubernetes.io~projected",
};

/** The kind of configuration volume v is, if it is one. */
export function configVolumeKind(v: Volume): Kind | undefined {
  return (["configMap", "secret", "downwardAPI", "projected"] as const).find((k) => v[k] !== undefined);
}

/**
 * The most a volume's payload can hold, so its tmpfs is sized once for any update: two copies (the old timestamped
 * directory lives until the swap) of each source at its largest, and a MiB of slack.
 */
export function tmpfsSize(v: Volume): number {
  const per = (s: { configMap?: unknown; secret?: unknown; downwardAPI?: unknown }) => (s.configMap || s.secret ? OBJECT_MAX : s.downwardAPI ? DOWNWARD_MAX : 64 * 1024);
  let sum = 0;
  if (v.secret || v.configMap) sum = OBJECT_MAX;
  else if (v.downwardAPI) sum = DOWNWARD_MAX;
  else for (const s of v.projected?.sources ?? []) sum += per(s);
  return 2 * sum + MiB;
}

export class ConfigVolumePlugin implements VolumePlugin {
  readonly name: string;
  /** A digest of what each volume directory holds, as this process last wrote or found it: an unchanged payload costs no disk read. */
  private readonly written = new Map<string, string>();

  constructor(
    readonly kind: Kind,
    private readonly layout: VolumePaths,
    private readonly runner: Runner,
    private readonly objects: () => ConfigObjects | undefined,
  ) {
    this.name = PLUGIN_DIR[kind];
  }

  handles(v: Volume): boolean {
    return v[this.kind] !== undefined;
  }

  /** On tmpfs: everything but configMap (the kubelet's wrapped emptyDir is memory-backed for these). */
  get onTmpfs(): boolean {
    return this.kind !== "configMap";
  }

  private dir(pod: Pod, v: Volume): string {
    return this.layout.volumeDir(pod.metadata.uid!, this.name, v.name);
  }

  async setup(pod: Pod, v: Volume): Promise<PreparedVolume> {
    // The payload first: a missing object fails the mount before anything is made on the host.
    const payload = await this.payload(pod, v);
    const dir = this.dir(pod, v);
    const owner = pod.metadata.uid;
    await this.runner.mkdir(dir, owner);
    if (this.onTmpfs) {
      if (!isMountPoint(dir)) {
        const options = ["nosuid", "nodev", `size=${tmpfsSize(v)}`];
        await mount(this.runner, { source: "tmpfs", target: dir, type: "tmpfs", options }, owner);
      }
    } else {
      await fsp.chmod(dir, 0o777);
    }
    await this.write(pod, v, dir, payload);
    return { hostPath: dir, readOnly: true };
  }

  /** Writes the payload again from the objects as they are now; the volume must be set up. */
  async refresh(pod: Pod, v: Volume): Promise<boolean> {
    const dir = this.dir(pod, v);
    return this.write(pod, v, dir, await this.payload(pod, v));
  }

  async teardown(pod: Pod, v: Volume): Promise<void> {
    const dir = this.dir(pod, v);
    this.written.delete(dir);
    if (this.onTmpfs) await unmount(this.runner, dir, pod.metadata.uid);
    await fsp.rm(dir, { recursive: true, force: true });
  }

  private async write(pod: Pod, v: Volume, dir: string, payload: Payload): Promise<boolean> {
    // Config volumes apply fsGroup on every write, whatever fsGroupChangePolicy says (configmap.go passes nil).
    const fsGroup = fsGroupOf(pod.spec.securityContext, true);
    const policy = fsGroup && { ...fsGroup, changePolicy: undefined };
    const digest = payloadDigest(payload, policy?.gid);
    if (this.written.get(dir) === digest) return false;
    try {
      const changed = await writeAtomically(dir, payload, { setPerms: policy ? async () => void (await setVolumeOwnership(dir, policy)) : undefined });
      this.written.set(dir, digest);
      return changed;
    } catch (err) {
      this.written.delete(dir);
      throw new VolumeError(v.name, (err as Error).message);
    }
  }

  /** The volume's payload from the current objects; a failure is the kubelet's FailedMount message. */
  private async payload(pod: Pod, v: Volume): Promise<Payload> {
    const objects = this.objects();
    const ns = pod.metadata.namespace ?? "default";
    try {
      if (!objects && this.kind !== "downwardAPI") throw new ProjectionError("the node has no API objects to read");
      switch (this.kind) {
        case "configMap": {
          const src = v.configMap!;
          return configMapPayload(objects!.configMap(ns, src.name), src, src.defaultMode ?? DEFAULT_MODE);
        }
        case "secret": {
          const src = v.secret!;
          return secretPayload(objects!.secret(ns, src.secretName), { ...src, name: src.secretName }, src.defaultMode ?? DEFAULT_MODE);
        }
        case "downwardAPI":
          return downwardAPIPayload(pod, v.downwardAPI!.items, v.downwardAPI!.defaultMode ?? DEFAULT_MODE, objects?.allocatable?.());
        case "projected":
          return await this.projected(pod, v, objects!);
      }
    } catch (err) {
      if (err instanceof ProjectionError) throw new VolumeError(v.name, err.message);
      throw err;
    }
  }

  private async projected(pod: Pod, v: Volume, objects: ConfigObjects): Promise<Payload> {
    const ns = pod.metadata.namespace ?? "default";
    const sources = v.projected?.sources ?? [];
    const configMaps = new Map(sources.filter((s) => s.configMap).map((s) => [s.configMap!.name, objects.configMap(ns, s.configMap!.name)]));
    const secrets = new Map(sources.filter((s) => s.secret).map((s) => [s.secret!.name, objects.secret(ns, s.secret!.name)]));
    const tokens = new Map<number, IssuedToken | Error>();
    for (const [i, s] of sources.entries()) {
      if (s.serviceAccountToken) tokens.set(i, await this.token(s.serviceAccountToken, pod, objects).catch((e: Error) => e));
    }
    const sc = pod.spec.securityContext;
    const fsOwned = sc?.fsGroup !== undefined || sc?.runAsUser !== undefined;
    return projectedPayload(pod, sources, v.projected?.defaultMode ?? DEFAULT_MODE, { configMaps, secrets, tokens, fsOwned, allocatable: objects.allocatable?.() });
  }

  /** The issuer keeps a token until it needs refreshing (the kubelet's token manager), so every sync may ask. */
  private async token(src: { audience?: string; expirationSeconds?: number; path: string }, pod: Pod, objects: ConfigObjects): Promise<IssuedToken> {
    if (!objects.tokens) {
      throw new Error(`cannot issue a service account token for "${src.path}": this node has no token issuer (service account tokens are not enabled)`);
    }
    return objects.tokens.issue(pod, src.audience, src.expirationSeconds ?? 3600);
  }
}

function payloadDigest(payload: Payload, gid: number | undefined): string {
  const h = createHash("sha256").update(`gid ${gid ?? "-"}\n`);
  for (const p of [...payload.keys()].sort()) {
    const f = payload.get(p)!;
    h.update(`${p.length}:${p}:${f.mode}:${f.data.length}:`).update(f.data);
  }
  return h.digest("hex");
}

/** The four configuration plugins, reading objects through `objects` (set once the node's store is open). */
export function configVolumePlugins(layout: VolumePaths, runner: Runner, objects: () => ConfigObjects | undefined): ConfigVolumePlugin[] {
  return (["configMap", "secret", "downwardAPI", "projected"] as const).map((k) => new ConfigVolumePlugin(k, layout, runner, objects));
}
