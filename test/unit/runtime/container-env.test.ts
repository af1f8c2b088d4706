import { test } from "node:test";
import assert from "node:assert/strict";
import type { Container, Pod } from "../../../src/api/types.js";
import { containerArgv, containerEnvironment, envReadsAllocatable, expandVars } from "../../../src/runtime/container-env.js";
import { buildContainerLaunch, capabilities, DEFAULT_CAPS, type LaunchInput } from "../../../src/runtime/container-launch.js";
import { monitorCommand } from "../../../src/runtime/shim-argv.js";
import { parseGroup, parsePasswd } from "../../../src/images/image-user.js";
import type { Image } from "../../../src/api/image.js";

const lookup = (vars: Record<string, string>) => (n: string) => vars[n];

test("$(VAR) expansion follows Kubernetes: defined, undefined, $$ escape, unterminated", () => {
  const v = lookup({ A: "1", B: "two" });
  assert.equal(expandVars("$(A)-$(B)", v), "1-two");
  assert.equal(expandVars("$(C)", v), "$(C)");
  assert.equal(expandVars("$$(A)", v), "$(A)");
  assert.equal(expandVars("cost $5 and $$", v), "cost $5 and $");
  assert.equal(expandVars("$(A", v), "$(A");
  assert.equal(expandVars("$(hostname)", v), "$(hostname)", "a shell command substitution passes through");
});

const pod: Pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web", namespace: "prod", uid: "u-1", labels: { app: "web" }, annotations: { note: "n" } },
  spec: { nodeName: "node1", serviceAccountName: "default", containers: [] },
};
const sources = { configMaps: { cfg: { mode: "fast" } }, secrets: { s: { pw: "hunter2" } }, podIP: "10.244.0.9", hostIP: "192.0.2.2", hostname: "web" };

test("env: image env first, then HOSTNAME, then the container's in order, each able to use earlier ones", () => {
  const c: Container = {
    name: "c",
    env: [
      { name: "PATH", value: "/opt/bin:$(PATH)" },
      { name: "GREETING", value: "hi" },
      { name: "MSG", value: "$(GREETING) $(NAME)" },
      { name: "NAME", value: "later" },
    ],
  };
  const env = containerEnvironment(pod, c, ["PATH=/usr/bin:/bin", "LANG=C"], sources);
  assert.deepEqual(env, ["PATH=/opt/bin:$(PATH)", "LANG=C", "HOSTNAME=web", "GREETING=hi", "MSG=hi $(NAME)", "NAME=later"]);
});

