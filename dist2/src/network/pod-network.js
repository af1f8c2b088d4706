import { detectNodeIP } from "./node-ip.js";
export class LoopbackOnlyNetwork {
    nodeIP;
    runner;
    /** `nodeIP` as given (--node-ip), else detected at start() when a runner is given, else 127.0.0.1. */
    constructor(nodeIP, runner) {
        this.nodeIP = nodeIP;
        this.runner = runner;
    }
    async start() {
        if (this.nodeIP === undefined && this.runner)
            this.nodeIP = await detectNodeIP(this.runner, { owner: "node" });
    }
    /** Nothing to make: the shim brings `lo` up in every new network namespace. */
    async prepare() {
        return { shimArgs: [], ips: [], equivalent: [], token: undefined };
    }
    async attach() {
        return { ips: [] };
    }
    async abort() { }
    async tearDown() { }
    hostIP() {
        return this.nodeIP ?? "127.0.0.1";
    }
}
//# sourceMappingURL=pod-network.js.map