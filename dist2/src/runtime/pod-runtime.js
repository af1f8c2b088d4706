/** The error a container start fails with, carrying the kubelet's waiting reason. */
export class ContainerStartError extends Error {
    reason;
    constructor(reason, message) {
        super(message);
        this.reason = reason;
        this.name = "ContainerStartError";
    }
}
//# sourceMappingURL=pod-runtime.js.map