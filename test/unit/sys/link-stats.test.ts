import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readLinkStats } from "../../../src/sys/link-stats.js";

test("readLinkStats reads each existing interface's counters and leaves out missing or ill-named ones", async () => {
  const root = mkdtempSync(join(tmpdir(), "link-stats-"));
  try {
    const dir = join(root, "veth1", "statistics");
    mkdirSync(dir, { recursive: true });
    for (const [f, v] of [["rx_packets", "1"], ["rx_bytes", "100"], ["tx_packets", "2"], ["tx_bytes", "200"]]) writeFileSync(join(dir, f), `${v}\n`);
    const stats = await readLinkStats(["veth1", "gone0", "../etc"], root);
    assert.deepEqual([...stats.keys()], ["veth1"]);
    assert.deepEqual(stats.get("veth1"), { rxPackets: 1, rxBytes: 100, txPackets: 2, txBytes: 200 });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
