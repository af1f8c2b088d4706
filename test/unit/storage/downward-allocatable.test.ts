/**
 * resourceFieldRef of a limit the container leaves unset gives the node's allocatable, as the kubelet reports it
 * (containerResourceRuntimeValue merges unset cpu, memory and ephemeral-storage limits with the node's
 * allocatable), in env and in downwardAPI and projected volume files; requests stay what the container asks.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Container, Pod } from "../../../src/api/types.js";
import { resourceFieldValue } from "../../../src/api/downward-api.js";
import { containerEnvironment } from "../../../src/runtime/container-env.js";
import { downwardAPIPayload, projectedPayload } from "../../../src/storage/projection.js";

const allocatable = { cpu: "1500m", memory: "3Gi", "ephemeral-storage": "20Gi", pods: "110" };
const bare: Container = { name: "bare", image: "busybox" };
const limited: Container = { name: "limited", image: "busybox", resources: { limits: { cpu: "250m", memory: "64Mi" }, requests: { cpu: "100m" } } };
const pod: Pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "ns", uid: "u" }, spec: { containers: [bare, limited] } };

test("an unset limit is the node's allocatable; a set one is the container's; requests are not defaulted", () => {
  const v = (c: Container, resource: string, divisor?: string) => resourceFieldValue(pod, c, { resource, divisor }, "f", allocatable);
  assert.equal(v(bare, "limits.cpu"), "2", "1500m over 1 core, rounded up");
  assert.equal(v(bare, "limits.cpu", "1m"), "1500");
  assert.equal(v(bare, "limits.memory", "1Mi"), "3072");
  assert.equal(v(bare, "limits.ephemeral-storage", "1Gi"), "20");
  assert.equal(v(bare, "requests.cpu", "1m"), "0", "an unset request stays 0, as ExtractContainerResourceValue reads it");
  assert.equal(v(bare, "requests.memory"), "0");
  assert.equal(v(limited, "limits.cpu", "1m"), "250");
  assert.equal(v(limited, "limits.memory", "1Mi"), "64");
  assert.equal(v(limited, "limits.ephemeral-storage", "1Gi"), "20", "only the limits it leaves unset are the node's");
  // A node whose allocatable is not known yet (no Node object) still answers.
  assert.equal(resourceFieldValue(pod, bare, { resource: "limits.memory" }, "f"), "0");
});

test("env: resourceFieldRef to an unset limit reads the node's allocatable", () => {
  const c: Container = {
    ...bare,
    env: [
      { name: "CPU", valueFrom: { resourceFieldRef: { resource: "limits.cpu", divisor: "1m" } } },
      { name: "MEM", valueFrom: { resourceFieldRef: { resource: "limits.memory", divisor: "1Mi" } } },
    ],
  };
  const env = containerEnvironment({ ...pod, spec: { containers: [c] } }, c, [], { configMaps: {}, secrets: {}, hostname: "p", allocatable });
  assert.ok(env.includes("CPU=1500") && env.includes("MEM=3072"), env.join(" "));
});

test("downwardAPI and projected volume files of an unset limit read the node's allocatable", () => {
  const items = [
    { path: "cpu", resourceFieldRef: { containerName: "bare", resource: "limits.cpu", divisor: "1m" } },
    { path: "mem", resourceFieldRef: { containerName: "limited", resource: "limits.memory", divisor: "1Mi" } },
  ];
  const text = (p: Map<string, { data: Buffer }>, k: string) => p.get(k)!.data.toString();
  const files = downwardAPIPayload(pod, items, 0o644, allocatable);
  assert.equal(text(files, "cpu"), "1500");
  assert.equal(text(files, "mem"), "64");
  const projected = projectedPayload(pod, [{ downwardAPI: { items } }], 0o644, { configMaps: new Map(), secrets: new Map(), tokens: new Map(), fsOwned: false, allocatable });
  assert.equal(text(projected, "cpu"), "1500");
});
