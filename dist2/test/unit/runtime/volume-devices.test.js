import { test } from "node:test";
import assert from "node:assert/strict";
import { containerDeviceRules, DEFAULT_DEVICE_RULES, volumeDeviceRules } from "../../../src/runtime/devices.js";
test("volumeDevices: exactly the claimed block devices are allowed, read-write, on top of the defaults", () => {
    const volumes = new Map([
        ["blk", { hostPath: "/dev/loop3", readOnly: false, device: { major: 7, minor: 3 } }],
        ["big", { hostPath: "/dev/loop300", readOnly: false, device: { major: 7, minor: 300 } }],
        ["dir", { hostPath: "/var/lib/x", readOnly: false }],
    ]);
    const c = { name: "c", image: "busybox", volumeDevices: [{ name: "blk", devicePath: "/dev/xvda" }, { name: "big", devicePath: "/dev/xvdb" }] };
    assert.deepEqual(volumeDeviceRules(c, volumes), ["b 7:3 rw", "b 7:300 rw"]);
    assert.deepEqual(volumeDeviceRules({ name: "c", image: "busybox" }, volumes), []);
    assert.deepEqual(containerDeviceRules(false, ["b 7:3 rw"]), [...DEFAULT_DEVICE_RULES, "b 7:3 rw"]);
    assert.equal(containerDeviceRules(true, ["b 7:3 rw"]), undefined, "privileged: no device policy at all");
});
//# sourceMappingURL=volume-devices.test.js.map