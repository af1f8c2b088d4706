/** parseProcStat: fields counted after the command name's last ')' (a name may hold spaces and parentheses). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseProcStat, readProcStat } from "../../../src/sys/proc.js";

test("state, ppid, CPU times and start time of a command whose name has spaces and parentheses", () => {
  const stat = "4242 (a) b (c)) S 1 4242 4242 0 -1 4194560 100 0 0 0 37 12 5 3 20 0 1 0 987654 1000 100 18446744073709551615\n";
  assert.deepEqual(parseProcStat(4242, stat), { pid: 4242, comm: "a) b (c)", state: "S", ppid: 1, utime: 37, stime: 12, cutime: 5, cstime: 3, startTime: 987654 });
});

test("this process, read from /proc; a pid that does not exist is undefined", () => {
  const me = readProcStat(process.pid);
  assert.equal(me?.ppid, process.ppid);
  assert.ok(me.utime + me.stime >= 0 && me.startTime > 0);
  assert.equal(readProcStat(2 ** 22 + 1), undefined);
});
