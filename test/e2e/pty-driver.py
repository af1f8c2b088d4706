#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal and drives it like a user at a keyboard.

argv: STEPS_JSON -- COMMAND [ARG...]. STEPS_JSON is a list of steps, done in order:
  {"expect": REGEX, "timeout": SECONDS}   wait until the transcript (since the last expect) matches
  {"send": TEXT}                          type TEXT
  {"resize": [COLS, ROWS]}                resize the terminal (the kernel sends SIGWINCH to the command)
  {"send": TEXT, "until": REGEX}          type TEXT again every second until the transcript matches (a resize
                                          travels apart from the input: the command may see it a moment later)
Prints one JSON object: {"ok": bool, "failed": STEP or null, "code": EXIT, "transcript": TEXT}.
The terminal starts at 80x24. After the steps, it waits up to 60 s for the command to exit.
"""
import fcntl, json, os, pty, re, select, struct, sys, termios, time

steps = json.loads(sys.argv[1])
argv = sys.argv[sys.argv.index("--") + 1:]

def set_size(fd, cols, rows):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

pid, master = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
set_size(master, 80, 24)
transcript = b""
mark = 0

def read_some(deadline):
    global transcript
    left = max(0.0, deadline - time.time())
    r, _, _ = select.select([master], [], [], min(left, 0.2))
    if r:
        try:
            data = os.read(master, 65536)
        except OSError:
            return False
        if not data:
            return False
        transcript += data
    return True

result = {"ok": True, "failed": None}
for step in steps:
    if "send" in step and "until" in step:
        deadline = time.time() + step.get("timeout", 30)
        pattern = re.compile(step["until"].encode())
        while not pattern.search(transcript, mark):
            if time.time() > deadline:
                result = {"ok": False, "failed": step}
                break
            os.write(master, step["send"].encode())
            again = time.time() + 1
            while time.time() < again and not pattern.search(transcript, mark) and read_some(again):
                pass
        if not result["ok"]:
            break
        mark = pattern.search(transcript, mark).end()
    elif "send" in step:
        os.write(master, step["send"].encode())
    elif "resize" in step:
        set_size(master, *step["resize"])
    elif "expect" in step:
        deadline = time.time() + step.get("timeout", 30)
        pattern = re.compile(step["expect"].encode())
        while True:
            m = pattern.search(transcript, mark)
            if m:
                mark = m.end()
                break
            if time.time() > deadline or not read_some(deadline):
                if not pattern.search(transcript, mark):
                    result = {"ok": False, "failed": step}
                break
        if not result["ok"]:
            break

deadline = time.time() + 60
code = None
while code is None and time.time() < deadline:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        code = os.waitstatus_to_exitcode(status)
        break
    read_some(time.time() + 0.2)
if code is None:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
try:
    while read_some(time.time() + 0.1):
        r, _, _ = select.select([master], [], [], 0)
        if not r:
            break
except OSError:
    pass
result["code"] = code
result["transcript"] = transcript.decode("utf-8", "replace")
print(json.dumps(result))
