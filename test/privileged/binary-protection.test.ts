/**
 * The host's shim binary cannot be reached writable from a container (CVE-2019-5736 class), and what a container's
 * process starts with (fds, working directory) is only what it should be (CVE-2024-21626).
 *
 * The runtime here runs its own copy of the shim, without the spawner (which runs from the host's file): so while
 * the attack writes, no process at all runs that file and ETXTBSY cannot be what stops it.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ContainerStartError } from "../../src/runtime/pod-runtime.js";
import { needsRoot } from "../helpers/root.js";
import { containerOutput, makeRuntime, shimPath, startPod, testPod, waitExited, type RuntimeHarness } from "../helpers/runtime-harness.js";
import { waitFor as waitForCondition } from "../helpers/wait.js";

const skip = needsRoot();

const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

const waitFor = (what: string, check: () => boolean, timeoutMs = 20_000) => waitForCondition(what, check, timeoutMs, 20);

/** Host processes whose executable is file. */
function processesRunning(file: string): number[] {
  return readdirSync("/proc").filter((n) => /^\d+$/.test(n)).filter((n) => {
    try {
      return readlinkSync(`/proc/${n}/exe`) === file;
    } catch {
      return false;
    }
  }).map(Number);
}

/** A process's fds as number → link target. */
function fds(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const fd of readdirSync(`/proc/${pid}/fd`)) out[fd] = readlinkSync(`/proc/${pid}/fd/${fd}`);
  return out;
}

