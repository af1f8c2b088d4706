/** The ServiceAccount admission of new pods. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApiError } from "../../../src/api/errors.js";
import type { ServiceAccount } from "../../../src/api/service-account.js";
import type { Pod } from "../../../src/api/types.js";
import { admitServiceAccount, TOKEN_MOUNT_PATH } from "../../../src/auth/service-account-admission.js";
import { openStore } from "../../../src/store/sqlite-store.js";

function pod(extra: Partial<Pod["spec"]> = {}): Pod {
  return { apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "team" }, spec: { containers: [{ name: "a", image: "busybox" }, { name: "b", image: "busybox" }], ...extra } };
}

describe("ServiceAccount admission", () => {
  const store = openStore(":memory:");
  store.create<ServiceAccount>({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace: "team" } });
  store.create<ServiceAccount>({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "quiet", namespace: "team" }, automountServiceAccountToken: false });

  it("mounts kube-api-access-XXXXX (token, ca.crt, namespace) read-only in every container", () => {
    const p = admitServiceAccount(pod({ initContainers: [{ name: "i", image: "busybox" }] }), store, () => 0);
    assert.equal(p.spec.volumes?.length, 1);
    const v = p.spec.volumes?.[0] as { name: string; projected: { sources: Record<string, unknown>[] } };
    assert.equal(v.name, "kube-api-access-bbbbb");
    assert.deepEqual(v.projected.sources.map((s) => Object.keys(s)[0]), ["serviceAccountToken", "configMap", "downwardAPI"]);
    assert.deepEqual(v.projected.sources[0], { serviceAccountToken: { expirationSeconds: 3607, path: "token" } });
    for (const c of [...p.spec.initContainers!, ...p.spec.containers]) assert.deepEqual(c.volumeMounts, [{ name: v.name, readOnly: true, mountPath: TOKEN_MOUNT_PATH }]);
  });

  it("automountServiceAccountToken false on the pod or the account mounts nothing; the pod's true wins over the account", () => {
    assert.equal(admitServiceAccount(pod({ automountServiceAccountToken: false }), store).spec.volumes, undefined);
    assert.equal(admitServiceAccount(pod({ serviceAccountName: "quiet" }), store).spec.volumes, undefined);
    assert.equal(admitServiceAccount(pod({ serviceAccountName: "quiet", automountServiceAccountToken: true }), store).spec.volumes?.length, 1);
  });

  it("a container with its own mount there keeps it", () => {
    const p = pod();
    p.spec.containers[0].volumeMounts = [{ name: "mine", mountPath: TOKEN_MOUNT_PATH }];
    p.spec.volumes = [{ name: "mine", emptyDir: {} }];
    const out = admitServiceAccount(p, store);
    assert.deepEqual(out.spec.containers[0].volumeMounts, [{ name: "mine", mountPath: TOKEN_MOUNT_PATH }]);
    assert.equal(out.spec.containers[1].volumeMounts?.[0].mountPath, TOKEN_MOUNT_PATH);
    assert.equal(out.spec.volumes?.length, 2);
  });

  it("a missing ServiceAccount is refused as upstream words it; mirror pods are left alone", () => {
    assert.throws(() => admitServiceAccount(pod({ serviceAccountName: "ghost" }), store), (e: unknown) => e instanceof ApiError && e.code === 403 && e.message === 'pods "web" is forbidden: error looking up service account team/ghost: serviceaccount "ghost" not found');
    const mirror = pod({ serviceAccountName: "ghost" });
    mirror.metadata.annotations = { "kubernetes.io/config.mirror": "x" };
    assert.equal(admitServiceAccount(mirror, store).spec.volumes, undefined);
  });
});