test("env: downward API, resource fields, ConfigMap and Secret keys", () => {
  const c: Container = {
    name: "c",
    resources: { limits: { cpu: "500m", memory: "64Mi" } },
    env: [
      { name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      { name: "NS", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
      { name: "APP", valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: "IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
      { name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
      { name: "CPU", valueFrom: { resourceFieldRef: { resource: "limits.cpu", divisor: "1m" } } },
      { name: "MEM", valueFrom: { resourceFieldRef: { resource: "limits.memory", divisor: "1Mi" } } },
      { name: "MODE", valueFrom: { configMapKeyRef: { name: "cfg", key: "mode" } } },
      { name: "PW", valueFrom: { secretKeyRef: { name: "s", key: "pw" } } },
      { name: "OPT", valueFrom: { configMapKeyRef: { name: "missing", key: "k", optional: true } } },
    ],
  };
  const env = containerEnvironment({ ...pod, spec: { ...pod.spec, containers: [c] } }, c, [], sources);
  assert.deepEqual(env.slice(1), ["POD=web", "NS=prod", "APP=web", "IP=10.244.0.9", "NODE=node1", "CPU=500", "MEM=64", "MODE=fast", "PW=hunter2"]);
});

test("env: a missing required ConfigMap is an error in the kubelet's words, naming the field", () => {
  const c: Container = { name: "c", env: [{ name: "X", valueFrom: { configMapKeyRef: { name: "nope", key: "k" } } }] };
  assert.throws(() => containerEnvironment(pod, c, [], sources), { message: 'configmap "nope" not found', field: "env[0].valueFrom.configMapKeyRef" });
});

test("argv: command and args against the image's Entrypoint and Cmd", () => {
  const image = { Entrypoint: ["/entry"], Cmd: ["default"] };
  assert.deepEqual(containerArgv({ name: "c" }, image, []), ["/entry", "default"]);
  assert.deepEqual(containerArgv({ name: "c", args: ["x"] }, image, []), ["/entry", "x"]);
  assert.deepEqual(containerArgv({ name: "c", command: ["/bin/sh"] }, image, []), ["/bin/sh"]);
  assert.deepEqual(containerArgv({ name: "c", command: ["/bin/sh"], args: ["-c", "echo $(GREETING)"] }, image, ["GREETING=hi"]), ["/bin/sh", "-c", "echo hi"]);
  assert.deepEqual(containerArgv({ name: "c" }, { Cmd: ["sh"] }, []), ["sh"]);
});

test("capabilities: containerd's defaults, plus add, minus drop, ALL in either", () => {
  assert.deepEqual(capabilities({ name: "c" }, "f"), DEFAULT_CAPS);
  const dropped = capabilities({ name: "c", securityContext: { capabilities: { drop: ["NET_RAW", "CAP_CHOWN"] } } }, "f");
  assert.ok(!dropped.includes("CAP_NET_RAW") && !dropped.includes("CAP_CHOWN") && dropped.includes("CAP_KILL"));
  assert.deepEqual(capabilities({ name: "c", securityContext: { capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } } }, "f"), ["CAP_NET_BIND_SERVICE"]);
  assert.deepEqual(capabilities({ name: "c", securityContext: { capabilities: { add: ["ALL"] } } }, "f"), ["ALL"]);
  assert.throws(() => capabilities({ name: "c", securityContext: { capabilities: { add: ["not a cap"] } } }, "spec.containers[0]"), /spec\.containers\[0\]\.securityContext\.capabilities\.add\[0\]/);
});

const image: Image = { id: "abc", tags: ["docker.io/library/busybox:latest"], repoDigests: [], created: "", size: 0, lowerDirs: ["/images/layers/abc"], local: true, config: { Cmd: ["sh"], Env: ["PATH=/bin"], WorkingDir: "/" } };

function input(c: Container, spec: Partial<Pod["spec"]> = {}): LaunchInput {
  const p: Pod = { ...pod, spec: { ...pod.spec, ...spec, containers: [c] } };
  return {
    pod: p,
    container: c,
    fieldPath: "spec.containers[0]",
    image,
    imageUsers: { passwd: parsePasswd("root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n"), group: parseGroup("root:x:0:\n") },
    id: "cid",
    paths: { rootfs: "/r", upper: "/u", work: "/w", exitFile: "/x", logPath: "/l", terminationLog: "/t", stdinFifo: "/in", controlFifo: "/ctl", hosts: "/h", hostname: "/hn", resolvConf: "/rc", shm: "/shm" },
    cgroupDirs: ["/cg"],
    oomFile: "/oom",
    sandboxPid: 42,
    volumes: new Map([["data", { hostPath: "/vol/data", readOnly: false }]]),
    env: sources,
    log: { maxSize: 1, maxFiles: 1 },
  };
}

test("launch: defaults are root, containerd's caps, no_new_privs, masked paths, sandbox namespaces, pod files", () => {
  const l = buildContainerLaunch(input({ name: "c" }));
  assert.deepEqual([l.uid, l.gid, l.noNewPrivs, l.privileged, l.readonlyRootfs], [0, 0, true, false, false]);
  assert.deepEqual(l.namespaces, [{ type: "net", path: "/proc/42/ns/net" }, { type: "uts", path: "/proc/42/ns/uts" }, { type: "ipc", path: "/proc/42/ns/ipc" }]);
  assert.ok(l.masked.includes("/proc/kcore") && l.readonly.includes("/proc/sys"));
  assert.deepEqual(l.mounts.map((m) => m.target), ["/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/dev/termination-log"]);
  assert.deepEqual(l.argv, ["sh"]);
});

test("launch: a claimed warm sandbox's hostname is set by the start (--uts-hostname after --ns uts), never for hostNetwork", () => {
  const plain = monitorCommand("/shim", buildContainerLaunch(input({ name: "c" })));
  assert.ok(!plain.spec.includes("--uts-hostname"), "no rename unless the sandbox still needs it");
  const spec = monitorCommand("/shim", buildContainerLaunch({ ...input({ name: "c" }), utsHostname: "web-0" })).spec;
  const at = spec.indexOf("--uts-hostname");
  assert.deepEqual(spec.slice(at, at + 2), ["--uts-hostname", "web-0"]);
  assert.ok(spec.indexOf("uts:/proc/42/ns/uts") < at, "the namespace it renames is joined");
  const host = buildContainerLaunch({ ...input({ name: "c" }, { hostNetwork: true }), utsHostname: "web-0" });
  assert.equal(host.utsHostname, undefined, "the host's own name is never changed");
});

test("launch: securityContext user/group, runAsNonRoot, readOnlyRootFilesystem, privileged, image USER by name", () => {
  const u = buildContainerLaunch(input({ name: "c", securityContext: { runAsUser: 1000, runAsGroup: 2000, readOnlyRootFilesystem: true } }, { securityContext: { supplementalGroups: [5], fsGroup: 7 } }));
  assert.deepEqual([u.uid, u.gid, u.groups, u.readonlyRootfs], [1000, 2000, [5, 7], true]);
  assert.throws(() => buildContainerLaunch(input({ name: "c", securityContext: { runAsNonRoot: true } })), /container has runAsNonRoot and image will run as root/);
  const p = buildContainerLaunch(input({ name: "c", securityContext: { privileged: true } }));
  assert.deepEqual([p.privileged, p.noNewPrivs, p.masked.length], [true, false, 0]);
  const named = buildContainerLaunch({ ...input({ name: "c" }), image: { ...image, config: { ...image.config, User: "app" } } });
  assert.deepEqual([named.uid, named.gid], [1000, 1001]);
  const escalate = buildContainerLaunch(input({ name: "c", securityContext: { allowPrivilegeEscalation: true } }));
  assert.equal(escalate.noNewPrivs, false);
});

test("launch: volume mounts with readOnly, propagation and subPath; parents before children; shared PID namespace", () => {
  const c: Container = {
    name: "c",
    volumeMounts: [
      { name: "data", mountPath: "/data/deep", subPath: "sub" },
      { name: "data", mountPath: "/data", readOnly: true, mountPropagation: "HostToContainer" },
    ],
  };
  const l = buildContainerLaunch(input(c, { shareProcessNamespace: true }));
  assert.deepEqual(l.mounts.slice(0, 2), [
    { kind: "bind", source: "/vol/data", target: "/data", options: ["ro", "rslave", "nodev"] },
    { kind: "bind-sub", volumeRoot: "/vol/data", subPath: "sub", target: "/data/deep", options: ["rw", "rprivate", "nodev"] },
  ]);
  assert.ok(l.mounts.every((m) => m.options.includes("nodev")), "every mount of a default container is nodev");
  const priv = buildContainerLaunch(input({ ...c, securityContext: { privileged: true } }));
  assert.ok(priv.mounts.every((m) => !m.options.includes("nodev")), "a privileged container's are not");
  assert.deepEqual(l.namespaces.at(-1), { type: "pid", path: "/proc/42/ns/pid" });
  assert.throws(() => buildContainerLaunch(input({ name: "c", volumeMounts: [{ name: "data", mountPath: "/d", subPath: "../etc" }] })), /escapes the volume/);
});

test("env: only a resourceFieldRef reads the node's allocatable (the kubelet looks it up for those alone)", () => {
  const limits: Container = { name: "c", env: [{ name: "MEM", valueFrom: { resourceFieldRef: { resource: "limits.memory" } } }] };
  const plain: Container = { name: "c", env: [{ name: "A", value: "1" }, { name: "NS", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } }] };
  assert.equal(envReadsAllocatable(limits), true);
  assert.equal(envReadsAllocatable(plain), false);
  assert.equal(envReadsAllocatable({ name: "c" }), false);
  const p = { ...pod, spec: { ...pod.spec, containers: [plain] } };
  assert.deepEqual(containerEnvironment(p, plain, [], sources), containerEnvironment(p, plain, [], { ...sources, allocatable: { memory: "1Gi" } }), "without one the allocatable changes nothing");
});
