import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ApiError } from "../../../src/api/errors.js";
import { resourceForKind } from "../../../src/api/resources.js";
import { ApiClient, ConnectionError, errorFromResponse, resourcePath, toSearchParams } from "../../../src/client/index.js";
import { startTestServer } from "../apiserver/harness.js";
describe("client helpers", () => {
    it("builds resource paths", () => {
        const pods = resourceForKind("Pod");
        assert.equal(resourcePath(pods, "default"), "/api/v1/namespaces/default/pods");
        assert.equal(resourcePath(pods), "/api/v1/pods");
        assert.equal(resourcePath(pods, "default", "web", "log"), "/api/v1/namespaces/default/pods/web/log");
        assert.equal(resourcePath(resourceForKind("Node"), "ignored", "n1", "status"), "/api/v1/nodes/n1/status");
        assert.equal(resourcePath(resourceForKind("EndpointSlice"), "ns", "a b"), "/apis/discovery.k8s.io/v1/namespaces/ns/endpointslices/a%20b");
    });
    it("builds queries with repeated parameters", () => {
        assert.equal(toSearchParams({ command: ["ls", "-l"], tty: true, skip: undefined, n: 3 }).toString(), "command=ls&command=-l&tty=true&n=3");
        assert.equal(toSearchParams(new URLSearchParams("a=1&a=2"), { watch: "true" }).toString(), "a=1&a=2&watch=true");
    });
    it("turns Status bodies into ApiErrors with their details", () => {
        const body = Buffer.from(JSON.stringify({
            kind: "Status",
            apiVersion: "v1",
            status: "Failure",
            reason: "Invalid",
            message: 'Pod "bad" is invalid: spec.containers[0].image: Required value',
            details: { name: "bad", kind: "pods", causes: [{ reason: "FieldValueRequired", message: "Required value", field: "spec.containers[0].image" }] },
            code: 422,
        }));
        const err = errorFromResponse(422, body);
        assert.equal(err.reason, "Invalid");
        assert.equal(err.code, 422);
        assert.equal(err.details.causes?.[0].field, "spec.containers[0].image");
        const plain = errorFromResponse(503, Buffer.from("upstream down"));
        assert.equal(plain.reason, "ServiceUnavailable");
        assert.equal(plain.message, "upstream down");
    });
});
describe("client against a server", () => {
    let t;
    before(async () => (t = await startTestServer()));
    after(() => t.close());
    it("reads JSON and text", async () => {
        assert.equal(await t.client.request("GET", "/healthz"), "ok");
        assert.equal((await t.client.request("GET", "/api")).kind, "APIVersions");
    });
    it("honours NODELET_SOCKET", async () => {
        const saved = process.env.NODELET_SOCKET;
        process.env.NODELET_SOCKET = t.socketPath;
        try {
            const c = new ApiClient();
            assert.equal(c.target, t.socketPath);
            assert.equal(await c.request("GET", "/livez"), "ok");
            c.close();
        }
        finally {
            if (saved === undefined)
                delete process.env.NODELET_SOCKET;
            else
                process.env.NODELET_SOCKET = saved;
        }
    });
    it("stream() errors with the ApiError of a refused request", async () => {
        const s = t.client.stream("/api/v1/namespaces/default/pods/nope/log");
        await assert.rejects((async () => {
            for await (const _ of s)
                void _;
        })(), (e) => e instanceof ApiError && e.code === 404 && e.message === 'pods "nope" not found');
    });
    it("watch() can be stopped before and after the stream starts", async () => {
        const h1 = t.client.watch("/api/v1/namespaces/default/configmaps", {}, () => undefined);
        h1.stop();
        await h1.done;
        const h2 = t.client.watch("/api/v1/namespaces/default/configmaps", {}, () => undefined);
        await new Promise((r) => setTimeout(r, 50));
        h2.stop();
        await h2.done;
    });
});
describe("client connection errors", () => {
    it("says when no daemon listens", async () => {
        const dir = mkdtempSync(join(tmpdir(), "nodelet-client-"));
        try {
            const c = new ApiClient({ socketPath: join(dir, "none.sock") });
            await assert.rejects(c.request("GET", "/version"), (e) => e instanceof ConnectionError && /is the nodelet daemon running\?/.test(e.message));
            const w = c.watch("/api/v1/pods", {}, () => undefined);
            await assert.rejects(w.done, ConnectionError);
        }
        finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
//# sourceMappingURL=client.test.js.map