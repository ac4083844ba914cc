#!/usr/bin/env python3
"""Long texts: time to first sound and peak memory, compared with short ones.

1. Time to first sound for a 60,000-character text versus one sentence (both played; the first sound
   is timed at the first PCM reaching an ALSA `file` PCM on a FIFO). Goal: within 10 %.
2. Peak resident memory (the child's ru_maxrss) for about one hour of speech versus one minute, with
   the FIFO drained at --pace times real time so audio really queues up as it would on a device.
   Goal: the hour costs no more memory than the minute.

usage: bench/longtext.py [--runs N] [--pace X] [--build release] [--client PATH]
Never run by the test suite.
"""
import argparse
import os
import resource
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

KEY = "sk_sandbox_0123456789abcdef"


def book(n):
    s, i = "", 0
    while len(s) < n:
        i += 1
        s += f"This is sentence {i} of the long text, and it goes on for a while. "
        if i % 9 == 0:
            s += "\n\n"
    return s[:n]


def play(client, text, fifo, env, pace=None, rate_bytes=44100 * 2):
    """Plays text into the FIFO; returns (seconds to first PCM byte, peak RSS in KiB)."""
    rfd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    wfd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    got, done = {}, threading.Event()

    def reader():
        budget_start = None
        consumed = 0
        while not done.is_set():
            if pace and budget_start is not None:
                # Drain no faster than pace x real time, as a sound card would (sped up).
                allowed = (time.monotonic() - budget_start) * rate_bytes * pace
                if consumed > allowed:
                    time.sleep(0.005)
                    continue
            r, _, _ = select.select([rfd], [], [], 0.02)
            if not r:
                continue
            try:
                data = os.read(rfd, 65536)
            except BlockingIOError:
                continue
            if data and "t" not in got:
                got["t"] = time.monotonic()
                budget_start = got["t"]
            consumed += len(data)

    t = threading.Thread(target=reader)
    t.start()
    start = time.monotonic()
    p = subprocess.Popen([client, "speak", "--no-live", "--format", "mp3_44100_128", "--device", f"file:FILE={fifo}", "-f", "-"],
                         env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    p.stdin.write(text.encode())
    p.stdin.close()
    # wait4 gives this child's own peak memory (RUSAGE_CHILDREN would mix in every earlier child).
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    t.join()
    os.close(rfd)
    os.close(wfd)
    if p.returncode != 0 or "t" not in got:
        sys.exit(f"bench: speak failed ({p.returncode})")
    return got["t"] - start, usage.ru_maxrss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--pace", type=float, default=60.0)
    ap.add_argument("--build", default="release")
    ap.add_argument("--client", default=None)
    a = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    bin_dir = os.path.join(root, ".build", a.build)
    client = a.client or os.path.join(bin_dir, "elevenlabs")
    sb = subprocess.Popen([os.path.join(bin_dir, "elevenlabs-sandbox"), "--port", "0", "--quiet", "--first-byte-delay", "200",
                           "--credits", "100000000"],
                          stdout=subprocess.PIPE, text=True)
    base = sb.stdout.readline().split()[-1]
    sb.stdout.close()
    work = tempfile.mkdtemp()
    try:
        fifo = os.path.join(work, "pcm.fifo")
        os.mkfifo(fifo)
        env = dict(os.environ, ELEVENLABS_BASE_URL=base, ELEVENLABS_API_KEY=KEY, XDG_CACHE_HOME=os.path.join(work, "cache"))
        play(client, book(20_000), fifo, env)  # fills the model cache, as any first run would
        short, long = [], []
        for _ in range(a.runs):
            short.append(play(client, "One sentence to start with.", fifo, env)[0])
            long.append(play(client, book(60_000), fifo, env)[0])
        s, l = statistics.median(short), statistics.median(long)
        print(f"time to first sound, median of {a.runs}: one sentence {s * 1000:.1f} ms, "
              f"60,000 characters {l * 1000:.1f} ms, ratio {l / s:.3f} (goal <= 1.10)")
        # ru_maxrss of RUSAGE_CHILDREN is the largest child so far: measure the minute first.
        _, minute = play(client, book(15 * 60), fifo, env, pace=a.pace)
        _, hour = play(client, book(15 * 3600), fifo, env, pace=a.pace)
        print(f"peak memory at {a.pace:g}x real time: one minute {minute / 1024:.1f} MiB, one hour {hour / 1024:.1f} MiB, "
              f"ratio {hour / minute:.3f} (goal <= 1.0, within noise)")
    finally:
        sb.terminate()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
