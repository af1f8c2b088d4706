/**
 * The devices a container may use: runc's default allowlist (libcontainer/specconv AllowedDevices, the set
 * containerd's and CRI-O's specs also give), without the tun/tap runc adds. Any device may be made with mknod (so
 * images that carry device nodes unpack), but only these may be opened: null, zero, full, random, urandom, tty,
 * console, ptmx and the pty slaves of the container's own devpts. Privileged containers get no device policy.
 */

export const DEFAULT_DEVICE_RULES = [
  "c *:* m", "b *:* m",
  "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",
  "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm",
];

/** The device allowlist of a container (undefined: every device, for privileged ones). */
export function containerDeviceRules(privileged: boolean): string[] | undefined {
  return privileged ? undefined : DEFAULT_DEVICE_RULES;
}
