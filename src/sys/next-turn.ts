/**
 * One pass on the next turn of the event loop for any number of triggers before it: what store watchers do with their
 * events. A watch handler runs inside the store's write that caused it, so it must not write (that would re-enter the
 * store); it asks for a pass instead, and a burst of events (a list of a hundred pods, a rollout) becomes one pass
 * over the store as it is once the burst is over. Controllers and the proxy's change tracker share it (through
 * store/next-turn.ts: controllers do not reach sys/), and the runtime's step recorder batches its file appends with it.
 */

/**
 * Returns a trigger: its first call schedules `pass` for the next turn (setImmediate, after pending I/O callbacks, so
 * watch events queued by the same write are all seen); calls made before the pass starts add nothing. A call made
 * while or after the pass runs schedules the next one, so a change the pass itself causes is not lost.
 * The pass decides itself whether there is still work (a stopped controller checks it was stopped).
 */
export function nextTurnPass(pass: () => void): () => void {
  let scheduled = false;
  return () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      pass();
    });
  };
}
