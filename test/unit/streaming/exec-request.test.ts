import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApiError } from "../../../src/api/errors.js";
import { parseExecQuery, statusV1, statusV4 } from "../../../src/apiserver/streaming/exec-request.js";
import { ResizeParser } from "../../../src/api/remotecommand.js";
import { parsePorts } from "../../../src/apiserver/streaming/portforward-websocket.js";
import { decodeStatus } from "../../../src/client/streaming/exec.js";
import { runningPod } from "../../helpers/stream-harness.js";

const q = (s: string): URLSearchParams => new URLSearchParams(s);

describe("exec query", () => {
  const pod = runningPod("web", ["main", "sidecar"]);

  it("reads kubectl's query, defaulting the container to the first one", () => {
    assert.deepEqual(parseExecQuery(q("command=ls&command=-l&stdin=true&stdout=true&stderr=true"), pod, true), {
      container: "main",
      command: ["ls", "-l"],
      stdin: true,
      stdout: true,
      stderr: true,
      tty: false,
    });
  });

  it("drops stderr with a TTY and honours the default-container annotation", () => {
    const annotated = runningPod("web", ["main", "sidecar"]);
    annotated.metadata.annotations = { "kubectl.kubernetes.io/default-container": "sidecar" };
    const opts = parseExecQuery(q("command=sh&stdout=true&stderr=true&tty=true"), annotated, true);
    assert.equal(opts.container, "sidecar");
    assert.equal(opts.stderr, false);
    assert.equal(opts.tty, true);
  });

  it("rejects unknown containers, missing commands and no streams", () => {
    const bad = (query: string, re: RegExp): void =>
      assert.throws(() => parseExecQuery(q(query), pod, true), (e) => e instanceof ApiError && e.reason === "BadRequest" && re.test(e.message));
    bad("command=ls&stdout=true&container=nope", /container nope is not valid for pod web/);
    bad("stdout=true", /at least one command/);
    bad("command=ls", /at least 1 of stdin, stdout, stderr/);
    assert.deepEqual(parseExecQuery(q("stdin=true&stdout=true"), pod, false).command, []);
  });
});

describe("exec status", () => {
  it("writes v4 statuses that client-go decodes into exit codes", () => {
    assert.deepEqual(JSON.parse(statusV4({ exitCode: 0 }).toString()), { metadata: {}, status: "Success" });
    const failed = JSON.parse(statusV4({ exitCode: 3 }).toString()) as { reason: string; details: { causes: unknown[] } };
    assert.equal(failed.reason, "NonZeroExitCode");
    assert.deepEqual(failed.details.causes, [{ reason: "ExitCode", message: "3" }]);
    assert.equal(decodeStatus(statusV4({ exitCode: 3 })), 3);
    assert.equal(decodeStatus(statusV4({ exitCode: 0 })), 0);
    assert.equal(decodeStatus(Buffer.alloc(0)), 0);
  });

  it("carries errors as Failure with their message", () => {
    const err = ApiError.badRequest("container stopped is not running");
    const status = JSON.parse(statusV4({ error: err }).toString()) as { status: string; message: string };
    assert.equal(status.status, "Failure");
    assert.equal(status.message, "container stopped is not running");
    assert.throws(() => decodeStatus(statusV4({ error: err })), /container stopped is not running/);
    assert.equal(statusV1({ exitCode: 0 }).length, 0);
    assert.match(statusV1({ exitCode: 2 }).toString(), /non-zero exit code/);
    assert.equal(statusV1({ error: new Error("boom") }).toString(), "boom");
  });
});

describe("resize parsing", () => {
  it("splits concatenated and chunked size objects and replays the latest to a late handler", () => {
    const p = new ResizeParser();
    p.push(Buffer.from('{"Width":80,"Height":24}\n{"Width":'));
    const sizes: [number, number][] = [];
    p.setHandler((w, h) => sizes.push([w, h]));
    p.push(Buffer.from('100,"Height":30}\n{bad}\n{"Width":1,"Height":2}'));
    assert.deepEqual(sizes, [[80, 24], [100, 30], [1, 2]]);
  });
});

describe("port-forward ports", () => {
  it("accepts repeated and comma-separated ports under ports= or port=", () => {
    assert.deepEqual(parsePorts(q("ports=80,443&ports=8080&port=9")), [80, 443, 8080, 9]);
    assert.throws(() => parsePorts(q("")), /required/);
    assert.throws(() => parsePorts(q("ports=0")), /invalid port/);
    assert.throws(() => parsePorts(q("ports=http")), /invalid port/);
  });
});
