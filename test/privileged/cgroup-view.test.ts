/**
 * The container's view of cgroups and sysfs, from inside real containers: its own cgroup namespace (every line of
 * /proc/self/cgroup is "/", for its init and for an exec'd process), its own cgroups read-only at /sys/fs/cgroup
 * with its own limits in them, and for hostNetwork pods a fresh read-only sysfs rather than a bind of the host's.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Container, Pod } from "../../src/api/types.js";
import { MASKED_PATHS } from "../../src/runtime/container-launch.js";
import { mkdirSync, readFileSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import { parseCgroupMounts, parseProcCgroup } from "../../src/sys/cgroups/detect.js";
import { needsRoot } from "../helpers/root.js";
import { runContainer, Scratch } from "../helpers/shim-harness.js";
import { makeRuntime, runToExit, startPod, testPod, type RuntimeHarness } from "../helpers/runtime-harness.js";

const skip = needsRoot();

describe("the container's cgroup and sysfs view (privileged)", { skip }, () => {
  let h: RuntimeHarness;
  before(async () => {
    h = await makeRuntime({ name: "cgview" });
  });
  after(async () => {
    await h?.cleanup();
  });

  async function run(script: string, c: Partial<Container> = {}, spec: Partial<Pod["spec"]> = {}): Promise<string> {
    return (await runToExit(h, testPod([{ command: ["sh", "-c", script], ...c }], spec))).out;
  }

  test("/proc/self/cgroup shows no host path; /sys/fs/cgroup holds the container's own cgroups, read-only, its limit in them", async () => {
    const limitFile = h.cgroups.version === 1 ? "memory/memory.limit_in_bytes" : "memory.max";
    const out = await run(
      `cut -d: -f3 /proc/self/cgroup | sort -u; echo ---; ls /sys/fs/cgroup | tr '\\n' ' '; echo; cat /sys/fs/cgroup/${limitFile}; ` +
        "mkdir /sys/fs/cgroup/x 2>/dev/null && echo WRITABLE; grep ' /sys/fs/cgroup' /proc/self/mountinfo | grep -c ' ro,'",
      { resources: { limits: { memory: "64Mi" } } },
    );
    const [paths, rest] = out.split("---\n");
    assert.equal(paths.trim(), "/", `every hierarchy shows the namespace root: ${paths}`);
    const [names, limit, roMounts] = rest.trim().split("\n");
    if (h.cgroups.version === 1) {
      for (const c of ["cpu", "memory", "pids"]) assert.ok(names.split(" ").includes(c), `${c} in ${names}`);
      assert.ok(!names.split(" ").includes("freezer"), "no hierarchy the container is not placed in");
    } else {
      assert.match(names, /memory\.max/);
    }
    assert.equal(limit, "67108864", "the container's own limit");
    assert.doesNotMatch(out, /WRITABLE/);
    assert.ok(Number(roMounts) >= 1, "mounted read-only");
  });

  test("an exec'd process joins the container's cgroup namespace", async () => {
    const pod = testPod([{ command: ["sleep", "60"] }]);
    try {
      const [rec] = await startPod(h, pod);
      const session = await h.runtime.exec(rec.id, { command: ["sh", "-c", "cut -d: -f3 /proc/self/cgroup | sort -u"], stdin: false, stdout: true, stderr: true, tty: false });
      let out = "";
      session.stdout?.on("data", (d: Buffer) => (out += d.toString()));
      await session.exit;
      assert.equal(out.trim(), "/");
    } finally {
      await h.runtime.removeSandbox(pod.metadata.uid!);
    }
  });

  test("hostNetwork: /sys is a fresh read-only sysfs (the host's interfaces, none of the host's submounts)", async () => {
    const out = await run("awk '$5 ~ \"^/sys\" {print $4, $5, $6}' /proc/self/mountinfo; echo ---; ls /sys/class/net | grep -c .; touch /sys/x 2>/dev/null && echo WRITABLE", {}, { hostNetwork: true });
    const [mounts, rest] = out.split("---\n");
    const lines = mounts.trim().split("\n");
    const sys = lines.find((l) => l.split(" ")[1] === "/sys");
    assert.ok(sys, out);
    assert.equal(sys.split(" ")[0], "/", `the root of a sysfs instance, not a bind of a host path: ${sys}`);
    assert.match(sys.split(" ")[2], /^ro,/);
    // Below /sys only the container's own cgroup view and the masked paths: no host debugfs, tracefs or cgroup mounts.
    for (const l of lines.filter((x) => x !== sys)) {
      const at = l.split(" ")[1];
      assert.ok(at.startsWith("/sys/fs/cgroup") || MASKED_PATHS.includes(at), l);
    }
    assert.ok(Number(rest.trim().split("\n")[0]) > 1, "the host's interfaces are listed");
    assert.doesNotMatch(out, /WRITABLE/);
  });
});

/** The cgroup2 mount and this process's directory in it (hybrid hosts mount it at /sys/fs/cgroup/unified). */
function ownV2Dir(): string | undefined {
  const mount = parseCgroupMounts(readFileSync("/proc/self/mountinfo", "utf8")).find((m) => m.fsType === "cgroup2");
  const own = parseProcCgroup(readFileSync("/proc/self/cgroup", "utf8")).find((e) => e.controllers.length === 0);
  return mount && own ? join(mount.mountPoint, own.path) : undefined;
}

describe("cgroup v2 view, through the shim (privileged)", { skip: skip || (ownV2Dir() ? false : "no cgroup2 hierarchy mounted") }, () => {
  test("--cgroupfs cgroup2: /proc/self/cgroup is 0::/, /sys/fs/cgroup is the container's cgroup2 directory, read-only", async () => {
    await Scratch.with(async (s) => {
      const cg = join(ownV2Dir()!, `shimtest-view-${process.pid}`);
      mkdirSync(cg);
      try {
        const script = "grep '^0::' /proc/self/cgroup; cat /sys/fs/cgroup/cgroup.procs | wc -l; ls /sys/fs/cgroup | grep -c '^shimtest-'; mkdir /sys/fs/cgroup/x 2>/dev/null && echo WRITABLE; echo end";
        const r = await runContainer(s, { cmd: ["sh", "-c", script], flags: ["--cgroup", cg, "--cgroupfs", "cgroup2"] });
        // Its own cgroup, as "/", holding the container's processes (sh and the pipeline's), no sibling cgroups.
        const [line, procs, siblings, end] = r.stdout.trim().split("\n");
        assert.equal(line, "0::/");
        assert.ok(Number(procs) >= 1, r.stdout);
        assert.equal(siblings, "0");
        assert.equal(end, "end", r.stdout);
      } finally {
        rmdirSync(cg);
      }
    });
  });
});
