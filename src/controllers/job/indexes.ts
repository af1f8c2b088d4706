/**
 * Completion indexes of Indexed Jobs (pkg/controller/job/indexed_job_utils.go): a pod's index from its annotation
 * (or label), and the interval list `status.completedIndexes` prints ("1,3-5,7").
 */
import { JOB_LABELS } from "../../api/batch-types.js";
import type { Pod } from "../../api/types.js";

/** The pod's completion index, or undefined when it has none or an invalid one (not a plain decimal). */
export function podIndex(pod: Pod): number | undefined {
  const v = pod.metadata.annotations?.[JOB_LABELS.completionIndex] ?? pod.metadata.labels?.[JOB_LABELS.completionIndex];
  if (v === undefined || !/^(0|[1-9][0-9]*)$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Sorted distinct indexes as intervals: [0,1,2,5,7,8] → "0-2,5,7-8". */
export function formatIntervals(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/** The indexes an interval list names; malformed parts are skipped (the controller's parseIndexesFromString). */
export function parseIntervals(s: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  for (const part of (s ?? "").split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    for (let i = lo; i <= hi && i < completions; i++) out.add(i);
  }
  return out;
}
