/**
 * Devices and kernel files, attacked from inside real containers with the static probe (helpers/attack-probe.c):
 * a default pod may make any device node (CAP_MKNOD) but open only runc's allowlist (the cgroup v1 devices
 * controller, or on cgroup v2 a BPF_CGROUP_DEVICE program the shim attaches); nodes it makes in its root or a volume
 * open nothing (nodev); a privileged pod opens anything and sees the host's devices; /proc/sys and sysrq-trigger are
 * read-only; `ip link add` is refused. Each asserts the refusal and an unchanged host.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import type { Container, Pod } from "../../src/api/types.js";
import { DEFAULT_DEVICE_RULES } from "../../src/runtime/devices.js";
import { parseCgroupMounts, parseProcCgroup } from "../../src/sys/cgroups/detect.js";
import { buildProbe } from "../helpers/attack-probe.js";
import { needsRoot } from "../helpers/root.js";
import { makeRuntime, runToExit, testPod, type RuntimeHarness } from "../helpers/runtime-harness.js";
import { runContainer, Scratch } from "../helpers/shim-harness.js";

const skip = needsRoot();

/**
 * The probe's steps: a char device (fuse, 10:229) and a block device (loop0, 7:0) made in the container's /dev, then
 * opened. Both open for a process with the default capabilities when nothing else stops it (kmsg or mem would not:
 * their drivers want CAP_SYSLOG, CAP_SYS_RAWIO), so a refusal here is the device cgroup's.
 */
const FUSE = ["mknod-open", "/dev/fuse2", "c", "10", "229"];
const LOOP = ["mknod-open", "/dev/loop0x", "b", "7", "0"];

describe("devices against attacks from a pod (privileged)", { skip }, () => {
  let h: RuntimeHarness;
  let probeDir: string;
  before(async () => {
    h = await makeRuntime({ name: "devices" });
    probeDir = buildProbe(join(h.root, "probe"));
  });
  after(async () => {
    await h?.cleanup();
  });

  /** Runs a shell line in a pod with the probe at /probe/attack-probe; returns its output. */
  async function inPod(script: string, c: Partial<Container> = {}, spec: Partial<Pod["spec"]> = {}, check?: (cgroupDirs: string[]) => void) {
    const pod = testPod(
      [{ command: ["sh", "-c", script], volumeMounts: [{ name: "probe", mountPath: "/probe", readOnly: true }, { name: "scratch", mountPath: "/vol" }], ...c }],
      { volumes: [{ name: "probe", hostPath: { path: probeDir } }, { name: "scratch", emptyDir: {} }], ...spec },
    );
    const { out } = await runToExit(h, pod, { onStarted: ([rec]) => check?.(h.cgroups.dirs(rec.cgroupPath)) });
    return out;
  }

  test("a default pod's cgroup allows only runc's device set (v1 devices.list, or a v2 device program)", async () => {
    await inPod("true", {}, {}, (dirs) => {
      if (h.cgroups.version === 1) {
        const dir = dirs.find((d) => d.includes("/devices/"));
        assert.ok(dir, `a devices cgroup among ${dirs.join(" ")}`);
        const list = readFileSync(join(dir, "devices.list"), "utf8").trim().split("\n").sort();
        assert.deepEqual(list, [...DEFAULT_DEVICE_RULES].sort());
      } else {
        const progs = execFileSync("bpftool", ["cgroup", "list", dirs[0]], { encoding: "utf8" });
        assert.match(progs, /cgroup_device/);
      }
    });
  });

  test("mknod of a char (fuse) and a block (loop0) device succeeds, opening them is refused by the device cgroup; allowed nodes open", async () => {
    const out = await inPod(`/probe/attack-probe ${FUSE.join(" ")}; /probe/attack-probe ${LOOP.join(" ")}; /probe/attack-probe mknod-open /dev/null2 c 1 3`);
    // Each block of two lines: mknod, open. /dev is the container's own tmpfs (not nodev), so only the cgroup refuses.
    assert.deepEqual(out.trim().split("\n"), ["mknod ok", "open EPERM", "mknod ok", "open EPERM", "mknod ok", "open ok"]);
    assert.equal(existsSync("/dev/fuse2"), false, "the nodes stayed in the container's /dev");
    assert.equal(existsSync("/dev/loop0x"), false);
  });

  test("nodev: an allowed node made in the root filesystem or a volume opens nothing (EACCES)", async () => {
    const out = await inPod("/probe/attack-probe mknod-open /tmp/null3 c 1 3; /probe/attack-probe mknod-open /vol/null4 c 1 3");
    assert.deepEqual(out.trim().split("\n"), ["mknod ok", "open EACCES", "mknod ok", "open EACCES"]);
  });

  test("privileged: every device opens, and the host's device nodes are in its /dev", async () => {
    const hostLoop = existsSync("/dev/loop0");
    const out = await inPod(`/probe/attack-probe ${FUSE.join(" ")}; ${hostLoop ? "/probe/attack-probe open /dev/loop0" : "echo open ok"}`, { securityContext: { privileged: true } });
    assert.deepEqual(out.trim().split("\n"), ["mknod ok", "open ok", "open ok"]);
  });

  test("core_pattern and sysrq-trigger cannot be written; the host's core_pattern is unchanged", async () => {
    const before = readFileSync("/proc/sys/kernel/core_pattern", "utf8");
    const out = await inPod("/probe/attack-probe write /proc/sys/kernel/core_pattern '|/tmp/pwn'; /probe/attack-probe write /proc/sysrq-trigger h");
    const [core, sysrq] = out.trim().split("\n");
    assert.equal(core, "open EROFS");
    // This VM has no /proc/sysrq-trigger (ENOENT); where it exists it is bound read-only (EROFS).
    assert.match(sysrq, /^open (EROFS|ENOENT)$/);
    assert.equal(readFileSync("/proc/sys/kernel/core_pattern", "utf8"), before);
  });

  test("ip link add is refused (no CAP_NET_ADMIN); neither the pod's nor the host's links change", async () => {
    // Other sessions add and remove their own links all the time: the host is checked for the attacker's link.
    const hostHasPwn = () => execFileSync("ip", ["-o", "link", "show"], { encoding: "utf8" }).includes(" pwn0");
    assert.equal(hostHasPwn(), false);
    // 2>&1: the refusal comes on stdout, in order; on its own stream it could arrive after the count.
    const out = await inPod("ip link add name pwn0 type bridge 2>&1; echo rc=$?; ip -o link show | wc -l");
    assert.match(out, /Operation not permitted/);
    assert.match(out, /rc=[1-9]/);
    assert.equal(out.trim().split("\n").pop(), "1", "only lo in the pod");
    assert.equal(hostHasPwn(), false);
  });
});

