#!/usr/bin/env python3
"""CPU of live input: steady unpunctuated text written to `elevenlabs` through a pipe (the hard case:
no sentence boundary to cut at), for two lengths of time, as CPU seconds per minute of input and as
a share of one core. Linear cost means the same figure for both lengths.

usage: python3 bench/livecpu.py [--bin .build/release] [--seconds 15]
"""
import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import KEY, start_sandbox  # noqa: E402


def measure(client, base, seconds, words_per_second=8):
    """CPU seconds of the client for `seconds` of steady words."""
    env = dict(os.environ, ELEVENLABS_BASE_URL=base, ELEVENLABS_API_KEY=KEY,
               XDG_CACHE_HOME=os.path.join("/tmp", f"livecpu-{os.getpid()}"))
    p = subprocess.Popen([client, "--device", "null", "--quiet"], env=env,
                         stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        p.stdin.write(f"word{n % 50} ".encode())
        p.stdin.flush()
        n += 1
        time.sleep(1 / words_per_second)
    p.stdin.close()
    _, status, usage = os.wait4(p.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("bench: the live client failed")
    return usage.ru_utime + usage.ru_stime


def run(client, sandbox_dir, seconds):
    sandbox, base = start_sandbox(sandbox_dir)
    try:
        short = measure(client, base, seconds)
        long = measure(client, base, 2 * seconds)
    finally:
        sandbox.terminate()
    per_minute_short = short / seconds * 60
    per_minute_long = long / (2 * seconds) * 60
    return per_minute_short, per_minute_long


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(HERE), ".build", "release"))
    ap.add_argument("--seconds", type=float, default=15)
    a = ap.parse_args()
    s, l = run(os.path.join(a.bin, "elevenlabs"), a.bin, a.seconds)
    print(f"live input CPU per minute of input: {s:.3f} s over {a.seconds:g} s, {l:.3f} s over {2 * a.seconds:g} s "
          f"(ratio {l / s:.2f}; {100 * l / 60:.2f} % of a core)")


if __name__ == "__main__":
    main()
