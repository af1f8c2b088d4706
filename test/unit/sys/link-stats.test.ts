import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseProcNetDev, readLinkStats } from "../../../src/sys/link-stats.js";

const DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:  123456     789    0    0    0     0          0         0   123456     789    0    0    0     0       0          0
nl03625714a1b83:     100       1    0    0    0     0          0         0      200        2    0    0    0     0       0          0
  eth0: 9999999999 88888 1 2 3 4 5 6 7777777777 66666 0 0 0 0 0 0
`;

test("/proc/net/dev: receive and transmit bytes and packets of the wanted interfaces; missing ones left out", () => {
  const stats = parseProcNetDev(DEV, new Set(["nl03625714a1b83", "eth0", "gone0"]));
  assert.deepEqual([...stats.keys()], ["nl03625714a1b83", "eth0"]);
  assert.deepEqual(stats.get("nl03625714a1b83"), { rxPackets: 1, rxBytes: 100, txPackets: 2, txBytes: 200 });
  assert.deepEqual(stats.get("eth0"), { rxPackets: 88888, rxBytes: 9999999999, txPackets: 66666, txBytes: 7777777777 });
  assert.equal(parseProcNetDev(DEV).size, 3, "every interface when none is named");
  assert.equal(parseProcNetDev("x: 1 2 3\n").size, 0, "a short line is not read as counters");
});

test("readLinkStats reads the file it is given, and this host's loopback", () => {
  const dir = mkdtempSync(join(tmpdir(), "link-stats-"));
  try {
    writeFileSync(join(dir, "dev"), DEV);
    assert.equal(readLinkStats(["lo"], join(dir, "dev")).get("lo")?.rxPackets, 789);
    assert.ok(readLinkStats(["lo"]).has("lo"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
