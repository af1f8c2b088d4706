import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApiError } from "../../../src/api/errors.js";
import { decodeKubernetesProtobuf } from "../../../src/apiserver/protobuf/decode.js";
import { entry, envelope, int, msg, str } from "../../helpers/protobuf-encode.js";

// ObjectMeta as the Go encoder writes it: every non-pointer field, zero or not.
const objectMeta = (name: string, ...extra: Buffer[]) =>
  msg(1, str(1, name), str(2, ""), str(3, ""), str(4, ""), str(5, ""), str(6, ""), int(7, 0), msg(8), ...extra);

describe("protobuf request bodies", () => {
  it("decodes a ConfigMap as kubectl create configmap sends it", () => {
    const raw = Buffer.concat([
      objectMeta("cfg", entry(11, "app", "web"), str(14, "example.com/f")),
      entry(2, "a", "b"),
      entry(2, "empty", ""),
      entry(3, "bin", Buffer.from([0, 1, 2])),
    ]);
    assert.deepEqual(decodeKubernetesProtobuf(envelope("v1", "ConfigMap", raw)), {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cfg", labels: { app: "web" }, finalizers: ["example.com/f"] },
      data: { a: "b", empty: "" },
      binaryData: { bin: "AAEC" },
    });
  });

  it("decodes a Secret's bytes as base64 and its type; a pointer field that arrives is kept even when false", () => {
    const raw = Buffer.concat([objectMeta("s"), entry(2, "x", Buffer.from("y")), str(3, "Opaque"), int(5, 0)]);
    assert.deepEqual(decodeKubernetesProtobuf(envelope("v1", "Secret", raw)), {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s" },
      data: { x: "eQ==" },
      type: "Opaque",
      immutable: false,
    });
  });

  it("decodes a Service: ports, int-or-string target ports, selector, booleans, times", () => {
    const port = (p: number, target: Buffer) => msg(1, str(1, `p${p}`), str(2, "TCP"), int(3, p), msg(4, ...[target]), int(5, 0));
    const spec = msg(
      2,
      port(80, Buffer.concat([int(1, 0), int(2, 8080), str(3, "")])),
      port(443, Buffer.concat([int(1, 1), int(2, 0), str(3, "https")])),
      entry(2, "app", "web"),
      str(4, "NodePort"),
      int(13, 1),
    );
    const meta = objectMeta("web", int(10, -1));
    const obj = decodeKubernetesProtobuf(envelope("v1", "Service", Buffer.concat([meta, spec, msg(3, msg(1))])));
    assert.deepEqual(obj, {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", deletionGracePeriodSeconds: -1 },
      spec: {
        ports: [
          { name: "p80", protocol: "TCP", port: 80, targetPort: 8080 },
          { name: "p443", protocol: "TCP", port: 443, targetPort: "https" },
        ],
        selector: { app: "web" },
        type: "NodePort",
        publishNotReadyAddresses: true,
      },
    });
  });

  it("decodes a Namespace with a creation time", () => {
    const raw = Buffer.concat([msg(1, str(1, "team"), msg(8, int(1, 1_800_000_000), int(2, 0))), msg(2, str(1, "kubernetes"))]);
    assert.deepEqual(decodeKubernetesProtobuf(envelope("v1", "Namespace", raw)), {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "team", creationTimestamp: "2027-01-15T08:00:00Z" },
      spec: { finalizers: ["kubernetes"] },
    });
  });

  it("refuses unknown fields with 400 naming the message and field number, instead of dropping them", () => {
    const raw = Buffer.concat([objectMeta("x"), int(99, 7), str(98, "future")]);
    assert.throws(
      () => decodeKubernetesProtobuf(envelope("v1", "ConfigMap", raw)),
      (e: unknown) => e instanceof ApiError && e.code === 400 && /field 99 of core\/v1\.ConfigMap/.test(e.message),
    );
  });

  it("refuses kinds without a schema with 415 and garbage with 400", () => {
    assert.throws(() => decodeKubernetesProtobuf(envelope("example.com/v1", "Widget", objectMeta("p"))), (e: unknown) => e instanceof ApiError && e.code === 415);
    assert.throws(() => decodeKubernetesProtobuf(Buffer.from("{}")), (e: unknown) => e instanceof ApiError && e.code === 400);
    assert.throws(() => decodeKubernetesProtobuf(Buffer.concat([Buffer.from("k8s\0", "binary"), Buffer.from([0x0a, 0x50])])), (e: unknown) => e instanceof ApiError && e.code === 400);
  });
});
