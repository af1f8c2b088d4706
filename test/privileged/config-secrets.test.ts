/**
 * A Secret's bytes never reach the node's disk: with --encryption-provider-config the store holds only ciphertext,
 * the Secret's volume (and a projected volume with it) is a tmpfs, and an environment taken from it (secretKeyRef,
 * envFrom secretRef) lives on the pod's tmpfs, not in the container record — yet exec after a daemon kill -9 and
 * restart still runs with it. A value expanded into a container's command with $(VAR) is in no record either (the
 * explain file, the verbose daemon log, an exec error in the pod's status and its exit file). Proven by reading every
 * file under the state directory.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { needsRoot, skipUnless } from "../helpers/root.js";
import { eventually, suiteDaemon } from "../helpers/daemon.js";

const skip = skipUnless(needsRoot());

/** Every regular file under dir (not following links), with the tmpfs mounts it is below, if any. */
function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = lstatSync(p, { throwIfNoEntry: false });
    if (st?.isDirectory()) files(p, out);
    else if (st?.isFile()) out.push(p);
  }
  return out;
}

function tmpfsMounts(): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .filter((l) => l.split(" - ")[1]?.startsWith("tmpfs "))
    .map((l) => l.split(" ")[4]);
}

describe("Secrets stay off the disk (privileged)", { skip }, () => {
  const confDir = mkdtempSync(join(tmpdir(), "nodelet-enc-conf-"));
  const conf = join(confDir, "encryption.yaml");
  writeFileSync(
    conf,
    `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: ["secrets"]
    providers:
      - aesgcm:
          keys:
            - name: key1
              secret: ${randomBytes(32).toString("base64")}
      - identity: {}
`,
    { mode: 0o600 },
  );
  after(() => rmSync(confDir, { recursive: true, force: true }));
  const d = suiteDaemon("config-secrets", ["--encryption-provider-config", conf, "-v"]);
  const exec = async (script: string) => {
    const r = await d.cli(["exec", "holder", "-c", "c", "--", "sh", "-c", script]);
    assert.equal(r.code, 0, `${script}: ${r.stderr}`);
    return r.stdout;
  };

  test("volume, projected volume and env from a Secret: on tmpfs only, encrypted in the store, env kept across a restart", async () => {
    const value = `nodelet-secret-${randomBytes(12).toString("hex")}`;
    const b64 = Buffer.from(value).toString("base64");
    const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "db" }, data: { password: b64 } };
    assert.equal((await d.cli(["apply", "-f", "-"], JSON.stringify(secret))).code, 0);
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "holder" },
      spec: {
        terminationGracePeriodSeconds: 0,
        containers: [
          {
            name: "c",
            image: "busybox",
            command: ["sh", "-c", "sleep 3600 # $(DB_PASSWORD) $(S_password)"],
            env: [{ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } }],
            envFrom: [{ prefix: "S_", secretRef: { name: "db" } }],
            volumeMounts: [{ name: "sec", mountPath: "/sec" }, { name: "proj", mountPath: "/proj" }],
          },
          // Its command is the Secret: the exec error names it as the spec writes it.
          { name: "bad", image: "busybox", command: ["$(DB_PASSWORD)"], env: [{ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } }] },
        ],
        volumes: [
          { name: "sec", secret: { secretName: "db" } },
          { name: "proj", projected: { sources: [{ secret: { name: "db", items: [{ key: "password", path: "x/pw" }] } }] } },
        ],
      },
    };
    assert.equal((await d.cli(["apply", "-f", "-"], JSON.stringify(pod))).code, 0);
    const badMessage = async () => {
      const st = (await d.pod("holder"))?.status?.containerStatuses?.find((c) => c.name === "bad");
      return (st?.state?.terminated ?? st?.lastState?.terminated)?.message ?? "";
    };
    await eventually(async () => (await d.pod("holder"))?.status?.containerStatuses?.find((c) => c.name === "c")?.state?.running !== undefined, 30_000, "holder's c running");
    await eventually(async () => (await badMessage()).includes("executable file not found"), 30_000, "the bad container's exec error");
    assert.match(await badMessage(), /exec: "\$\(DB_PASSWORD\)": executable file not found in \$PATH/);
    const explained = await d.cli(["explain", "pod", "holder"]);
    assert.ok(explained.stdout.includes("$(DB_PASSWORD) $(S_password)"), "explain shows the command as the spec writes it");
    for (const [what, text] of [["explain", explained.stdout], ["the daemon's log", d.log], ["the pod's status", JSON.stringify(await d.pod("holder"))], ["events", (await d.cli(["get", "events", "-o", "json"])).stdout]]) {
      assert.ok(!text.includes(value), `${what} holds the secret`);
    }
    assert.equal(await exec("cat /sec/password"), value);
    assert.equal(await exec("cat /proj/x/pw"), value);
    const env = await exec("env");
    assert.match(env, new RegExp(`^DB_PASSWORD=${value}$`, "m"));
    assert.match(env, new RegExp(`^S_password=${value}$`, "m"));
    assert.match(await exec("grep -E ' /(sec|proj) ' /proc/mounts"), /^tmpfs \/sec tmpfs ro,[\s\S]*^tmpfs \/proj tmpfs ro,/m);

    const check = () => {
      const tmpfs = tmpfsMounts();
      const onTmpfs = (p: string) => tmpfs.some((m) => p.startsWith(`${m}/`));
      const holding = files(d.root).filter((f) => {
        const bytes = readFileSync(f);
        return bytes.includes(value) || bytes.includes(b64);
      });
      assert.deepEqual(holding.filter((f) => !onTmpfs(f)), [], "files on disk holding the secret");
      return holding;
    };
    const holding = check();
    // Not vacuous: the volume files and the environment are found, on tmpfs.
    assert.ok(holding.some((f) => f.includes("kubernetes.io~secret")), holding.join("\n"));
    assert.ok(holding.some((f) => f.endsWith(".env.json")), holding.join("\n"));
    const db = Buffer.concat(["store.db", "store.db-wal"].map((f) => readFileSync(join(d.root, f), { flag: "r" })));
    assert.ok(db.includes("k8s:enc:aesgcm:v1:key1:"), "the store (its file or its write-ahead log) holds the ciphertext");

    // The daemon dies and comes back: the pod is re-adopted and exec still has the container's environment.
    await d.kill9();
    await d.start();
    assert.match(await exec("env"), new RegExp(`^DB_PASSWORD=${value}$`, "m"));
    check();

    // Deleting the pod removes its tmpfs mounts (those in its own directory: warm sandboxes keep a /dev/shm of theirs).
    const podDir = join(d.root, "pods", (await d.pod("holder"))!.metadata.uid!) + "/";
    assert.ok(tmpfsMounts().some((m) => m.startsWith(podDir)), "the pod's tmpfs mounts are found in its directory");
    assert.equal((await d.cli(["delete", "pod", "holder"])).code, 0);
    await eventually(async () => (await d.pod("holder")) === undefined, 30_000, "holder deleted");
    await eventually(async () => !tmpfsMounts().some((m) => m.startsWith(podDir)), 20_000, "the pod's tmpfs mounts removed");
  });
});
