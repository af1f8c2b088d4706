/**
 * Bad input to configuration volumes and objects is refused with Kubernetes' field errors: item paths with `..` or
 * absolute, modes out of 0..0777, projected sources (kinds, duplicate paths, token lifetimes), downward API field
 * paths and divisors, ConfigMap keys that are not file names, Secrets over 1 MiB, and immutable data.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ConfigMap, Pod, Secret } from "../../../src/api/types.js";
import { configMapStrategy, secretStrategy, validateConfigMap, validateSecret } from "../../../src/api/misc-kinds.js";
import { admitCreate } from "../../../src/api/admission.js";
import { assertHasError, container, createErrors, CTX, pod } from "./helpers.js";

const errsFor = (volumes: NonNullable<Pod["spec"]["volumes"]>) => createErrors(pod({ volumes, containers: [container({})] }));
const msgs = (errs: { message: string }[]) => errs.map((e) => e.message);

describe("configuration volumes", () => {
  it("refuses item paths that are absolute or step out, and modes out of range", () => {
    const errs = errsFor([
      { name: "a", configMap: { name: "cfg", items: [{ key: "k", path: "../etc" }, { key: "k", path: "/abs" }], defaultMode: 0o1000 } },
      { name: "b", secret: { secretName: "s", items: [{ key: "k", path: "x", mode: -1 }] } },
    ]);
    assertHasError(errs, `spec.volumes[0].configMap.items[0].path: Invalid value: "../etc": must not contain '..'`);
    assertHasError(errs, `spec.volumes[0].configMap.items[1].path: Invalid value: "/abs": must be a relative path`);
    assertHasError(errs, "spec.volumes[0].configMap.defaultMode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive");
    assertHasError(errs, "spec.volumes[1].secret.items[0].mode: Invalid value: -1: must be a number between 0 and 0777 (octal), both inclusive");
  });

  it("checks downwardAPI files: metadata paths only, a container for resources, known divisors", () => {
    const errs = errsFor([
      {
        name: "d",
        downwardAPI: {
          items: [
            { path: "ip", fieldRef: { fieldPath: "status.podIP" } },
            { path: "cpu", resourceFieldRef: { resource: "limits.cpu", divisor: "1Mi" } },
            { path: "none" },
          ],
        },
      },
    ]);
    assertHasError(errs, 'spec.volumes[0].downwardAPI.fieldRef.fieldPath: Unsupported value: "status.podIP"');
    assertHasError(errs, "spec.volumes[0].downwardAPI.resourceFieldRef.containerName: Required value");
    assertHasError(errs, `spec.volumes[0].downwardAPI.resourceFieldRef.divisor: Invalid value: "1Mi": only divisor's values 1m, 1 are supported with the cpu resource`);
    assertHasError(errs, "spec.volumes[0].downwardAPI: Required value: one of fieldRef and resourceFieldRef is required");
  });

  it("checks projected sources: one kind each, no path twice, token lifetime and path", () => {
    const errs = errsFor([
      {
        name: "p",
        projected: {
          sources: [
            { secret: { name: "s", items: [{ key: "a", path: "same" }] }, configMap: { name: "c" } },
            { configMap: { name: "c", items: [{ key: "b", path: "same" }] } },
            { serviceAccountToken: { path: "token", expirationSeconds: 60 } },
          ],
        },
      },
    ]);
    assertHasError(errs, "spec.volumes[0].projected.sources[0]: Forbidden: may not specify more than 1 volume type per source");
    assertHasError(errs, 'spec.volumes[0].projected: Invalid value: "c": conflicting duplicate paths');
    assertHasError(errs, "spec.volumes[0].projected.sources[2].serviceAccountToken.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes");
  });

  it("admits the docs' projected example and defaults its token lifetime", () => {
    const p = pod({
      containers: [container({})],
      volumes: [
        {
          name: "all-in-one",
          projected: {
            sources: [
              { secret: { name: "mysecret", items: [{ key: "username", path: "my-group/my-username" }] } },
              { downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }, { path: "cpu_limit", resourceFieldRef: { containerName: "c", resource: "limits.cpu" } }] } },
              { configMap: { name: "myconfigmap", items: [{ key: "config", path: "my-group/my-config" }] } },
              { serviceAccountToken: { path: "token" } },
            ],
          },
        },
      ],
    });
    const admitted = admitCreate<Pod>(p, CTX);
    assert.equal(admitted.spec.volumes![0].projected!.sources![3].serviceAccountToken!.expirationSeconds, 3600);
    assert.equal(admitted.spec.volumes![0].projected!.defaultMode, 0o644);
  });
});

describe("ConfigMap and Secret objects", () => {
  const meta = { name: "x", namespace: "default" };
  it("refuses a key that is not a file name and a Secret over 1 MiB", () => {
    const cm: ConfigMap = { apiVersion: "v1", kind: "ConfigMap", metadata: meta, data: { "a/b": "x", "..": "y" } };
    const e = msgs(validateConfigMap(cm));
    assert.ok(e.some((m) => m.startsWith('data[a/b]: Invalid value: "a/b": a valid config key must consist of alphanumeric characters')), e.join("\n"));
    assert.ok(e.some((m) => m.startsWith("data[..]: Invalid value: \"..\"")), e.join("\n"));
    const big: Secret = { apiVersion: "v1", kind: "Secret", metadata: meta, data: { k: Buffer.alloc(1024 * 1024 + 1).toString("base64") } };
    assert.deepEqual(msgs(validateSecret(big)), ["data: Too long: may not be more than 1048576 bytes"]);
  });

  it("an immutable object's data may not change: `field is immutable when `immutable` is set`", () => {
    const old: ConfigMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { ...meta, resourceVersion: "1" }, data: { a: "1" }, immutable: true };
    const next: ConfigMap = { ...old, data: { a: "2" } };
    assert.deepEqual(msgs(configMapStrategy.validateUpdate(next, old)), ["data: Forbidden: field is immutable when `immutable` is set"]);
    const oldSec: Secret = { apiVersion: "v1", kind: "Secret", type: "Opaque", metadata: { ...meta, resourceVersion: "1" }, data: { a: "MQ==" }, immutable: true };
    const mutable: Secret = { ...oldSec, immutable: false };
    assert.deepEqual(msgs(secretStrategy.validateUpdate(mutable, oldSec)), ["immutable: Forbidden: field is immutable when `immutable` is set"]);
  });
});
