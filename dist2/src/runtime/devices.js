export const DEFAULT_DEVICE_RULES = [
    "c *:* m", "b *:* m",
    "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",
    "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm",
];
/** The device allowlist of a container (undefined: every device, for privileged ones), plus `extra` rules. */
export function containerDeviceRules(privileged, extra = []) {
    return privileged ? undefined : [...DEFAULT_DEVICE_RULES, ...extra];
}
/**
 * The rules that let a container read and write the block devices of its volumeDevices, and no other: exactly
 * "b MAJOR:MINOR rw" for each (mknod is already allowed by "b *:* m"; opening is what the rule grants).
 */
export function volumeDeviceRules(c, volumes) {
    return (c.volumeDevices ?? []).flatMap((d) => {
        const dev = volumes.get(d.name)?.device;
        return dev ? [`b ${dev.major}:${dev.minor} rw`] : [];
    });
}
//# sourceMappingURL=devices.js.map