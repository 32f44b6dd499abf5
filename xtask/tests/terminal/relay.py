"""Runs a command in a pseudo-terminal and relays it: our stdin -> its keyboard, its screen -> our stdout.

Usage: python3 relay.py COMMAND [ARGS...]. The first line written is `PID <pid>` (the command's process id, so
a test can signal it); the last is `EXIT <code>` (negative: killed by that signal). Python's standard `pty`
module only, so the tests need nothing installed beyond python3.
"""

import fcntl
import os
import pty
import select
import struct
import sys
import termios


def main() -> int:
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(sys.argv[1], sys.argv[1:])
    # A wide terminal, so prompts are not wrapped.
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    out = sys.stdout.buffer
    out.write(f"PID {pid}\n".encode())
    out.flush()
    stdin = sys.stdin.buffer.fileno()
    inputs = [fd, stdin]
    while fd in inputs:
        readable, _, _ = select.select(inputs, [], [])
        if stdin in readable:
            data = os.read(stdin, 1024)
            if data:
                os.write(fd, data)
            else:
                inputs.remove(stdin)
        if fd in readable:
            try:
                data = os.read(fd, 4096)
            except OSError:  # EIO: the command exited and the terminal closed
                data = b""
            if not data:
                inputs.remove(fd)
            out.write(data)
            out.flush()
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    out.write(f"\nEXIT {code}\n".encode())
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
