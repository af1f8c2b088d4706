/**
 * Command-line parsing: flags in kubectl's forms, and global flags before the verb (`nodelet -n ns get pods`,
 * `nodelet --socket S get pods`) meaning what they mean after it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { boolFlag, flag, flags, GLOBAL_FLAGS, intFlag, parseArgs, splitVerb, UsageError } from "../../../src/cli/args.js";
const SPECS = [
    ...GLOBAL_FLAGS,
    { name: "image", value: true },
    { name: "env", value: true, multiple: true },
    { name: "stdin", short: "i", value: false },
    { name: "tty", short: "t", value: false },
    { name: "container", short: "c", value: true },
    { name: "tail", value: true },
    { name: "validate", value: false },
];
test("parseArgs: --f v, --f=v, -f v, -fv, grouped booleans, repeated flags, and -- kept verbatim", () => {
    const p = parseArgs(["web", "--image", "busybox", "--env=A=1", "--env", "B=2", "-it", "-cmain", "-n", "ns", "--", "sh", "-c", "ls -h"], SPECS);
    assert.deepEqual(p.positional, ["web"]);
    assert.equal(flag(p, "image"), "busybox");
    assert.deepEqual(flags(p, "env"), ["A=1", "B=2"]);
    assert.equal(boolFlag(p, "stdin"), true);
    assert.equal(boolFlag(p, "tty"), true);
    assert.equal(flag(p, "container"), "main");
    assert.equal(flag(p, "namespace"), "ns");
    assert.deepEqual(p.rest, ["sh", "-c", "ls -h"]);
});
test("parseArgs: a boolean given =false is off; a value may start with a dash; a negative number is a word", () => {
    const p = parseArgs(["--validate=false", "--tail", "-1", "-5"], SPECS);
    assert.equal(boolFlag(p, "validate"), false);
    assert.equal(intFlag(p, "tail"), -1);
    assert.deepEqual(p.positional, ["-5"]);
});
test("parseArgs: unknown flags and missing values are usage errors naming the flag", () => {
    assert.throws(() => parseArgs(["--nope"], SPECS), (e) => e instanceof UsageError && e.message === "unknown flag: --nope");
    assert.throws(() => parseArgs(["-x"], SPECS), /unknown shorthand flag: 'x' in -x/);
    assert.throws(() => parseArgs(["--image"], SPECS), /flag needs an argument: --image/);
    assert.throws(() => parseArgs(["-n"], SPECS), /flag needs an argument: 'n' in -n/);
    assert.throws(() => intFlag(parseArgs(["--tail", "x"], SPECS), "tail"), /invalid argument "x" for "--tail"/);
});
test("splitVerb: global flags before the verb are moved after it, in their order, with their values", () => {
    assert.deepEqual(splitVerb(["--socket", "/s", "get", "pods"]), { verb: "get", args: ["--socket", "/s", "pods"] });
    assert.deepEqual(splitVerb(["-n", "ns", "get", "pods", "-o", "json"]), { verb: "get", args: ["-n", "ns", "pods", "-o", "json"] });
    assert.deepEqual(splitVerb(["-nns", "--socket=/s", "logs", "p"]), { verb: "logs", args: ["-nns", "--socket=/s", "p"] });
    assert.deepEqual(splitVerb(["--root", "/r", "-v", "daemon", "--bridge", "b"]), { verb: "daemon", args: ["--root", "/r", "-v", "--bridge", "b"] });
    assert.deepEqual(splitVerb(["--server", "https://h:1", "--token", "t", "version"]), { verb: "version", args: ["--server", "https://h:1", "--token", "t"] });
    // A flag's value that looks like a verb is still its value.
    assert.deepEqual(splitVerb(["-n", "get", "get", "pods"]), { verb: "get", args: ["-n", "get", "pods"] });
    // After the verb nothing is touched (the verb's own flags, -- and the container's command).
    assert.deepEqual(splitVerb(["exec", "p", "--", "ls", "-n"]), { verb: "exec", args: ["p", "--", "ls", "-n"] });
});
test("splitVerb: no verb, a flag no verb knows, or a missing value", () => {
    assert.deepEqual(splitVerb([]), { args: [] });
    assert.deepEqual(splitVerb(["--help"]), { args: ["--help"] });
    assert.deepEqual(splitVerb(["-n", "ns"]), { args: ["-n", "ns"] });
    assert.deepEqual(splitVerb(["--", "get"]), { args: ["--", "get"] });
    assert.throws(() => splitVerb(["-o", "json", "get", "pods"]), /unknown shorthand flag: 'o' in -o/);
    assert.throws(() => splitVerb(["--bogus", "get"]), /unknown flag: --bogus/);
    assert.throws(() => splitVerb(["--socket"]), /flag needs an argument: --socket/);
});
const NODELET = fileURLToPath(new URL("../../../src/cmd/nodelet.js", import.meta.url));
const cli = (...args) => spawnSync(process.execPath, [NODELET, ...args], { encoding: "utf8", timeout: 10_000, env: { ...process.env, NODELET_SOCKET: "/nonexistent/env.sock" } });
test("nodelet --socket S get pods uses S (the flag before the verb wins over NODELET_SOCKET)", () => {
    const r = cli("--socket", "/nonexistent/flag.sock", "get", "pods");
    assert.equal(r.status, 1);
    assert.match(r.stderr, /cannot connect to nodelet at \/nonexistent\/flag\.sock/);
});
test("nodelet -n ns VERB --help prints the verb's help, which says the global flags may come first", () => {
    const r = cli("-n", "ns", "get", "--help");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Usage:\n {2}nodelet get TYPE/);
    assert.match(r.stdout, /may also come before the verb .*: --socket, -n\/--namespace, --server, --token\n$/);
});
test("a flag before the verb that the verb does not take is refused by the verb, naming it", () => {
    const r = cli("-n", "ns", "daemon");
    assert.equal(r.status, 1);
    assert.match(r.stderr, /unknown shorthand flag: 'n' in -n/);
    const bad = cli("-o", "json", "get", "pods");
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^error: unknown shorthand flag: 'o' in -o\nRun 'nodelet help' for usage\.\n$/);
});
test("nodelet with only flags prints the usage; with --help exits 0, without a verb 1", () => {
    const help = cli("--socket", "/s", "--help");
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^nodelet: a Kubernetes node agent/);
    const none = cli("-n", "ns");
    assert.equal(none.status, 1);
    assert.match(none.stdout, /Usage: nodelet \[flags\] VERB \[flags\]/);
});
//# sourceMappingURL=flags-before-verb.test.js.map