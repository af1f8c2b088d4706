/**
 * The process an ephemeral container's targetContainerName names, whose PID namespace it joins (the kubelet's
 * NamespaceMode TARGET). The pid comes from the container record; between the target's exit and the record saying
 * so the pid may already belong to another process, whose namespace would be joined: the process is checked to be
 * the one the record started (its start time, /proc/PID/stat field 22) before the pid is used.
 */
import type { Container, EphemeralContainer, Pod } from "../api/types.js";
import { ContainerStartError, type ContainerRecord } from "./pod-runtime.js";

/**
 * The target's host pid, or undefined when the container joins no target's namespace (no target, or the pod shares
 * one PID namespace anyway). Throws ContainerStartError (CreateContainerError) when the target is not running or its
 * pid no longer names its process. `startTimeOf` reads a pid's start time (undefined: no such process, or a zombie).
 */
export function ephemeralTargetPid(
  pod: Pod,
  c: Container,
  records: readonly ContainerRecord[],
  startTimeOf: (pid: number) => number | undefined,
): number | undefined {
  const target = (c as EphemeralContainer).targetContainerName;
  if (!target || pod.spec.hostPID || pod.spec.shareProcessNamespace) return undefined;
  const running = records
    .filter((r) => r.name === target && r.state === "running" && r.pid !== undefined)
    .sort((a, b) => b.attempt - a.attempt)[0];
  if (!running) throw new ContainerStartError("CreateContainerError", `target container "${target}" is not running`);
  const pid = running.pid!;
  const now = startTimeOf(pid);
  if (now === undefined || (running.pidStartTime !== undefined && now !== running.pidStartTime)) {
    throw new ContainerStartError(
      "CreateContainerError",
      `target container "${target}" is not running: its process (pid ${pid}) has exited` +
        (now === undefined ? "" : " and the pid now names another process, whose namespace is not joined"),
    );
  }
  return pid;
}
