#!/usr/bin/env python3
"""Runs a command on a new pseudo-terminal and types into it as a person would (test/utils/pty.ts).

Reads a JSON object on stdin:
  argv, env        the command and its whole environment
  input            what is typed, as one burst, as soon as the program has turned the terminal's
                   echo off (or after echo_wait seconds if it never does)
  echo_wait        seconds to wait for echo to go off (default 30)
  signal           optional: a signal name sent to the program 0.3 s after typing
  timeout          seconds before the program is killed (default 90)
Writes a JSON object on stdout:
  before_typing    everything the terminal showed before the input was typed
  transcript       everything the terminal showed, start to end (echo included)
  echo_was_off     whether echo was off when the input was typed
  code, signal     how the program ended
  echo_after, canonical_after   the terminal's modes after it ended (restored or not)
"""
import fcntl
import json
import os
import pty
import select
import signal
import sys
import termios
import time

spec = json.load(sys.stdin)
master, slave = pty.openpty()
pid = os.fork()
if pid == 0:
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    for fd in (0, 1, 2):
        os.dup2(slave, fd)
    os.close(master)
    if slave > 2:
        os.close(slave)
    os.execvpe(spec["argv"][0], spec["argv"], spec["env"])

# The parent keeps the slave side open: its modes can be read at any time, also after the exit.
transcript = b""


def echo_on():
    return bool(termios.tcgetattr(slave)[3] & termios.ECHO)


def read_available(wait):
    global transcript
    ready, _, _ = select.select([master], [], [], wait)
    if not ready:
        return False
    try:
        chunk = os.read(master, 65536)
    except OSError:
        return False
    transcript += chunk
    return bool(chunk)


started = time.monotonic()
deadline = started + spec.get("timeout", 90)
echo_deadline = started + spec.get("echo_wait", 30)
typed_at = None
before_typing = b""
echo_was_off = None
signalled = False
status = None

while time.monotonic() < deadline:
    if typed_at is None and (not echo_on() or time.monotonic() > echo_deadline):
        echo_was_off = not echo_on()
        # What the program wrote before this moment reaches the master side within a moment.
        while read_available(0.2):
            pass
        before_typing = transcript
        os.write(master, spec["input"].encode())
        typed_at = time.monotonic()
    if typed_at is not None and spec.get("signal") and not signalled and time.monotonic() - typed_at > 0.3:
        os.kill(pid, getattr(signal, spec["signal"]))
        signalled = True
    read_available(0.02)
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        while read_available(0.2):
            pass
        break
else:
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)

attrs = termios.tcgetattr(slave)
result = {
    "before_typing": before_typing.decode("utf-8", "replace"),
    "transcript": transcript.decode("utf-8", "replace"),
    "echo_was_off": echo_was_off,
    "code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
    "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
    "echo_after": bool(attrs[3] & termios.ECHO),
    "canonical_after": bool(attrs[3] & termios.ICANON),
}
json.dump(result, sys.stdout)
