import { test } from "node:test";
import assert from "node:assert/strict";
import { jsonPath } from "../../../src/cli/jsonpath.js";
import { parseArgs, UsageError } from "../../../src/cli/args.js";
import { formatColumns } from "../../../src/cli/printers.js";
const pod = {
    metadata: { name: "web", labels: { app: "web" }, annotations: { "kubernetes.io/config.mirror": "abc" } },
    status: { podIP: "10.0.0.5", containerStatuses: [{ name: "a", restartCount: 1 }, { name: "b", restartCount: 0 }] },
};
test("jsonpath: fields, indexes, wildcards, quoted and escaped keys, ranges, literals", () => {
    assert.equal(jsonPath(pod, "{.status.podIP}"), "10.0.0.5");
    assert.equal(jsonPath(pod, "{.status.containerStatuses[*].name}"), "a b");
    assert.equal(jsonPath(pod, "{.status.containerStatuses[1].restartCount}"), "0");
    assert.equal(jsonPath(pod, "{.metadata.labels['app']}"), "web");
    assert.equal(jsonPath(pod, "{.metadata.annotations.kubernetes\\.io/config\\.mirror}"), "abc");
    assert.equal(jsonPath({ items: [pod, pod] }, '{range .items[*]}{.metadata.name}{"\\n"}{end}'), "web\nweb\n");
    assert.equal(jsonPath(pod, "name={.metadata.name}"), "name=web");
    assert.equal(jsonPath(pod, "{.metadata}"), JSON.stringify(pod.metadata));
    assert.throws(() => jsonPath(pod, "{.status.podIP"), /unclosed/);
});
test("args: long and short flags, values, repeats, grouped booleans, -- rest, unknown flags", () => {
    const specs = [
        { name: "namespace", short: "n", value: true },
        { name: "env", value: true, multiple: true },
        { name: "stdin", short: "i", value: false },
        { name: "tty", short: "t", value: false },
    ];
    const p = parseArgs(["pod", "-n", "kube-system", "--env=A=1", "--env", "B=2", "-it", "--", "sh", "-c", "x --y"], specs);
    assert.deepEqual(p.positional, ["pod"]);
    assert.deepEqual(p.flags.get("namespace"), ["kube-system"]);
    assert.deepEqual(p.flags.get("env"), ["A=1", "B=2"]);
    assert.deepEqual([p.flags.get("stdin"), p.flags.get("tty")], [["true"], ["true"]]);
    assert.deepEqual(p.rest, ["sh", "-c", "x --y"]);
    assert.deepEqual(parseArgs(["-nfoo"], specs).flags.get("namespace"), ["foo"]);
    assert.throws(() => parseArgs(["--nope"], specs), (e) => e instanceof UsageError && /unknown flag: --nope/.test(e.message));
    assert.throws(() => parseArgs(["-n"], specs), /flag needs an argument/);
});
test("columns are aligned three spaces apart, as kubectl's tabwriter does", () => {
    assert.equal(formatColumns([["NAME", "READY"], ["a-long-name", "1/1"]]), "NAME          READY\na-long-name   1/1\n");
});
//# sourceMappingURL=jsonpath.test.js.map