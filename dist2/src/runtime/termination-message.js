/**
 * A container's termination message, read with the kubelet's bounds (pkg/kubelet/kuberuntime/kuberuntime_container.go
 * getTerminationMessage and readLastStringFromContainerLogs; limits from pkg/kubelet/container/runtime.go): the last
 * 4 KiB of the termination-log file, or with `terminationMessagePolicy: FallbackToLogsOnError` and a failed
 * container whose file is empty, the last 2 KiB of its last 80 log lines. Neither reads more than a fixed window at
 * the end of the file, however large the container made it (a container writing 700 MB to /dev/termination-log
 * used to grow the daemon by as much).
 */
import { constants, promises as fsp } from "node:fs";
import { parseCriLine } from "./cri-log.js";
/** kubecontainer.MaxContainerTerminationMessageLength: the bytes read from the end of the file. */
export const MAX_CONTAINER_MESSAGE_BYTES = 4 * 1024;
/** kubecontainer.MaxContainerTerminationMessageLogLength: the bytes kept from the log fallback. */
export const MAX_CONTAINER_MESSAGE_LOG_BYTES = 2 * 1024;
/** kubecontainer.MaxContainerTerminationMessageLogLines: the log lines the fallback looks at. */
export const MAX_CONTAINER_MESSAGE_LOG_LINES = 80;
/** kubecontainer.MaxPodTerminationMessageLogLength: all of a pod's messages together (split evenly). */
export const MAX_POD_MESSAGE_BYTES = 12 * 1024;
/**
 * How much of the end of a log the fallback reads. The kubelet's answer (80 lines, then the last 2 KiB of their
 * text) always lies within it: a line is at most 16 KiB of text (the monitor's CRI_LINE_MAX) plus a ~45-byte
 * prefix, so after the line the window cuts, either 80 whole lines are in it or their text already exceeds 2 KiB.
 */
const LOG_WINDOW_BYTES = 64 * 1024;
/** The message the kubelet adds to a terminated container's status ("" for none). */
export async function readTerminationMessage(input) {
    // A container that could not even be started has no logs worth reading.
    const fallback = input.policy === "FallbackToLogsOnError" && input.exitCode !== 0 && input.reason !== "ContainerCannotRun";
    let message;
    try {
        message = (await readTail(input.file, MAX_CONTAINER_MESSAGE_BYTES)).data.toString("utf8");
    }
    catch (err) {
        if (err.code !== "ENOENT")
            return `Error on reading termination log ${input.file}: ${errText(err)}`;
        message = "";
    }
    if (message !== "" || !fallback)
        return message;
    return lastLogText(input.logPath).catch((err) => `Error on reading termination message from logs: ${errText(err)}`);
}
/**
 * The last `max` bytes of a regular file, read with one pread at its end. The file is opened without following a
 * symlink and without blocking (a FIFO put in its place must not hang the daemon); anything but a regular file is
 * refused.
 */
export async function readTail(path, max) {
    const fh = await fsp.open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
        const st = await fh.stat();
        if (!st.isFile())
            throw Object.assign(new Error("not a regular file"), { code: "EINVAL" });
        const want = Math.min(st.size, max);
        const buf = Buffer.alloc(want);
        let got = 0;
        while (got < want) {
            const { bytesRead } = await fh.read(buf, got, want - got, st.size - want + got);
            if (bytesRead === 0)
                break; // truncated meanwhile
            got += bytesRead;
        }
        return { data: buf.subarray(0, got), size: st.size };
    }
    finally {
        await fh.close();
    }
}
/** The text of the log's last 80 lines (stdout and stderr together, partial lines joined), at most its last 2 KiB. */
export async function lastLogText(logPath) {
    let tail;
    try {
        tail = await readTail(logPath, LOG_WINDOW_BYTES);
    }
    catch (err) {
        if (err.code === "ENOENT")
            return "";
        throw err;
    }
    return lastLinesText(tail.data, tail.size > tail.data.length);
}
/** lastLogText over a window of the log's end; `cut` says the window starts inside the file (its first line is partial). */
export function lastLinesText(window, cut) {
    const text = window.toString("utf8");
    let lines = text.split("\n");
    if (cut)
        lines = lines.slice(1);
    // A last line with no newline yet is not counted (tail.FindTailLineStartIndex); the monitor writes whole lines.
    lines = lines.slice(0, -1).slice(-MAX_CONTAINER_MESSAGE_LOG_LINES);
    const out = [];
    for (const raw of lines) {
        const line = parseCriLine(raw);
        if (line)
            out.push(line.partial ? line.content : `${line.content}\n`);
    }
    const bytes = Buffer.from(out.join(""));
    return bytes.subarray(Math.max(0, bytes.length - MAX_CONTAINER_MESSAGE_LOG_BYTES)).toString("utf8");
}
/** The bytes each container's message may keep: the pod's 12 KiB split evenly (status_manager.go normalizeStatus). */
export function messageBytesPerContainer(spec) {
    const n = spec.containers.length + (spec.initContainers?.length ?? 0) + (spec.ephemeralContainers?.length ?? 0);
    return n > 0 ? Math.floor(MAX_POD_MESSAGE_BYTES / n) : MAX_POD_MESSAGE_BYTES;
}
/**
 * Cuts `message` to at most `max` bytes of UTF-8, at a character boundary (the kubelet cuts the bytes and its JSON
 * encoder turns a split character into U+FFFD, which can exceed the bound by two bytes; dropping it keeps the bound).
 */
export function truncateUtf8(message, max) {
    const bytes = Buffer.from(message);
    if (bytes.length <= max)
        return message;
    let end = max;
    while (end > 0 && (bytes[end] & 0xc0) === 0x80)
        end--;
    return bytes.subarray(0, end).toString("utf8");
}
function errText(err) {
    const e = err;
    return e.code ? `${e.code}: ${e.message}` : String(err);
}
//# sourceMappingURL=termination-message.js.map