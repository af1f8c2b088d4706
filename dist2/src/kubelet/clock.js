/** The kubelet's clock is the one every layer takes (sys/clock.ts); re-exported for the kubelet's modules. */
export { FakeClock, realClock } from "../sys/clock.js";
//# sourceMappingURL=clock.js.map