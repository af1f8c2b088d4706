/**
 * Protobuf responses: objects, lists (one part and streamed parts), metadata-only lists, Status errors and watch
 * frames, read back with a schema-less wire reader (test/helpers/protobuf-wire.ts) against field numbers typed by
 * hand from upstream's generated.proto, so the encoder's table is not what checks it; the request decoder then turns
 * whole objects back into the same JSON (every field group); JSON for Tables, for a client that lists JSON first,
 * and for an object the protobuf form cannot carry.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { RESOURCES } from "../../../src/api/resources.js";
import type { KubeObject, Pod } from "../../../src/api/types.js";
import { resourcePath } from "../../../src/client/index.js";
import { decodeKubernetesProtobuf } from "../../../src/apiserver/protobuf/decode.js";
import { encodeKubernetesProtobuf } from "../../../src/apiserver/protobuf/encode.js";
import { everyFieldPodSpec } from "../../helpers/pod-every-field.js";
import { intAt, mapAt, messageAt, messagesAt, readEnvelope, readWatchFrames, textAt } from "../../helpers/protobuf-wire.js";
import { startTestServer, storePod, testPod, type TestServer } from "./harness.js";

const PB = "application/vnd.kubernetes.protobuf";
const ACCEPT = `${PB},application/json`;
const PODS = RESOURCES.find((r) => r.kind === "Pod")!;

describe("protobuf responses", () => {
  let t: TestServer;
  before(async () => (t = await startTestServer()));
  after(() => t.close());

  const get = (path: string, accept = ACCEPT, query?: Record<string, string>) => t.client.raw("GET", path, { accept, query });

  it("an object: the envelope names its kind; ObjectMeta, spec and status at upstream's field numbers", async () => {
    storePod(t.store, testPod("web", { labels: { app: "web" }, phase: "Running" }));
    const res = await get(resourcePath(PODS, "default", "web"));
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], PB);
    const env = readEnvelope(res.body);
    assert.deepEqual([env.apiVersion, env.kind, env.contentEncoding], ["v1", "Pod", ""]);
    const pod = JSON.parse((await get(resourcePath(PODS, "default", "web"), "application/json")).body.toString()) as Pod;
    // Pod {metadata 1, spec 2, status 3}; ObjectMeta {name 1, namespace 3, uid 5, resourceVersion 6, creationTimestamp 8 {seconds 1}, labels 11}.
    const meta = messageAt(env.raw, 1);
    assert.deepEqual([textAt(meta, 1), textAt(meta, 3), textAt(meta, 5), textAt(meta, 6)], ["web", "default", pod.metadata.uid, pod.metadata.resourceVersion]);
    assert.equal(intAt(messageAt(meta, 8), 1), Math.floor(Date.parse(pod.metadata.creationTimestamp!) / 1000));
    assert.deepEqual([...mapAt(meta, 11)].map(([k, v]) => [k, v.toString()]), [["app", "web"]]);
    // PodSpec {containers 2 {name 1, image 2}, nodeName 10}; PodStatus {phase 1}.
    const spec = messageAt(env.raw, 2);
    assert.deepEqual(messagesAt(spec, 2).map((c) => [textAt(c, 1), textAt(c, 2)]), pod.spec.containers.map((c) => [c.name, c.image]));
    assert.equal(textAt(spec, 10), "node1");
    assert.equal(textAt(messageAt(env.raw, 3), 1), "Running");
  });

  it("every PodSpec field group and ObjectMeta's managedFields come back whole through the request decoder", () => {
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: "full",
        namespace: "team",
        labels: { a: "b" },
        deletionGracePeriodSeconds: -1,
        creationTimestamp: "2026-12-01T10:00:00Z",
        ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: "u1", controller: true, blockOwnerDeletion: false }],
        managedFields: [{ manager: "kubectl", operation: "Apply", apiVersion: "v1", time: "2026-12-01T10:00:00Z", fieldsType: "FieldsV1", fieldsV1: { "f:metadata": { "f:labels": { "f:a": {} } } } }],
      },
      spec: { ...everyFieldPodSpec(), nodeName: "node1" },
      status: { phase: "Running", startTime: "2026-12-01T10:00:01Z", conditions: [{ type: "Ready", status: "True", lastTransitionTime: "2026-12-01T10:00:06Z" }] },
    };
    const data = encodeKubernetesProtobuf(pod);
    assert.ok(data, "the pod was encoded");
    assert.deepEqual(decodeKubernetesProtobuf(data), pod);
    // ManagedFieldsEntry {manager 1, operation 2, fieldsType 6, fieldsV1 7 {Raw 1}}, a negative int64 as ten bytes.
    const meta = messageAt(readEnvelope(data).raw, 1);
    const entry = messagesAt(meta, 17)[0];
    assert.deepEqual([textAt(entry, 1), textAt(entry, 2), textAt(entry, 6)], ["kubectl", "Apply", "FieldsV1"]);
    assert.deepEqual(JSON.parse(textAt(messageAt(entry, 7), 1)), pod.metadata.managedFields[0].fieldsV1);
    assert.equal(intAt(meta, 10), -1);
  });

  it("IntOrString and MicroTime as upstream writes them", () => {
    const svc = { apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443, targetPort: "https" }] } };
    const ports = messagesAt(messageAt(readEnvelope(encodeKubernetesProtobuf(svc)!).raw, 2), 1);
    // ServicePort {port 3, targetPort 4 {type 1, intVal 2, strVal 3}}.
    assert.deepEqual(ports.map((p) => [intAt(p, 3), intAt(messageAt(p, 4), 1)]), [[80, 0], [443, 1]]);
    assert.equal(intAt(messageAt(ports[0], 4), 2), 8080);
    assert.equal(textAt(messageAt(ports[1], 4), 3), "https");
    const lease = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "n" }, spec: { holderIdentity: "n", renewTime: "2026-12-01T10:00:00.123456Z" } };
    assert.deepEqual(decodeKubernetesProtobuf(encodeKubernetesProtobuf(lease)!), lease);
  });

  it("a list in one part and one streamed in parts: items 2, ListMeta 1 {resourceVersion 2, continue 3, remainingItemCount 4}", async () => {
    for (let i = 0; i < 150; i++) storePod(t.store, testPod(`many-${String(i).padStart(3, "0")}`, { ns: "many" }));
    const whole = await get(resourcePath(PODS, "many"));
    assert.equal(whole.headers["content-type"], PB);
    const env = readEnvelope(whole.body);
    assert.deepEqual([env.apiVersion, env.kind], ["v1", "PodList"]);
    const names = messagesAt(env.raw, 2).map((p) => textAt(messageAt(p, 1), 1));
    assert.equal(names.length, 150);
    assert.equal(names[149], "many-149");
    assert.equal(textAt(messageAt(env.raw, 1), 2), t.store.currentResourceVersion());
    const page = readEnvelope((await get(resourcePath(PODS, "many"), ACCEPT, { limit: "120" })).body);
    assert.equal(messagesAt(page.raw, 2).length, 120);
    const listMeta = messageAt(page.raw, 1);
    assert.ok(textAt(listMeta, 3).length > 0, "a continue token");
    assert.equal(intAt(listMeta, 4), 30);
    // The same bytes decode to the JSON list's items.
    const json = JSON.parse((await get(resourcePath(PODS, "many"), "application/json")).body.toString()) as { items: KubeObject[] };
    const first = decodeKubernetesProtobuf(Buffer.concat([Buffer.from("k8s\0", "binary"), envelopeOf("v1", "Pod", messagesRaw(env.raw, 2)[0])]));
    assert.deepEqual(first, json.items[0]);
  });

  it("metadata-only lists in protobuf (PartialObjectMetadataList), as the garbage collector's metadata client asks", async () => {
    const accept = `${PB};as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json`;
    const env = readEnvelope((await get(resourcePath(PODS, "many"), accept)).body);
    assert.deepEqual([env.apiVersion, env.kind], ["meta.k8s.io/v1", "PartialObjectMetadataList"]);
    const items = messagesAt(env.raw, 2);
    assert.equal(items.length, 150);
    assert.equal(textAt(messageAt(items[0], 1), 1), "many-000");
  });

  it("errors are a Status {status 2, message 3, reason 4, details 5 {name 1, kind 3}, code 6}", async () => {
    const res = await get(resourcePath(PODS, "default", "nope"));
    assert.equal(res.status, 404);
    assert.equal(res.headers["content-type"], PB);
    const env = readEnvelope(res.body);
    assert.deepEqual([env.apiVersion, env.kind], ["v1", "Status"]);
    assert.deepEqual([textAt(env.raw, 2), textAt(env.raw, 3), textAt(env.raw, 4), intAt(env.raw, 6)], ["Failure", 'pods "nope" not found', "NotFound", 404]);
    const details = messageAt(env.raw, 5);
    assert.deepEqual([textAt(details, 1), textAt(details, 3)], ["nope", "pods"]);
  });

  it("a watch is frames of WatchEvent {type 1, object 2 {raw 1: the object's envelope}}", async () => {
    storePod(t.store, testPod("watched", { ns: "w" }));
    const res = await get(resourcePath(PODS, "w"), ACCEPT, { watch: "1", resourceVersion: "0", timeoutSeconds: "1" });
    assert.equal(res.headers["content-type"], `${PB};stream=watch`);
    const frames = readWatchFrames(res.body);
    assert.deepEqual(frames.map((f) => [f.type, f.object.kind, textAt(messageAt(f.object.raw, 1), 1)]), [["ADDED", "Pod", "watched"]]);
  });

  it("JSON for Tables, for clients that list JSON first, and for an object the protobuf form cannot carry", async () => {
    const table = await get(resourcePath(PODS, "default", "web"), `${PB};as=Table;g=meta.k8s.io;v=v1,application/json;as=Table;g=meta.k8s.io;v=v1,application/json`);
    assert.equal(table.headers["content-type"], "application/json");
    assert.equal((JSON.parse(table.body.toString()) as KubeObject).kind, "Table");
    assert.equal((await get(resourcePath(PODS, "default", "web"), `application/json,${PB}`)).headers["content-type"], "application/json");
    const odd = testPod("odd");
    (odd.spec as unknown as Record<string, unknown>).notAField = true;
    storePod(t.store, odd);
    const res = await get(resourcePath(PODS, "default", "odd"));
    assert.equal(res.headers["content-type"], "application/json");
    assert.equal((JSON.parse(res.body.toString()) as { spec: { notAField: boolean } }).spec.notAField, true);
    assert.equal(encodeKubernetesProtobuf({ apiVersion: "metrics.k8s.io/v1beta1", kind: "PodMetrics", metadata: {} }), undefined);
  });
});

/** The raw bytes of each occurrence of a field (for re-wrapping an item in an envelope). */
function messagesRaw(f: Map<number, (bigint | Buffer)[]>, num: number): Buffer[] {
  return (f.get(num) ?? []) as Buffer[];
}

/** runtime.Unknown {typeMeta 1, raw 2}, written by hand. */
function envelopeOf(apiVersion: string, kind: string, raw: Buffer): Buffer {
  const ld = (num: number, b: Buffer): Buffer => Buffer.concat([varint(num * 8 + 2), varint(b.length), b]);
  return Buffer.concat([ld(1, Buffer.concat([ld(1, Buffer.from(apiVersion)), ld(2, Buffer.from(kind))])), ld(2, raw)]);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}
