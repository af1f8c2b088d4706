/** The kubelet's clock is the one every layer takes (sys/clock.ts); re-exported for the kubelet's modules. */
export { FakeClock, realClock, type Clock } from "../sys/clock.js";
