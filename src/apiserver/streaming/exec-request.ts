/**
 * The exec/attach query (k8s.io/api core/v1 PodExecOptions, PodAttachOptions) turned into ExecOptions, and the
 * session outcome turned into what each protocol version puts on its error channel.
 */
import { anyContainer } from "../../api/ephemeral-containers.js";
import { ApiError } from "../../api/errors.js";
import type { Pod, Status } from "../../api/types.js";
import type { ExecOptions } from "../../api/pod-io.js";

/** A boolean query parameter as Go's strconv.ParseBool reads it (python's client sends `stdout=True`). */
function flag(query: URLSearchParams, name: string): boolean {
  return ["1", "t", "T", "TRUE", "true", "True"].includes(query.get(name) ?? "");
}

/** The container kubectl would pick: the `kubectl.kubernetes.io/default-container` annotation, else the first. */
export function defaultContainer(pod: Pod): string {
  return pod.metadata.annotations?.["kubectl.kubernetes.io/default-container"] ?? pod.spec.containers[0]?.name ?? "";
}

/**
 * Validates the query the way the API server does (pkg/registry/core/pod/rest/subresources.go and the kubelet's
 * remotecommand NewOptions). Throws ApiError(BadRequest). With a TTY, stderr is dropped: output is merged into
 * stdout by the terminal.
 */
export function parseExecQuery(query: URLSearchParams, pod: Pod, withCommand: boolean): ExecOptions {
  const container = query.get("container") || defaultContainer(pod);
  if (!anyContainer(pod, container)) {
    throw ApiError.badRequest(`container ${container} is not valid for pod ${pod.metadata.name}`);
  }
  const command = query.getAll("command");
  if (withCommand && command.length === 0) {
    throw ApiError.badRequest("you must specify at least one command for the container");
  }
  const tty = flag(query, "tty");
  const opts: ExecOptions = {
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

/** How a session ended: the process's exit code, or an error before or while running it. */
export type ExecOutcome = { exitCode: number } | { error: unknown };

/** A Status for an error, keeping ApiError's reason and code. */
export function errorStatus(error: unknown): Status {
  if (error instanceof ApiError) return error.toStatus();
  const message = error instanceof Error ? error.message : String(error);
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason: "InternalError", code: 500 };
}

/**
 * v4 and v5 (JSON Status on the error channel; kubelet cri/streaming/remotecommand/httpstream.go v4WriteStatusFunc):
 * Success, NonZeroExitCode with an ExitCode cause (kubectl exits with that code), or the error's Status.
 */
export function statusV4(outcome: ExecOutcome): Buffer {
  let status: object;
  if ("exitCode" in outcome && outcome.exitCode === 0) {
    status = { metadata: {}, status: "Success" };
  } else if ("exitCode" in outcome) {
    const code = String(outcome.exitCode);
    status = {
      metadata: {},
      status: "Failure",
      message: `command terminated with non-zero exit code: exit status ${code}`,
      reason: "NonZeroExitCode",
      details: { causes: [{ reason: "ExitCode", message: code }] },
    };
  } else {
    status = errorStatus(outcome.error);
  }
  return Buffer.from(JSON.stringify(status));
}

/** v1–v3: the error channel carries plain text, and nothing at all on success. */
export function statusV1(outcome: ExecOutcome): Buffer {
  if ("exitCode" in outcome) {
    return outcome.exitCode === 0
      ? Buffer.alloc(0)
      : Buffer.from(`command terminated with non-zero exit code: exit status ${outcome.exitCode}`);
  }
  return Buffer.from(errorStatus(outcome.error).message ?? "error");
}

/** Whether a negotiated protocol carries a JSON Status (v4 and later) rather than text. */
export function usesJsonStatus(protocol: string): boolean {
  return protocol.startsWith("v4.") || protocol.startsWith("v5.");
}
