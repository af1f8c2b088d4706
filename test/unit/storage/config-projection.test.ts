/**
 * Configuration volumes' payloads, as the kubelet's configMap/secret/downwardAPI/projected plugins make them: keys,
 * items and modes, optional sources, the kubelet's error texts, the downward API's formatting and divisors, and the
 * merge of projected sources.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ConfigMap, Pod, Secret } from "../../../src/api/types.js";
import {
  configMapPayload,
  downwardAPIPayload,
  projectedPayload,
  secretPayload,
  ProjectionError,
} from "../../../src/storage/projection.js";
import { formatMap } from "../../../src/api/downward-api.js";
import { tmpfsSize } from "../../../src/storage/projected-volume.js";
import { volumeReferences, showsMetadata } from "../../../src/storage/config-objects.js";

const cm: ConfigMap = {
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "cfg", namespace: "default" },
  data: { "game.properties": "lives=3\n", "ui.properties": "color=red\n" },
  binaryData: { "bin.dat": Buffer.from([0, 1, 2, 255]).toString("base64") },
};
const secret: Secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "default" }, data: { password: Buffer.from("hunter2").toString("base64") } };

const pod: Pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web", namespace: "prod", uid: "u-1", labels: { zone: "us-est-coast", cluster: "test-cluster1", rack: "rack-22" }, annotations: { build: "two", builder: 'john "doe"\n' } },
  spec: { containers: [{ name: "client", resources: { limits: { cpu: "500m", memory: "64Mi" }, requests: { cpu: "250m", memory: "32Mi" } } }] },
};

const text = (p: Map<string, { data: Buffer; mode: number }>, k: string) => p.get(k)?.data.toString();

test("configMap: every key (data and binaryData) with the default mode when there are no items", () => {
  const p = configMapPayload(cm, { name: "cfg" }, 0o644);
  assert.deepEqual([...p.keys()].sort(), ["bin.dat", "game.properties", "ui.properties"]);
  assert.equal(text(p, "game.properties"), "lives=3\n");
  assert.deepEqual([...p.get("bin.dat")!.data], [0, 1, 2, 255]);
  assert.ok([...p.values()].every((f) => f.mode === 0o644));
});

test("configMap items: only the listed keys, at their paths, with their own mode or the default", () => {
  const p = configMapPayload(cm, { name: "cfg", items: [{ key: "game.properties", path: "conf/game", mode: 0o400 }, { key: "ui.properties", path: "ui" }] }, 0o640);
  assert.deepEqual([...p.keys()], ["conf/game", "ui"]);
  assert.equal(p.get("conf/game")!.mode, 0o400);
  assert.equal(p.get("ui")!.mode, 0o640);
});

test("a missing key fails with the kubelet's text unless the source is optional", () => {
  const items = [{ key: "nope", path: "x" }];
  assert.throws(() => configMapPayload(cm, { name: "cfg", items }, 0o644), { message: "configmap references non-existent config key: nope" });
  assert.equal(configMapPayload(cm, { name: "cfg", items, optional: true }, 0o644).size, 0);
  assert.throws(() => secretPayload(secret, { name: "s", items }, 0o644), { message: "references non-existent secret key: nope" });
});

test("a missing object fails with `configmap \"Y\" not found` / `secret \"Y\" not found`; optional gives an empty volume", () => {
  assert.throws(() => configMapPayload(undefined, { name: "special-config" }, 0o644), (e: Error) => e instanceof ProjectionError && e.message === 'configmap "special-config" not found');
  assert.throws(() => secretPayload(undefined, { name: "mysecret" }, 0o644), { message: 'secret "mysecret" not found' });
  assert.equal(configMapPayload(undefined, { name: "x", optional: true }, 0o644).size, 0);
});

test("secret values are decoded from base64 to their bytes", () => {
  assert.equal(text(secretPayload(secret, { name: "s" }, 0o400), "password"), "hunter2");
});

test("downward API: labels and annotations as sorted key=\"quoted\" lines, no trailing newline; names and subscripts", () => {
  const p = downwardAPIPayload(pod, [
    { path: "labels", fieldRef: { fieldPath: "metadata.labels" } },
    { path: "annotations", fieldRef: { fieldPath: "metadata.annotations" } },
    { path: "name", fieldRef: { fieldPath: "metadata.name" } },
    { path: "zone", fieldRef: { fieldPath: "metadata.labels['zone']" } },
  ], 0o644);
  assert.equal(text(p, "labels"), 'cluster="test-cluster1"\nrack="rack-22"\nzone="us-est-coast"');
  assert.equal(text(p, "annotations"), 'build="two"\nbuilder="john \\"doe\\"\\n"');
  assert.equal(text(p, "name"), "web");
  assert.equal(text(p, "zone"), "us-est-coast");
  assert.equal(formatMap({}), "");
});

test("downward API resourceFieldRef: values over the divisor, rounded up (cpu in millicores)", () => {
  const items = (resource: string, divisor?: string) => [{ path: "v", resourceFieldRef: { containerName: "client", resource, divisor } }];
  const v = (resource: string, divisor?: string) => text(downwardAPIPayload(pod, items(resource, divisor), 0o644), "v");
  assert.equal(v("limits.cpu"), "1", "500m over 1 rounds up to 1");
  assert.equal(v("limits.cpu", "1m"), "500");
  assert.equal(v("requests.cpu", "1m"), "250");
  assert.equal(v("limits.memory"), String(64 * 1024 * 1024));
  assert.equal(v("limits.memory", "1Mi"), "64");
  assert.equal(v("requests.memory", "1Mi"), "32");
  assert.equal(v("requests.memory", "1M"), "34", "33554432 bytes over 1e6, rounded up");
  assert.throws(() => downwardAPIPayload(pod, [{ path: "v", resourceFieldRef: { containerName: "other", resource: "limits.cpu" } }], 0o644), /container "other" not found/);
});

test("projected: sources merged in order, token 0600 under fsGroup, every source's error reported together", () => {
  const sources = [
    { secret: { name: "s", items: [{ key: "password", path: "my-group/my-password" }] } },
    { downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }] } },
    { configMap: { name: "cfg", items: [{ key: "ui.properties", path: "my-group/my-config" }] } },
    { serviceAccountToken: { path: "token", expirationSeconds: 3600 } },
  ];
  const inputs = {
    configMaps: new Map([["cfg", cm]]),
    secrets: new Map([["s", secret]]),
    tokens: new Map([[3, { token: "jwt", expirationTimestamp: "2027-01-01T00:00:00Z" }]]),
    fsOwned: true,
  };
  const p = projectedPayload(pod, sources, 0o644, inputs);
  assert.deepEqual([...p.keys()], ["my-group/my-password", "labels", "my-group/my-config", "token"]);
  assert.equal(p.get("token")!.mode, 0o600);
  assert.equal(p.get("labels")!.mode, 0o644);
  assert.equal(projectedPayload(pod, sources, 0o644, { ...inputs, fsOwned: false }).get("token")!.mode, 0o644);
  const broken = { ...inputs, configMaps: new Map(), tokens: new Map([[3, new Error("no token issuer")]]) };
  assert.throws(() => projectedPayload(pod, sources, 0o644, broken), { message: '[configmap "cfg" not found, no token issuer]' });
  const optional = [{ configMap: { name: "gone", optional: true } }, { secret: { name: "s" } }];
  assert.deepEqual([...projectedPayload(pod, optional, 0o644, { ...inputs, configMaps: new Map() }).keys()], ["password"]);
});

test("the tmpfs of a secret or projected volume holds two copies of its sources at their largest", () => {
  const MiB = 1024 * 1024;
  assert.equal(tmpfsSize({ name: "s", secret: { secretName: "s" } }), 3 * MiB);
  assert.equal(tmpfsSize({ name: "p", projected: { sources: [{ secret: { name: "a" } }, { configMap: { name: "b" } }] } }), 5 * MiB);
});

test("the objects a pod's volumes show, and whether they show its labels", () => {
  const p: Pod = {
    ...pod,
    spec: {
      ...pod.spec,
      volumes: [
        { name: "a", configMap: { name: "cfg" } },
        { name: "b", secret: { secretName: "s1" } },
        { name: "c", projected: { sources: [{ secret: { name: "s2" } }, { configMap: { name: "cfg2" } }, { downwardAPI: { items: [{ path: "l", fieldRef: { fieldPath: "metadata.labels" } }] } }] } },
      ],
    },
  };
  const refs = volumeReferences(p);
  assert.deepEqual([...refs.configMaps].sort(), ["cfg", "cfg2"]);
  assert.deepEqual([...refs.secrets].sort(), ["s1", "s2"]);
  assert.equal(showsMetadata(p), true);
  assert.equal(showsMetadata(pod), false);
});
