/**
 * Node IPAM: the cidr set (mask size checks, next free block, blocks taken by CIDRs of other sizes, wrap, full), then
 * the controller over the in-process API: a CIDR per new Node, hand-set CIDRs kept and counted taken, a deleted
 * Node's block free again (reused last), no double allocation after a restart, CIDRNotAvailable when full.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatCidr, parseCidr, type Cidr } from "../../../src/api/cidr.js";
import { FieldError } from "../../../src/api/errors.js";
import type { Event, Node } from "../../../src/api/types.js";
import { ControllerManager } from "../../../src/controllers/foundation/controller.js";
import { cidrSet, nextFree, nodePodCIDRs } from "../../../src/controllers/node-ipam/cidr-set.js";
import { nodeIpamController } from "../../../src/controllers/node-ipam/controller.js";
import { joiningPodCIDR, podCIDRFor, waitForPodCIDR } from "../../../src/cmd/cross-node-wiring.js";
import { waitFor } from "../../helpers/wait.js";
import { startControllers, type ControllerHarness } from "./workloads-harness.js";

const cidr = (t: string): Cidr => parseCidr(t)!;
const node = (name: string, podCIDR?: string): Node => ({ apiVersion: "v1", kind: "Node", metadata: { name }, spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {} });

describe("node IPAM cidr set", () => {
  it("checks --node-cidr-mask-size against the cluster CIDR", () => {
    assert.equal(cidrSet(cidr("10.244.0.0/16"), 24).blocks, 256);
    assert.throws(() => cidrSet(cidr("10.244.0.0/16"), 8), (e: unknown) => e instanceof FieldError && /--node-cidr-mask-size/.test(e.message) && /shorter/.test(e.message));
    assert.throws(() => cidrSet(cidr("10.0.0.0/8"), 26), /more than 2\^16 blocks/);
    assert.throws(() => cidrSet(cidr("10.244.0.0/16"), 31), /1 to 30/);
    assert.throws(() => cidrSet(cidr("10.244.0.0/16"), 24.5), /integer/);
  });

  it("hands out the next free block after the start, skipping every block a taken CIDR touches, and wraps", () => {
    const set = cidrSet(cidr("10.244.0.0/22"), 24);
    const f = (taken: string[], start: number) => {
      const r = nextFree(set, taken.map(cidr), start);
      return r && `${formatCidr(r.cidr)}#${r.index}`;
    };
    assert.equal(f([], 0), "10.244.0.0/24#0");
    assert.equal(f(["10.244.0.0/24"], 0), "10.244.1.0/24#1");
    assert.equal(f(["10.244.0.0/23"], 0), "10.244.2.0/24#2", "a /23 takes two blocks");
    assert.equal(f(["10.244.1.128/25"], 1), "10.244.2.0/24#2", "a /25 takes its whole block");
    assert.equal(f(["10.244.3.0/24"], 3), "10.244.0.0/24#0", "wraps to the start");
    assert.equal(f(["10.0.0.0/8"], 0), undefined, "a CIDR containing the whole set takes it all");
    assert.equal(f(["10.245.0.0/24"], 0), "10.244.0.0/24#0", "CIDRs outside the set do not matter");
    assert.equal(f(["10.244.0.0/24", "10.244.1.0/24", "10.244.2.0/24", "10.244.3.0/24"], 0), undefined);
  });

  it("reads podCIDRs, else podCIDR", () => {
    assert.deepEqual(nodePodCIDRs({ podCIDR: "10.1.0.0/24" }).map(formatCidr), ["10.1.0.0/24"]);
    assert.deepEqual(nodePodCIDRs({ podCIDR: "10.1.0.0/24", podCIDRs: ["10.2.0.0/24"] }).map(formatCidr), ["10.2.0.0/24"]);
    assert.deepEqual(nodePodCIDRs(undefined), []);
  });
});

describe("node IPAM controller", () => {
  const podCIDR = (h: ControllerHarness, name: string) => h.api.get<Node>("Node", "", name)?.spec?.podCIDR;

  it("assigns, keeps hand-set CIDRs, frees on delete and never double-allocates across a restart", async () => {
    const set = cidrSet(cidr("10.244.0.0/16"), 24);
    const h = startControllers([nodeIpamController(set)]);
    try {
      h.api.create(node("hand", "10.244.0.0/24"));
      h.api.create(node("a"));
      h.api.create(node("b"));
      await waitFor("a and b assigned", () => podCIDR(h, "a") !== undefined && podCIDR(h, "b") !== undefined);
      assert.equal(podCIDR(h, "hand"), "10.244.0.0/24");
      const ab = [podCIDR(h, "a"), podCIDR(h, "b")].sort();
      assert.deepEqual(ab, ["10.244.1.0/24", "10.244.2.0/24"]);
      assert.deepEqual(h.api.get<Node>("Node", "", "a")?.spec?.podCIDRs, [podCIDR(h, "a")]);

      const freed = podCIDR(h, "a")!;
      h.api.delete("Node", "", "a");
      h.api.create(node("c"));
      await waitFor("c assigned", () => podCIDR(h, "c") !== undefined);
      assert.equal(podCIDR(h, "c"), "10.244.3.0/24", "a freed block is reused last (round robin)");

      // A restart: a new controller over the same store starts its search at the first block again.
      await h.manager.stop();
      const again = new ControllerManager({ api: h.api, clock: h.clock, nodeName: "node1" });
      again.start([nodeIpamController(set)]);
      try {
        h.api.create(node("d"));
        h.api.create(node("e"));
        await waitFor("d and e assigned", () => podCIDR(h, "d") !== undefined && podCIDR(h, "e") !== undefined);
        const all = ["hand", "b", "c", "d", "e"].map((n) => podCIDR(h, n));
        assert.equal(new Set(all).size, all.length, `no block twice: ${all.join(", ")}`);
        assert.ok([podCIDR(h, "d"), podCIDR(h, "e")].includes(freed), "the deleted node's block was handed out again");
      } finally {
        await again.stop();
      }
    } finally {
      await h.close();
    }
  });

  it("records CIDRNotAvailable when the cluster CIDR is full, and assigns once a block is freed", async () => {
    const h = startControllers([nodeIpamController(cidrSet(cidr("10.250.0.0/23"), 24))]);
    try {
      h.api.create(node("one"));
      h.api.create(node("two"));
      await waitFor("two assigned", () => podCIDR(h, "one") !== undefined && podCIDR(h, "two") !== undefined);
      h.api.create(node("three"));
      const event = () => h.api.list<Event>("Event", { namespace: "default" }).items.find((e) => e.reason === "CIDRNotAvailable");
      await waitFor("CIDRNotAvailable", () => event() !== undefined);
      assert.equal(event()?.message, "Node three status is now: CIDRNotAvailable");
      assert.equal(event()?.involvedObject.kind, "Node");
      assert.equal(podCIDR(h, "three"), undefined);
      h.api.delete("Node", "", "one");
      // The retry is rate-limited (5 ms doubling) on the fake clock.
      await waitFor("three assigned after a block was freed", () => {
        h.clock.advance(1000);
        return podCIDR(h, "three") !== undefined;
      });
      assert.equal(podCIDR(h, "three"), "10.250.0.0/24");
    } finally {
      await h.close();
    }
  });

  it("a joining node agent waits for its Node's pod CIDR; one that never comes is a clear error", async () => {
    const h = startControllers([nodeIpamController(cidrSet(cidr("10.251.0.0/16"), 24))]);
    try {
      const waiting = waitForPodCIDR(h.api, "joiner", h.clock, 60_000);
      h.api.create(node("joiner"));
      assert.match(await waiting, /^10\.251\.\d+\.0\/24$/);
      assert.equal(podCIDRFor(h.api.get<Node>("Node", "", "joiner"), "10.9.9.0/24"), await waiting);
      assert.equal(podCIDRFor(undefined, "10.9.9.0/24"), "10.9.9.0/24", "no Node: the configured --pod-cidr");
      const never = waitForPodCIDR(h.api, "ghost", h.clock, 30_000);
      h.clock.advance(30_000);
      await assert.rejects(never, /node ghost got no pod CIDR within 30 s/);
    } finally {
      await h.close();
    }
  });

  it("a joining node without --pod-cidr registers bare and builds with what IPAM assigns; with --pod-cidr or an assigned Node, no wait", async () => {
    const h = startControllers([nodeIpamController(cidrSet(cidr("10.252.0.0/16"), 24))]);
    const log = () => undefined;
    try {
      const got = await joiningPodCIDR(h.api, "fresh", undefined, h.clock, 60_000, log);
      assert.match(got, /^10\.252\.\d+\.0\/24$/);
      const n = h.api.get<Node>("Node", "", "fresh")!;
      assert.equal(n.spec?.podCIDR, got);
      assert.equal(n.metadata.labels?.["kubernetes.io/hostname"], "fresh");
      assert.equal(await joiningPodCIDR(h.api, "fresh", "10.9.9.0/24", h.clock, 1000, log), got, "the Node's CIDR wins over --pod-cidr (it cannot change)");
      assert.equal(await joiningPodCIDR(h.api, "given", "10.252.200.0/24", h.clock, 1000, log), "10.252.200.0/24");
      assert.equal(h.api.get<Node>("Node", "", "given"), undefined, "with --pod-cidr the kubelet registers the Node");
    } finally {
      await h.close();
    }
  });
});
