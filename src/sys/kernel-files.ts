/**
 * The few kernel files the pod network reads and writes directly instead of exec'ing a tool (each read here saves
 * a ~2.5 ms exec): sysctls under /proc/sys, bridge-port and interface attributes under /sys/class/net, and the
 * list of legacy iptables tables. Writes go through the Runner, so `explain` shows them as `printf ... > file`.
 * procfs and sysfs are parameters (DESIGN.md rule 5); a file that cannot be read counts as absent.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Runner } from "./runner.js";

/** Where the kernel's files are: procfs and sysfs. */
export interface KernelPaths {
  proc: string;
  sys: string;
}

export const KERNEL_PATHS: KernelPaths = { proc: "/proc", sys: "/sys" };

export interface KernelFiles {
  readSysctl(key: string): string | undefined;
  writeSysctl(key: string, value: string, owner?: string): Promise<void>;
  /** /sys/class/net/NAME/ifindex, or undefined when the interface does not exist (in our namespace). */
  ifindex(name: string): number | undefined;
  isBridge(name: string): boolean;
  /** Sets hairpin mode on a bridge port (brport/hairpin_mode): what `ip link set NAME type bridge_slave hairpin on` does. */
  setHairpin(port: string, on: boolean, owner?: string): Promise<void>;
  /** Ports of a bridge (/sys/class/net/BR/brif). */
  bridgePorts(bridge: string): string[];
  /** Legacy iptables tables the kernel has instantiated (/proc/net/ip_tables_names). */
  legacyIptablesTables(): string[];
  /** Bridges whose alias (/sys/class/net/NAME/ifalias) is `alias`: the nodelet bridges of every daemon. */
  bridgesWithAlias(alias: string): string[];
}

function readOr(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return undefined;
  }
}

export function hostKernelFiles(runner: Runner, paths: KernelPaths = KERNEL_PATHS): KernelFiles {
  // Keys are paths under /proc/sys ("net/ipv4/ip_forward"): dotted keys break on interface names with dots.
  const sysctlPath = (key: string) => join(paths.proc, "sys", key);
  const net = (...parts: string[]) => join(paths.sys, "class/net", ...parts);
  return {
    readSysctl: (key) => readOr(sysctlPath(key)),
    writeSysctl: (key, value, owner) => runner.writeFile(sysctlPath(key), `${value}\n`, owner),
    ifindex(name) {
      const v = readOr(net(name, "ifindex"));
      return v === undefined ? undefined : Number(v);
    },
    isBridge: (name) => existsSync(net(name, "bridge")),
    setHairpin: (port, on, owner) => runner.writeFile(net(port, "brport/hairpin_mode"), on ? "1\n" : "0\n", owner),
    bridgePorts(bridge) {
      try {
        return readdirSync(net(bridge, "brif"));
      } catch {
        return [];
      }
    },
    legacyIptablesTables: () => (readOr(join(paths.proc, "net/ip_tables_names")) ?? "").split("\n").filter(Boolean),
    bridgesWithAlias(alias) {
      let names: string[];
      try {
        names = readdirSync(net());
      } catch {
        return [];
      }
      return names.filter((n) => existsSync(net(n, "bridge")) && readOr(net(n, "ifalias")) === alias);
    },
  };
}
