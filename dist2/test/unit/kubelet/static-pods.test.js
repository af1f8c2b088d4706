/** Static pod manifests: naming, uids, annotations, validation, and the directory source. */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { realClock } from "../../../src/kubelet/clock.js";
import { StaticPodSource, staticPodsFromManifest } from "../../../src/kubelet/static-pods.js";
const web = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels: {app: web}\nspec:\n  containers:\n  - name: c\n    image: busybox\n    command: [sleep, '3600']\n";
const dir = mkdtempSync(join(tmpdir(), "nodelet-static-"));
after(() => rmSync(dir, { recursive: true, force: true }));
describe("staticPodsFromManifest", () => {
    test("a pod is named <name>-<node>, bound, defaulted and annotated as the kubelet's file source does", () => {
        const [p] = staticPodsFromManifest(web, "/m/web.yaml", "node1", "2026-01-01T00:00:00Z");
        assert.equal(p.metadata.name, "web-node1");
        assert.equal(p.metadata.namespace, "default");
        assert.equal(p.spec.nodeName, "node1");
        assert.equal(p.spec.restartPolicy, "Always", "defaulted");
        assert.equal(p.spec.containers[0].imagePullPolicy, "Always");
        assert.match(p.metadata.uid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        assert.deepEqual(p.metadata.annotations, {
            "kubernetes.io/config.hash": p.metadata.uid,
            "kubernetes.io/config.source": "file",
            "kubernetes.io/config.seen": "2026-01-01T00:00:00Z",
        });
    });
    test("the uid is stable for the same content, node and file, and changes with any of them", () => {
        const uid = (text, file = "/m/web.yaml", node = "node1") => staticPodsFromManifest(text, file, node, "x")[0].metadata.uid;
        assert.equal(uid(web), uid(web));
        assert.notEqual(uid(web), uid(web.replace("3600", "60")));
        assert.notEqual(uid(web), uid(web, "/m/other.yaml"));
        assert.notEqual(uid(web), uid(web, "/m/web.yaml", "node2"));
    });
    test("bad manifests say what is wrong", () => {
        assert.throws(() => staticPodsFromManifest("kind: Pod\nmetadata: [", "/m/bad.yaml", "n", "x"), /\/m\/bad\.yaml/);
        assert.throws(() => staticPodsFromManifest("apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec: {}\n", "/m/s.yaml", "n", "x"), /holds Pods, not Service/);
        assert.throws(() => staticPodsFromManifest("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: c\n", "/m/x.yaml", "n", "x"), /spec\.containers\[0\]\.image: Required value/);
    });
    test("several documents make several pods", () => {
        const two = `${web}---\n${web.replace("name: web", "name: api")}`;
        assert.deepEqual(staticPodsFromManifest(two, "/m/two.yaml", "n", "x").map((p) => p.metadata.name), ["web-n", "api-n"]);
    });
});
describe("StaticPodSource", () => {
    test("reports the directory's pods on changes; a broken file is reported once and skipped", async () => {
        const sets = [];
        const errors = [];
        const src = new StaticPodSource({
            dir, nodeName: "n", clock: realClock, rescanMs: 60_000,
            onChange: (pods) => sets.push(pods.map((p) => p.metadata.name).sort()),
            onError: (file) => errors.push(file),
        });
        writeFileSync(join(dir, "web.yaml"), web);
        writeFileSync(join(dir, ".hidden.yaml"), web.replace("name: web", "name: hidden"));
        await src.start();
        try {
            assert.deepEqual(sets.at(-1), ["web-n"], "hidden files are skipped");
            writeFileSync(join(dir, "bad.yaml"), "kind: Pod\nmetadata: [");
            writeFileSync(join(dir, "api.json"), JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "api" }, spec: { containers: [{ name: "c", image: "busybox" }] } }));
            await src.scan();
            assert.deepEqual(sets.at(-1), ["api-n", "web-n"]);
            assert.deepEqual(errors, [join(dir, "bad.yaml")]);
            await src.scan();
            assert.equal(errors.length, 1, "an unchanged broken file is not reported again");
            const before = sets.length;
            await src.scan();
            assert.equal(sets.length, before, "no change, no report");
            unlinkSync(join(dir, "web.yaml"));
            await src.scan();
            assert.deepEqual(sets.at(-1), ["api-n"]);
        }
        finally {
            src.stop();
        }
    });
});
//# sourceMappingURL=static-pods.test.js.map