/**
 * The exec/attach query (k8s.io/api core/v1 PodExecOptions, PodAttachOptions) turned into ExecOptions, and the
 * session outcome turned into what each protocol version puts on its error channel.
 */
import { ApiError } from "../../api/errors.js";
function flag(query, name) {
    const v = query.get(name);
    return v === "true" || v === "1";
}
/** The container kubectl would pick: the `kubectl.kubernetes.io/default-container` annotation, else the first. */
export function defaultContainer(pod) {
    return pod.metadata.annotations?.["kubectl.kubernetes.io/default-container"] ?? pod.spec.containers[0]?.name ?? "";
}
/**
 * Validates the query the way the API server does (pkg/registry/core/pod/rest/subresources.go and the kubelet's
 * remotecommand NewOptions). Throws ApiError(BadRequest). With a TTY, stderr is dropped: output is merged into
 * stdout by the terminal.
 */
export function parseExecQuery(query, pod, withCommand) {
    const container = query.get("container") || defaultContainer(pod);
    const known = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].map((c) => c.name);
    if (!known.includes(container)) {
        throw ApiError.badRequest(`container ${container} is not valid for pod ${pod.metadata.name}`);
    }
    const command = query.getAll("command");
    if (withCommand && command.length === 0) {
        throw ApiError.badRequest("you must specify at least one command for the container");
    }
    const tty = flag(query, "tty");
    const opts = {
        container,
        command: withCommand ? command : [],
        stdin: flag(query, "stdin"),
        stdout: flag(query, "stdout"),
        stderr: flag(query, "stderr") && !tty,
        tty,
    };
    if (!opts.stdin && !opts.stdout && !flag(query, "stderr")) {
        throw ApiError.badRequest("you must specify at least 1 of stdin, stdout, stderr");
    }
    return opts;
}
/** A Status for an error, keeping ApiError's reason and code. */
export function errorStatus(error) {
    if (error instanceof ApiError)
        return error.toStatus();
    const message = error instanceof Error ? error.message : String(error);
    return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason: "InternalError", code: 500 };
}
/**
 * v4 and v5 (JSON Status on the error channel; kubelet cri/streaming/remotecommand/httpstream.go v4WriteStatusFunc):
 * Success, NonZeroExitCode with an ExitCode cause (kubectl exits with that code), or the error's Status.
 */
export function statusV4(outcome) {
    let status;
    if ("exitCode" in outcome && outcome.exitCode === 0) {
        status = { metadata: {}, status: "Success" };
    }
    else if ("exitCode" in outcome) {
        const code = String(outcome.exitCode);
        status = {
            metadata: {},
            status: "Failure",
            message: `command terminated with non-zero exit code: exit status ${code}`,
            reason: "NonZeroExitCode",
            details: { causes: [{ reason: "ExitCode", message: code }] },
        };
    }
    else {
        status = errorStatus(outcome.error);
    }
    return Buffer.from(JSON.stringify(status));
}
/** v1–v3: the error channel carries plain text, and nothing at all on success. */
export function statusV1(outcome) {
    if ("exitCode" in outcome) {
        return outcome.exitCode === 0
            ? Buffer.alloc(0)
            : Buffer.from(`command terminated with non-zero exit code: exit status ${outcome.exitCode}`);
    }
    return Buffer.from(errorStatus(outcome.error).message ?? "error");
}
/** Whether a negotiated protocol carries a JSON Status (v4 and later) rather than text. */
export function usesJsonStatus(protocol) {
    return protocol.startsWith("v4.") || protocol.startsWith("v5.");
}
/** Parses resize messages: a stream of `{"Width":W,"Height":H}` objects, as json.Encoder writes them. */
export class ResizeParser {
    text = "";
    onSize = null;
    last = null;
    /**
     * Sets the handler. kubectl sends the terminal size first, usually before the session has started: the latest
     * size seen so far is replayed to the new handler.
     */
    setHandler(onSize) {
        this.onSize = onSize;
        if (this.last)
            onSize(...this.last);
    }
    push(chunk) {
        this.text += chunk.toString("utf8");
        let end;
        while ((end = this.text.indexOf("}")) >= 0) {
            const candidate = this.text.slice(0, end + 1);
            this.text = this.text.slice(end + 1);
            try {
                const size = JSON.parse(candidate.slice(candidate.indexOf("{")));
                if (typeof size.Width === "number" && typeof size.Height === "number") {
                    this.last = [size.Width, size.Height];
                    this.onSize?.(size.Width, size.Height);
                }
            }
            catch {
                // a malformed resize event is ignored, as the kubelet only logs it
            }
        }
        if (this.text.length > 4096)
            this.text = "";
    }
}
//# sourceMappingURL=exec-request.js.map