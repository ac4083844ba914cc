#!/usr/bin/env python3
"""Time to first sound: `elevenlabs speak` versus `curl -s ... | mpg123 -`, side by side.

Both clients play into the same ALSA `file` PCM whose file is a FIFO; a reader thread notes when
the first PCM byte arrives, so every client is measured at the same point: the first audio handed
to ALSA. Both talk to the same elevenlabs-sandbox, which waits --first-byte-delay before answering
(the service's own latency), so the figures below also show each client's overhead with that
delay subtracted. Reported: medians of --runs runs, and the ratio ours / baseline (< 1 is faster).

usage: bench/ttfs.py [--runs N] [--first-byte-delay MS] [--build release|debug] [--text TEXT]
Needs: a built elevenlabs and elevenlabs-sandbox, curl, mpg123. Never run by the test suite.
"""
import argparse
import select
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

KEY = "sk_sandbox_0123456789abcdef"
VOICE = "JBFqnCBsd6RMkjVDRZzb"


def start_sandbox(bin_dir, delay_ms):
    p = subprocess.Popen([os.path.join(bin_dir, "elevenlabs-sandbox"), "--port", "0", "--quiet",
                          "--first-byte-delay", str(delay_ms)], stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    return p, line.strip().split()[-1]


def first_sound(cmd, fifo, env):
    """Runs cmd (which plays into the FIFO) and returns seconds from spawn to the first PCM byte."""
    # The reader holds a write end open itself, so a client that opens the device more than once
    # (mpg123 probes, closes and reopens it) never sees EOF or blocks; it stops when the client exits.
    rfd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    wfd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    got = {}
    done = threading.Event()

    def reader():
        while not done.is_set():
            ready, _, _ = select.select([rfd], [], [], 0.02)
            if not ready:
                continue
            try:
                data = os.read(rfd, 65536)
            except BlockingIOError:
                continue
            if data and "t" not in got:
                got["t"] = time.monotonic()

    t = threading.Thread(target=reader)
    t.start()
    start = time.monotonic()
    proc = subprocess.run(cmd, env=env, shell=isinstance(cmd, str), stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, timeout=60)
    done.set()
    t.join()
    os.close(rfd)
    os.close(wfd)
    if proc.returncode != 0 or "t" not in got:
        sys.exit(f"bench: {cmd!r} failed ({proc.returncode}): {proc.stderr.decode()[:300]}")
    return got["t"] - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--first-byte-delay", type=int, default=200)
    ap.add_argument("--build", default="release", help="build folder of the sandbox (.build/NAME)")
    ap.add_argument("--client", default=None, help="the elevenlabs binary (default: the --build one)")
    ap.add_argument("--text", default="The quick brown fox jumps over the lazy dog, and then it takes a well deserved nap.")
    a = ap.parse_args()
    for tool in ("curl", "mpg123"):
        if not shutil.which(tool):
            sys.exit(f"bench: {tool} is needed")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    bin_dir = os.path.join(root, ".build", a.build)
    sandbox, base = start_sandbox(bin_dir, a.first_byte_delay)
    sandbox.stdout.close()
    work = tempfile.mkdtemp()
    try:
        fifo = os.path.join(work, "pcm.fifo")
        os.mkfifo(fifo)
        device = f"file:FILE={fifo}"
        env = dict(os.environ, ELEVENLABS_BASE_URL=base, ELEVENLABS_API_KEY=KEY,
                   XDG_CACHE_HOME=os.path.join(work, "cache"))
        ours = [a.client or os.path.join(bin_dir, "elevenlabs"), "speak", "--device", device, a.text]
        body = '{"text": "%s", "model_id": "eleven_multilingual_v2"}' % a.text
        baseline = (f"curl -s -X POST -H 'xi-api-key: {KEY}' -H 'Content-Type: application/json' "
                    f"-d '{body}' '{base}/v1/text-to-speech/{VOICE}/stream?output_format=mp3_44100_128' "
                    f"| mpg123 -q -o alsa -a '{device}' -")
        results = {"elevenlabs speak": [], "curl | mpg123": []}
        for _ in range(a.runs):  # interleaved, so drift hits both alike
            results["elevenlabs speak"].append(first_sound(ours, fifo, env))
            results["curl | mpg123"].append(first_sound(baseline, fifo, env))
        delay = a.first_byte_delay / 1000
        med = {k: statistics.median(v) for k, v in results.items()}
        print(f"time to first sound, median of {a.runs} runs, server first-byte delay {a.first_byte_delay} ms")
        print(f"{'client':<18} {'first sound':>12} {'own overhead':>13}")
        for k, v in med.items():
            print(f"{k:<18} {v * 1000:>9.1f} ms {(v - delay) * 1000:>10.1f} ms")
        ratio = med["elevenlabs speak"] / med["curl | mpg123"]
        overhead = (med["elevenlabs speak"] - delay) / max(1e-6, med["curl | mpg123"] - delay)
        print(f"ratio ours/baseline: {ratio:.3f} (overhead only: {overhead:.3f})")
    finally:
        sandbox.terminate()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