/** The cgroup2 mount and this process's directory in it (hybrid hosts mount it at /sys/fs/cgroup/unified). */
function ownV2Dir(): string | undefined {
  const mount = parseCgroupMounts(readFileSync("/proc/self/mountinfo", "utf8")).find((m) => m.fsType === "cgroup2");
  const own = parseProcCgroup(readFileSync("/proc/self/cgroup", "utf8")).find((e) => e.controllers.length === 0);
  return mount && own ? join(mount.mountPoint, own.path) : undefined;
}

describe("cgroup v2 device program, through the shim (privileged)", { skip: skip || (ownV2Dir() ? false : "no cgroup2 hierarchy mounted") }, () => {
  test("the shim attaches a BPF_CGROUP_DEVICE program: fuse refused, null allowed; without it fuse opens", async () => {
    await Scratch.with(async (s) => {
      const probe = buildProbe(s.path("probe"));
      const cg = join(ownV2Dir()!, `shimtest-dev-${process.pid}`);
      mkdirSync(cg);
      try {
        const cmd = ["sh", "-c", `/probe/attack-probe ${FUSE.join(" ")}; /probe/attack-probe open /dev/null`];
        const devices = ["--device-cgroup", cg, ...DEFAULT_DEVICE_RULES.flatMap((r) => ["--device", r])];
        const filtered = await runContainer(s, { name: "f", cmd, flags: ["--bind", probe, "/probe", "ro", "--cgroup", cg, ...devices] });
        // The attachment stays with the cgroup (until rmdir): BPF_PROG_QUERY through bpftool sees it.
        assert.match(execFileSync("bpftool", ["cgroup", "list", cg], { encoding: "utf8" }), /cgroup_device/);
        assert.equal(filtered.stdout, "mknod ok\nopen EPERM\nopen ok\n");
      } finally {
        rmdirSync(cg);
      }
      // The same container without the program: the kernel itself lets it open fuse, so the refusal was the program's.
      const free = await runContainer(s, { name: "u", cmd: ["/probe/attack-probe", ...FUSE], flags: ["--bind", probe, "/probe", "ro"] });
      assert.equal(free.stdout, "mknod ok\nopen ok\n");
    });
  });
});
