import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LeaseStore } from "../../../src/network/ipam.js";
import { parseCidr } from "../../../src/api/cidr.js";
function tempFile() {
    const dir = mkdtempSync(join(tmpdir(), "ipam-"));
    return { file: join(dir, "state", "leases.json"), done: () => rmSync(dir, { recursive: true, force: true }) };
}
function req(uid, hostPorts = []) {
    return { podUid: uid, pod: `default/${uid}`, veth: `v-${uid}`, hostPorts };
}
const hp = (hostPort, field = "spec.containers[0].ports[0].hostPort") => ({ hostPort, containerPort: 80, protocol: "TCP", field });
test("hands out addresses after the gateway, round robin, persisted atomically", () => {
    const t = tempFile();
    try {
        const store = new LeaseStore(t.file, parseCidr("10.9.0.0/24"));
        store.load();
        assert.equal(store.allocate(req("a")).ip, "10.9.0.2");
        assert.equal(store.allocate(req("b")).ip, "10.9.0.3");
        store.release("a");
        assert.equal(store.allocate(req("c")).ip, "10.9.0.4", "a freed address is not reused at once");
        assert.ok(!existsSync(`${t.file}.tmp`));
        const reread = new LeaseStore(t.file, parseCidr("10.9.0.0/24"));
        reread.load();
        assert.deepEqual(reread.all().map((l) => l.ip).sort(), ["10.9.0.3", "10.9.0.4"]);
        assert.equal(reread.allocate(req("d")).ip, "10.9.0.5", "the round-robin position survives a restart");
        assert.equal(JSON.parse(readFileSync(t.file, "utf8")).podCIDR, "10.9.0.0/24");
    }
    finally {
        t.done();
    }
});
test("a pod that already holds a lease keeps its address", () => {
    const t = tempFile();
    try {
        const store = new LeaseStore(t.file, parseCidr("10.9.0.0/24"));
        const first = store.allocate(req("a"));
        store.allocate(req("b"));
        assert.equal(store.allocate(req("a")).ip, first.ip);
        assert.equal(store.all().length, 2);
    }
    finally {
        t.done();
    }
});
test("never two pods on one address, exhaustion names --pod-cidr, wrap-around reuses freed addresses", () => {
    const t = tempFile();
    try {
        const store = new LeaseStore(t.file, parseCidr("10.9.0.0/28")); // 16 addresses: 13 for pods
        const ips = Array.from({ length: 13 }, (_, i) => store.allocate(req(`p${i}`)).ip);
        assert.equal(new Set(ips).size, 13);
        assert.ok(!ips.includes("10.9.0.0") && !ips.includes("10.9.0.1") && !ips.includes("10.9.0.15"));
        assert.throws(() => store.allocate(req("x")), /^FieldError: --pod-cidr: no free address: all 13 pod addresses of 10\.9\.0\.0\/28 are leased$/);
        store.release("p4");
        assert.equal(store.allocate(req("x")).ip, ips[4]);
        assert.equal(new Set(store.all().map((l) => l.ip)).size, 13);
    }
    finally {
        t.done();
    }
});
test("a hostPort held by another pod is refused and nothing changes", () => {
    const t = tempFile();
    try {
        const store = new LeaseStore(t.file, parseCidr("10.9.0.0/24"));
        store.allocate({ ...req("web"), pod: "default/web", hostPorts: [hp(8080)] });
        const before = readFileSync(t.file, "utf8");
        assert.throws(() => store.allocate(req("other", [hp(8080)])), (e) => e.message === "spec.containers[0].ports[0].hostPort: 8080/TCP is already allocated to pod default/web");
        assert.equal(store.all().length, 1);
        assert.equal(readFileSync(t.file, "utf8"), before);
        assert.equal(store.allocate(req("udp", [{ ...hp(8080), protocol: "UDP" }])).podUid, "udp", "same port, other protocol is fine");
    }
    finally {
        t.done();
    }
});
test("retain frees the leases of pods that no longer exist (host-local's leak)", () => {
    const t = tempFile();
    try {
        const store = new LeaseStore(t.file, parseCidr("10.9.0.0/24"));
        for (const u of ["a", "b", "c"])
            store.allocate(req(u));
        const gone = store.retain(new Set(["b"]));
        assert.deepEqual(gone.map((l) => l.podUid).sort(), ["a", "c"]);
        const reread = new LeaseStore(t.file, parseCidr("10.9.0.0/24"));
        reread.load();
        assert.deepEqual(reread.all().map((l) => l.podUid), ["b"]);
        reread.clear();
        assert.ok(!existsSync(t.file));
    }
    finally {
        t.done();
    }
});
test("a corrupt lease file is an error naming the file, not an empty store", () => {
    const t = tempFile();
    try {
        const store = new LeaseStore(t.file, parseCidr("10.9.0.0/24"));
        store.allocate(req("a"));
        writeFileSync(t.file, "{not json");
        assert.throws(() => new LeaseStore(t.file, parseCidr("10.9.0.0/24")).load(), new RegExp(`cannot parse lease file ${t.file}`));
    }
    finally {
        t.done();
    }
});
test("a failed write leaves memory as it was", () => {
    const t = tempFile();
    try {
        const store = new LeaseStore(t.file, parseCidr("10.9.0.0/24"));
        store.allocate(req("a"));
        // Loaded while its directory is missing, then a regular file takes the directory's place: the write must fail.
        const dir = join(t.file, "..", "..", "blocked");
        const blocked = new LeaseStore(join(dir, "leases.json"), parseCidr("10.9.0.0/24"));
        blocked.load();
        writeFileSync(dir, "not a directory");
        assert.throws(() => blocked.allocate(req("b")), /cannot write/);
        assert.equal(blocked.all().length, 0);
    }
    finally {
        t.done();
    }
});
//# sourceMappingURL=ipam.test.js.map