/**
 * Services through the real CLI against a real daemon (no pod network needed): allocation, printing like kubectl,
 * endpoints of a selectorless service mirrored to a slice, and bad input — each a clear error naming the field,
 * with nothing stored.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { needsRoot } from "../helpers/root.js";
import { eventually, suiteDaemon } from "../helpers/daemon.js";

const skip = needsRoot();

function svc(name: string, spec: string): string {
  return `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec:\n${spec}`;
}

describe("services through the CLI (privileged daemon)", { skip }, () => {
  const d = suiteDaemon("svc-cli", ["--service-cidr", "10.158.0.0/16"]);

  const apply = (yaml: string) => d.cli(["apply", "-f", "-"], yaml);

  test("get svc prints kubectl's columns with an allocated cluster IP and node port", async () => {
    assert.equal((await apply(svc("web", "  type: NodePort\n  selector: {app: web}\n  ports: [{name: http, port: 80, targetPort: 8080}]\n"))).code, 0);
    const r = await d.cli(["get", "svc"]);
    const [header, line] = r.stdout.trim().split("\n");
    assert.match(header, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/);
    assert.match(line, /^web\s+NodePort\s+10\.158\.\d+\.\d+\s+<none>\s+80:3\d{4}\/TCP\s+\d+s$/);
  });

  test("a selectorless service with hand-written Endpoints: get endpoints, the mirrored slice, describe", async () => {
    const yaml = `${svc("ext", "  clusterIP: 10.158.0.20\n  ports: [{name: dns, port: 53, protocol: UDP}]\n")}---
apiVersion: v1
kind: Endpoints
metadata: {name: ext}
subsets: [{addresses: [{ip: 192.0.2.7}], ports: [{name: dns, port: 5353, protocol: UDP}]}]
`;
    assert.equal((await apply(yaml)).code, 0);
    assert.match((await d.cli(["get", "endpoints", "ext"])).stdout, /ext\s+192\.0\.2\.7:5353/);
    await eventually(async () => /ext-[0-9a-f]{5}\s+IPv4\s+5353\s+192\.0\.2\.7/.test((await d.cli(["get", "endpointslices"])).stdout), 5000, "mirrored slice");
    const desc = (await d.cli(["describe", "svc", "ext"])).stdout;
    assert.match(desc, /IP:\s+10\.158\.0\.20/);
    assert.match(desc, /Endpoints:\s+192\.0\.2\.7:5353/);
  });

  test("bad input: a clear error naming the field, nothing stored", async () => {
    const cases: [string, string, RegExp][] = [
      ["outside", "  clusterIP: 10.1.2.3\n  ports: [{port: 80}]\n", /spec\.clusterIPs\[0\]: Invalid value: "10\.1\.2\.3": failed to allocate IP 10\.1\.2\.3: the provided IP \(10\.1\.2\.3\) is not in the valid range\. The range of valid IPs is 10\.158\.0\.0\/16/],
      ["taken", "  clusterIP: 10.158.0.20\n  ports: [{port: 80}]\n", /spec\.clusterIPs\[0\]: .*provided IP is already allocated/],
      ["np-range", "  type: NodePort\n  ports: [{port: 80, nodePort: 80}]\n", /spec\.ports\[0\]\.nodePort: Invalid value: 80: provided port is not in the valid range\. The range of valid ports is 30000-32767/],
      ["dup-names", "  ports: [{name: a, port: 80}, {name: a, port: 81}]\n", /spec\.ports\[1\]\.name: Duplicate value: "a"/],
      ["bad-selector", "  selector: {'app': 'no spaces allowed'}\n  ports: [{port: 80}]\n", /spec\.selector: Invalid value: "no spaces allowed"/],
    ];
    for (const [name, spec, message] of cases) {
      const r = await apply(svc(name, spec));
      assert.notEqual(r.code, 0, name);
      assert.match(r.stderr, message, name);
      assert.notEqual((await d.cli(["get", "svc", name])).code, 0, `${name} was not stored`);
    }
    const nodePort = (await d.cli(["get", "svc", "web", "-o", "jsonpath={.spec.ports[0].nodePort}"])).stdout.trim();
    const taken = await apply(svc("np-taken", `  type: NodePort\n  ports: [{port: 80, nodePort: ${nodePort}}]\n`));
    assert.match(taken.stderr, new RegExp(`spec\\.ports\\[0\\]\\.nodePort: Invalid value: ${nodePort}: provided port is already allocated`));
  });

  test("deleting a service deletes its Endpoints and slices", async () => {
    assert.equal((await d.cli(["delete", "svc", "ext"])).code, 0);
    await eventually(async () => (await d.cli(["get", "endpoints", "ext"])).code !== 0 && !(await d.cli(["get", "endpointslices"])).stdout.includes("ext-"), 5000, "ext's endpoints gone");
  });
});
