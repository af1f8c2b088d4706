/**
 * An attach session's way into a running container, through the FIFOs its monitor holds (shim/monitor_attach.h):
 * the stdin FIFO (the container reads it, or with a terminal the monitor copies it into the pty) and the control
 * FIFO ("resize COLS ROWS", "close-stdin"). Both are opened non-blocking: the monitor holds them read-write, so
 * an open fails at once (ENXIO, ENOENT) instead of hanging when the monitor is gone or stdin was closed.
 */
import { closeSync, constants, openSync, writeSync } from "node:fs";
import { Socket } from "node:net";
import type { Writable } from "node:stream";

/** The container's stdin and terminal, as an attach session reaches them. */
export interface ContainerAttachment {
  /**
   * A writer to the container's stdin, or null when it has none: no `stdin: true`, closed after a stdinOnce
   * session, or the monitor gone. Ending it ends only this session's writer.
   */
  openStdin(): Writable | null;
  /** A terminal size (`tty: true`): the container's foreground process gets SIGWINCH. */
  resize(width: number, height: number): void;
  /** stdinOnce after the first session: the container reads EOF (without a terminal); later sessions get no stdin. */
  closeStdin(): void;
}

/** The attachment of the container whose monitor holds these FIFOs. */
export function fifoAttachment(stdinFifo: string, controlFifo: string): ContainerAttachment {
  return {
    openStdin() {
      const fd = openFifo(stdinFifo);
      if (fd === undefined) return null;
      // A FIFO fd as a libuv pipe: writes wait for room (epoll) instead of failing with EAGAIN.
      const sock = new Socket({ fd, readable: false, writable: true });
      sock.on("error", () => sock.destroy());
      return sock;
    },
    resize(width, height) {
      if (Number.isInteger(width) && Number.isInteger(height) && width >= 0 && height >= 0 && width < 65536 && height < 65536) {
        control(controlFifo, `resize ${width} ${height}\n`);
      }
    },
    closeStdin() {
      control(controlFifo, "close-stdin\n");
    },
  };
}

function openFifo(path: string): number | undefined {
  try {
    return openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch {
    return undefined; // ENOENT: no stdin or closed; ENXIO: no reader, the monitor is gone
  }
}

/** One command line: shorter than PIPE_BUF, so it arrives whole even with other writers. */
function control(path: string, line: string): void {
  const fd = openFifo(path);
  if (fd === undefined) return;
  try {
    writeSync(fd, line);
  } catch {
    // EAGAIN: a monitor that stopped reading its control FIFO; the resize is lost, as a dropped event would be
  } finally {
    closeSync(fd);
  }
}