/** True when the process's working directory is `dir` of its own root (compared by device and inode). */
function cwdIs(pid: number, dir: string): boolean {
  const cwd = statSync(`/proc/${pid}/cwd`);
  const want = statSync(join(`/proc/${pid}/root`, dir));
  return cwd.dev === want.dev && cwd.ino === want.ino;
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").split(" ").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

// Watches its PID namespace for a process that is not busybox (the exec helper, or a command that became the shim
// through a `#!/proc/self/exe` line), takes a handle on its executable (CAP_SYS_PTRACE reaches even a non-dumpable
// process), and once told to (/sig/go) reopens that handle for writing, as the CVE-2019-5736 exploit does.
const ATTACKER = `
printf '#!/proc/self/exe spawner\\n' > /evil && chmod 755 /evil
found=
while [ -z "$found" ]; do
  for p in /proc/[0-9]*; do
    e=$(readlink $p/exe 2>/dev/null) || continue
    if [ -n "$e" ] && [ "$e" != /bin/busybox ] && exec 3< $p/exe; then found=$e; break; fi
  done
  [ -n "$found" ] || sleep 0.01
done
echo "$found" > /sig/handle
while [ ! -e /sig/go ]; do sleep 0.02; done
if echo PWNED > /proc/self/fd/3; then echo written > /sig/result; else echo refused > /sig/result; fi
sleep 3600
`;

describe("binary protection, fds and working directory (privileged)", { skip }, () => {
  let h: RuntimeHarness;
  let dir: string;
  let shimCopy: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nodelet-binprot-"));
    shimCopy = join(dir, "nodelet-shim");
    copyFileSync(shimPath(), shimCopy);
    h = await makeRuntime({ name: "binprot", shim: shimCopy, spawner: false });
  });
  after(async () => {
    await h?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  test("a #!/proc/self/exe command run by exec, and a handle on the exec helper, cannot write the host's shim binary", async () => {
    const sig = join(dir, "sig");
    const before = sha256(shimCopy);
    const pod = testPod([{
      command: ["sh", "-c", ATTACKER], volumeMounts: [{ name: "sig", mountPath: "/sig" }],
      securityContext: { capabilities: { add: ["SYS_PTRACE"] } },
    }], { volumes: [{ name: "sig", hostPath: { path: sig, type: "DirectoryOrCreate" } }] });
    const [c] = await startPod(h, pod);
    await waitFor("/evil written", () => existsSync(join(h.layout.containerDir(pod.metadata.uid!, c.id), "upper/evil")));
    // An exec whose helper (the shim, in the container's PID namespace) lives until its stdin closes.
    const s = await h.runtime.exec(c.id, { command: ["cat"], stdin: true, stdout: true, stderr: true, tty: false });
    await waitFor("the attacker's handle", () => existsSync(join(sig, "handle")));
    assert.equal(readFileSync(join(sig, "handle"), "utf8").trim(), "/memfd:nodelet-shim (deleted)", "the handle is on the sealed copy");
    // The exec'd command is /evil: the kernel looks up its interpreter, /proc/self/exe, as the exec's own process,
    // which is the shim until that execve. This kernel refuses (ENOENT: the shim is outside the container's mounts).
    const evil = await h.runtime.exec(c.id, { command: ["/evil"], stdin: false, stdout: true, stderr: true, tty: false });
    let evilErr = "";
    evil.stderr!.on("data", (d: Buffer) => (evilErr += d.toString()));
    const evilCode = await evil.exit;
    assert.ok(evilCode === 0 || /no such file or directory/.test(evilErr), `exit ${evilCode}: ${evilErr}`);
    s.stdin!.end();
    await s.exit;
    const running = processesRunning(shimCopy).map((p) => `${p}: ${readFileSync(`/proc/${p}/cmdline`, "utf8").replace(/\0/g, " ")}`);
    assert.deepEqual(running, [], "no process runs the host's file: ETXTBSY cannot stop the write");
    writeFileSync(join(sig, "go"), "");
    await waitFor("the attacker's write", () => existsSync(join(sig, "result")));
    assert.equal(readFileSync(join(sig, "result"), "utf8").trim(), "refused");
    assert.equal(sha256(shimCopy), before, "the host's shim binary is unchanged");
    await h.runtime.removeSandbox(pod.metadata.uid!);
  });

  test("a container's process and an exec'd one start with fds 0-2 only and their working directory inside the root", async () => {
    const pod = testPod([{ command: ["sleep", "3600"], workingDir: "/tmp" }]);
    const [c] = await startPod(h, pod);
    const started = fds(c.pid!);
    assert.deepEqual(Object.keys(started).sort(), ["0", "1", "2"], JSON.stringify(started));
    assert.equal(started["0"], "/dev/null");
    assert.ok(cwdIs(c.pid!, "/tmp"), "the container's cwd is its /tmp");

    const s = await h.runtime.exec(c.id, { command: ["sleep", "30"], stdin: false, stdout: true, stderr: true, tty: false });
    try {
      // The exec's command: the child of the helper (nodelet-exec) in the container's PID namespace.
      let cmd = 0;
      await waitFor("the exec'd sleep", () => {
        const ns = readlinkSync(`/proc/${c.pid}/ns/pid`);
        cmd = readdirSync("/proc").filter((n) => /^\d+$/.test(n)).map(Number).find((p) => {
          try {
            return readlinkSync(`/proc/${p}/ns/pid`) === ns && readFileSync(`/proc/${p}/comm`, "utf8").trim() === "nodelet-exec" && childrenOf(p).length > 0;
          } catch {
            return false;
          }
        }) ?? 0;
        if (cmd) cmd = childrenOf(cmd)[0];
        return cmd > 0 && readFileSync(`/proc/${cmd}/cmdline`, "utf8") === "sleep\x0030\x00";
      });
      const execFds = fds(cmd);
      assert.deepEqual(Object.keys(execFds).sort(), ["0", "1", "2"], JSON.stringify(execFds));
      assert.ok(cwdIs(cmd, "/tmp"), "the exec'd command's cwd is the container's working directory");
      assert.equal(readFileSync(`/proc/${cmd}/status`, "utf8").match(/^NoNewPrivs:\s+(\d)/m)?.[1], "1");
    } finally {
      s.kill();
      await s.exit;
    }
    await h.runtime.removeSandbox(pod.metadata.uid!);
  });

  test("workingDir /proc/self/fd/N never leaves the container (CVE-2024-21626)", async () => {
    for (let n = 3; n <= 9; n++) {
      const pod = testPod([{ command: ["sh", "-c", "pwd"], workingDir: `/proc/self/fd/${n}` }], {});
      try {
        const [c] = await startPod(h, pod);
        const done = await waitExited(h, c.id, 20_000);
        if (done.exitCode === 0) {
          const out = await containerOutput(h, c.id);
          assert.match(out, /^\//, `fd ${n}: pwd printed ${out}`);
          assert.doesNotMatch(out, /unreachable/, `fd ${n}`);
        }
      } catch (err) {
        if (!(err instanceof ContainerStartError)) throw err;
      } finally {
        await h.runtime.removeSandbox(pod.metadata.uid!);
      }
    }
  });
});
