/**
 * A store file holding N events, written before the daemon that will serve them starts, through the store's bulk
 * path (SqliteStore.createMany: one transaction): recording 50,000 through the kubelet would take many minutes.
 * The events-pagination e2e test and the events listing bench share it.
 */
import type { Event } from "../../src/api/types.js";
import { openStore } from "../../src/store/sqlite-store.js";
import { rfc3339 } from "../../src/api/time.js";

export function seedEvents(storeFile: string, count: number): void {
  const now = rfc3339(Date.now());
  const events: Event[] = [];
  for (let i = 0; i < count; i++) {
    const pod = `web-${i % 1000}`;
    events.push({
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: `${pod}.${(0x180000000000000 + i).toString(16)}`, namespace: "default" },
      involvedObject: { kind: "Pod", namespace: "default", name: pod, uid: `uid-${i % 1000}`, apiVersion: "v1" },
      reason: "Started",
      message: `Started container c (seeded event ${i})`,
      source: { component: "kubelet", host: "node1" },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type: "Normal",
    });
  }
  const store = openStore(storeFile);
  try {
    store.createMany(events);
  } finally {
    store.close();
  }
}
