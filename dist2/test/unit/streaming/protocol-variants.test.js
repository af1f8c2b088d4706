/**
 * Server protocol variants kubectl 1.32 never picks, driven by hand over the harness's unix socket: the base64 and
 * v1 WebSocket channel framings, SPDY exec with v4 and v1 (text) status, the kubelet-style port-forward channels.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { request } from "node:http";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { ChannelConn, framingFor } from "../../../src/wire/channel-conn.js";
import { SpdySession } from "../../../src/wire/spdy-session.js";
import { attachSocket, socketTransport } from "../../../src/wire/transports.js";
import { dialWebSocket } from "../../../src/client/streaming/dial.js";
import { needsCommand } from "../../helpers/root.js";
import { FakePodIO, startBackends, startHarness, TOKEN } from "../../helpers/stream-harness.js";
import { readAll } from "./socket-pair.js";
const headers = { Authorization: `Bearer ${TOKEN}` };
const execPath = (script) => `/api/v1/namespaces/default/pods/web/exec?command=sh&command=-c&command=${encodeURIComponent(script)}&stdin=true&stdout=true&stderr=true`;
const EXEC = execPath("cat; echo e >&2; exit 2");
/** Pre-v5 WebSocket clients cannot signal stdin EOF: this one reads exactly 6 bytes. */
const EXEC_6 = execPath("head -c 6; echo e >&2; exit 2");
let h;
let backends;
/** Runs one WebSocket exec with `protocol`; returns the bytes per channel once the server closes. */
async function wsExec(protocol, stdin) {
    const path = protocol.startsWith("v5") ? EXEC : EXEC_6;
    const { ws, protocol: got } = await dialWebSocket(() => connect(h.socketPath), path, [protocol], { headers });
    assert.equal(got, protocol);
    const conn = new ChannelConn(ws, framingFor(protocol));
    const seen = new Map();
    for (const ch of [1, 2, 3])
        conn.inbound(ch).on("data", (d) => seen.set(ch, (seen.get(ch) ?? "") + d.toString()));
    const closed = new Promise((resolve) => conn.start(resolve));
    conn.send(0, Buffer.from(stdin));
    if (protocol.startsWith("v5"))
        conn.sendClose(0);
    await closed;
    return seen;
}
/** POST + Upgrade: SPDY/3.1 on the unix socket; resolves with the negotiated version and a client session. */
async function spdyUpgrade(path, versions) {
    const req = request({
        socketPath: h.socketPath,
        method: "POST",
        path,
        headers: { ...headers, Connection: "Upgrade", Upgrade: "SPDY/3.1", "X-Stream-Protocol-Version": versions },
    });
    req.end();
    const [res, socket, head] = (await once(req, "upgrade"));
    const session = new SpdySession(socketTransport(socket), { role: "client" });
    attachSocket(socket, session, head);
    return { version: res.headers["x-stream-protocol-version"], session, socket };
}
describe("protocol variants", { skip: needsCommand("openssl") }, () => {
    before(async () => {
        backends = await startBackends();
        h = await startHarness(new FakePodIO({ 7: backends.countAfterEof }));
    });
    after(async () => {
        await h.close();
        await backends.close();
    });
    it("exec over v5 binary channels: close signal ends stdin, JSON status", async () => {
        const seen = await wsExec("v5.channel.k8s.io", "v5 in");
        assert.equal(seen.get(1), "v5 in");
        assert.equal(seen.get(2), "e\n");
        assert.equal(JSON.parse(seen.get(3)).details.causes[0].message, "2");
    });
    it("exec over base64.channel.k8s.io: text frames, text status", async () => {
        const seen = await wsExec("base64.channel.k8s.io", "b64 in");
        assert.equal(seen.get(1), "b64 in");
        assert.equal(seen.get(2), "e\n");
        assert.match(seen.get(3) ?? "", /^command terminated with non-zero exit code/);
    });
    it("exec over v4.base64.channel.k8s.io: JSON status", async () => {
        const seen = await wsExec("v4.base64.channel.k8s.io", "sixsix");
        assert.equal(seen.get(1), "sixsix");
        assert.equal(JSON.parse(seen.get(3)).reason, "NonZeroExitCode");
    });
    for (const [version, json] of [["v4.channel.k8s.io", true], ["channel.k8s.io", false]]) {
        it(`exec over SPDY ${version}: waits for every stream, then status and FIN`, async () => {
            const { version: got, session, socket } = await spdyUpgrade(EXEC, [version]);
            assert.equal(got, version);
            const open = (type) => session.openStream({ streamtype: type });
            const error = open("error");
            const stdin = open("stdin");
            const stdout = open("stdout");
            const stderr = open("stderr");
            for (const s of [error, stdin, stdout, stderr])
                if (!s.replied)
                    await once(s, "reply");
            stdin.end("spdy in");
            const [status, out, err] = await Promise.all([readAll(error), readAll(stdout), readAll(stderr)]);
            assert.equal(out.toString(), "spdy in");
            assert.equal(err.toString(), "e\n");
            if (json)
                assert.equal(JSON.parse(status.toString()).details.causes[0].message, "2");
            else
                assert.match(status.toString(), /non-zero exit code: exit status 2/);
            socket.destroy();
        });
    }
    it("refuses SPDY versions it does not speak, naming the ones it does", async () => {
        const res = await new Promise((resolve) => {
            const req = request({
                socketPath: h.socketPath,
                method: "POST",
                path: EXEC,
                headers: { ...headers, Connection: "Upgrade", Upgrade: "SPDY/3.1", "X-Stream-Protocol-Version": "v9.channel.k8s.io" },
            });
            req.on("response", (r) => {
                r.resume();
                resolve({ status: r.statusCode ?? 0, accepted: String(r.headers["x-accepted-stream-protocol-versions"]) });
            });
            req.end();
        });
        assert.equal(res.status, 403);
        assert.match(res.accepted, /v4\.channel\.k8s\.io/);
    });
    it("port-forward over v4.channel.k8s.io: port prefixes, data, close when the pod closes", async () => {
        const path = "/api/v1/namespaces/default/pods/web/portforward?ports=7";
        const { ws, protocol } = await dialWebSocket(() => connect(h.socketPath), path, ["v4.channel.k8s.io"], { headers });
        const conn = new ChannelConn(ws, framingFor(protocol));
        const data = readAll(conn.inbound(0));
        const errors = readAll(conn.inbound(1));
        conn.start(() => undefined);
        conn.send(0, Buffer.from("four bytes"));
        await new Promise((r) => setTimeout(r, 100));
        // v4 cannot half-close: the pod sees EOF only when we hang up, and we then get nothing back.
        ws.close();
        const [d, e] = await Promise.all([data, errors]);
        assert.deepEqual([...e], [7, 0], "the error channel carries only the port");
        assert.deepEqual([...d.subarray(0, 2)], [7, 0], "the data channel starts with the port, little-endian");
    });
});
//# sourceMappingURL=protocol-variants.test.js.map