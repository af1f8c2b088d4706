/**
 * What a crash can leave behind, found and removed when the runtime starts: a daemon killed between making a
 * cgroup, a mount or a pause process and persisting the record that names it leaves host state no record owns.
 * Owned means: a pod with a sandbox record, a container with a container record. Everything else under our roots
 * goes — processes in orphaned pod or container cgroups (the pause process holding the pod's namespaces, so the
 * namespaces go with it), the cgroups, mounts under orphaned pod directories, the directories, and exit records.
 * A held pod (a record exists but could not be read: records.ts) is not an orphan: nothing of it is touched, and
 * while any pod is held no exit record is removed (its containers' ids may be unknown).
 */
import { promises as fsp } from "node:fs";
import { join } from "node:path";
import type { CgroupManager } from "../sys/cgroups/types.js";
import { mountPoints, unmount } from "../sys/mounts.js";
import { signalProcess } from "../sys/proc.js";
import type { Runner } from "../sys/runner.js";
import type { Layout } from "./layout.js";

export interface OrphanScope {
  layout: Layout;
  runner: Runner;
  cgroups: CgroupManager;
  /** Pod uids with a sandbox record. */
  pods: Set<string>;
  /** Container ids with a record. */
  containers: Set<string>;
  /** Pod uids whose records exist but could not be read: left alone entirely. */
  held: ReadonlySet<string>;
}

const POD_CGROUP = /^pod([0-9a-f-]{32,36})$/;

/**
 * Pod cgroups under the parent: `podUID` directly or one level down (the kubelet decides the level, by QoS class:
 * kubelet/pod-cgroup.ts), with the uid each names.
 */
async function podCgroups(cgroups: CgroupManager): Promise<{ path: string; uid: string }[]> {
  const found: { path: string; uid: string }[] = [];
  for (const name of await cgroups.children("").catch(() => [] as string[])) {
    const m = POD_CGROUP.exec(name);
    if (m) {
      found.push({ path: name, uid: m[1] });
      continue;
    }
    for (const leaf of await cgroups.children(name).catch(() => [] as string[])) {
      const l = POD_CGROUP.exec(leaf);
      if (l) found.push({ path: `${name}/${leaf}`, uid: l[1] });
    }
  }
  return found;
}

/** Removes every orphan; returns what it removed, one line each, for the log. */
export async function removeOrphans(s: OrphanScope): Promise<string[]> {
  const removed: string[] = [];
  for (const { path, uid } of await podCgroups(s.cgroups)) {
    if (s.held.has(uid)) continue;
    if (!s.pods.has(uid)) {
      await emptyCgroup(s, path);
      await s.cgroups.remove(path);
      removed.push(`cgroup ${path}`);
      continue;
    }
    for (const child of await s.cgroups.children(path).catch(() => [] as string[])) {
      if (child === "pause" || s.containers.has(child)) continue;
      await emptyCgroup(s, `${path}/${child}`);
      await s.cgroups.remove(`${path}/${child}`);
      removed.push(`cgroup ${path}/${child}`);
    }
  }
  removed.push(...(await removeOrphanPodDirs(s)));
  removed.push(...(await removeOrphanExitRecords(s)));
  return removed;
}

/** Kills every process in the cgroup and below it, and waits (briefly) for them to be gone. */
async function emptyCgroup(s: OrphanScope, path: string): Promise<void> {
  for (let round = 0; round < 50; round++) {
    const pids = await allProcs(s.cgroups, path);
    if (pids.length === 0) return;
    for (const pid of pids) signalProcess(s.runner, pid, "SIGKILL");
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function allProcs(cgroups: CgroupManager, path: string): Promise<number[]> {
  const own = await cgroups.procs(path).catch(() => [] as number[]);
  const kids = await cgroups.children(path).catch(() => [] as string[]);
  const nested = await Promise.all(kids.map((k) => allProcs(cgroups, `${path}/${k}`)));
  return [...own, ...nested.flat()];
}

async function removeOrphanPodDirs(s: OrphanScope): Promise<string[]> {
  const removed: string[] = [];
  const mounts = mountPoints();
  for (const uid of await fsp.readdir(s.layout.podsDir).catch(() => [] as string[])) {
    const dir = s.layout.podDir(uid);
    if (s.held.has(uid)) continue;
    if (s.pods.has(uid)) {
      removed.push(...(await removeOrphanContainerDirs(s, uid)));
      continue;
    }
    // Deepest first, so nested mounts (a volume under the pod dir) come off before their parents.
    for (const m of mounts.filter((p) => p.startsWith(`${dir}/`)).sort((a, b) => b.length - a.length)) {
      await unmount(s.runner, m);
      removed.push(`mount ${m}`);
    }
    await fsp.rm(dir, { recursive: true, force: true });
    removed.push(`pod directory ${dir}`);
  }
  return removed;
}

async function removeOrphanContainerDirs(s: OrphanScope, uid: string): Promise<string[]> {
  const base = join(s.layout.podDir(uid), "containers");
  const removed: string[] = [];
  for (const id of await fsp.readdir(base).catch(() => [] as string[])) {
    if (s.containers.has(id)) continue;
    await fsp.rm(join(base, id), { recursive: true, force: true });
    removed.push(`container directory ${join(base, id)}`);
  }
  for (const f of await fsp.readdir(s.layout.podRunDir(uid)).catch(() => [] as string[])) {
    const id = f.replace(/\.env\.json$/, "");
    if (id === f || s.containers.has(id)) continue;
    await fsp.rm(join(s.layout.podRunDir(uid), f), { force: true });
    removed.push(`container environment ${f}`);
  }
  return removed;
}

async function removeOrphanExitRecords(s: OrphanScope): Promise<string[]> {
  const removed: string[] = [];
  if (s.held.size > 0) return removed;
  for (const f of await fsp.readdir(s.layout.exitsDir).catch(() => [] as string[])) {
    const id = f.replace(/\.json$/, "");
    if (!f.endsWith(".json") || s.containers.has(id)) continue;
    await fsp.rm(join(s.layout.exitsDir, f), { force: true });
    removed.push(`exit record ${f}`);
  }
  return removed;
}
