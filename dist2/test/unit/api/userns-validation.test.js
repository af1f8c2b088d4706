import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { admitCreate } from "../../../src/api/admission.js";
import { assertErrors, container, createErrors, CTX, pod } from "./helpers.js";
describe("hostUsers: false (validation as Kubernetes')", () => {
    it("procMount: Unmasked is accepted only with hostUsers: false", () => {
        const unmasked = container({ securityContext: { procMount: "Unmasked" } });
        assertErrors(createErrors(pod({ containers: [unmasked] })), [
            "spec.containers[0].securityContext.procMount: Invalid value: \"Unmasked\": `hostUsers` must be false to use `Unmasked`",
        ]);
        const admitted = admitCreate(pod({ hostUsers: false, containers: [unmasked] }), CTX);
        assert.equal(admitted.spec.containers[0].securityContext?.procMount, "Unmasked");
    });
    it("a pod in its own user namespace shares no namespace with the host", () => {
        assertErrors(createErrors(pod({ hostUsers: false, hostNetwork: true, hostPID: true, hostIPC: true })), [
            "spec.hostNetwork: Forbidden: when `pod.Spec.HostUsers` is false",
            "spec.hostPID: Forbidden: when `pod.Spec.HostUsers` is false",
            "spec.hostIPC: Forbidden: when `pod.Spec.HostUsers` is false",
        ]);
    });
});
//# sourceMappingURL=userns-validation.test.js.map