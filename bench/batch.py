#!/usr/bin/env python3
"""Batch throughput: 100 inputs at concurrency 4 against a sandbox that takes 200 ms to answer,
compared with the ideal ceil(100 / 4) x the time one item takes alone. Reports medians and the
ratio (1.0 is perfect; above it is pool overhead).

usage: bench/batch.py [--runs N] [--items 100] [--jobs 4] [--first-byte-delay 200] [--build release]
Never run by the test suite.
"""
import argparse
import math
import os
import shutil
import statistics
import subprocess
import tempfile
import time

from common import KEY, start_sandbox


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--items", type=int, default=100)
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("--first-byte-delay", type=int, default=200)
    ap.add_argument("--build", default="release")
    a = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    bin_dir = os.path.join(root, ".build", a.build)
    sb, base = start_sandbox(bin_dir, "--first-byte-delay", str(a.first_byte_delay), "--concurrency-limit", str(a.jobs))
    work = tempfile.mkdtemp()
    try:
        env = dict(os.environ, ELEVENLABS_BASE_URL=base, ELEVENLABS_API_KEY=KEY, XDG_CACHE_HOME=os.path.join(work, "cache"))
        inputs = []
        for i in range(a.items):
            p = os.path.join(work, f"in{i:03d}.txt")
            with open(p, "w") as f:
                f.write(f"Item number {i} of the batch, a sentence of ordinary length.")
            inputs.append(p)
        client = os.path.join(bin_dir, "elevenlabs")

        def convert(files, out):
            os.makedirs(out, exist_ok=True)
            start = time.monotonic()
            p = subprocess.run([client, "speak", "--no-cache", "--out-dir", out, "-j", str(a.jobs)] + files, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if p.returncode != 0:
                raise SystemExit(f"bench: batch failed: {p.stderr.decode()[:300]}")
            return time.monotonic() - start

        def one(r):
            # One item on its own: the same request and file, without the batch's planning requests.
            start = time.monotonic()
            subprocess.run([client, "speak", "--no-cache", "-o", os.path.join(work, f"one{r}.mp3"), "-f", inputs[0]], env=env, check=True)
            return time.monotonic() - start

        single = statistics.median(one(r) for r in range(a.runs))
        whole = statistics.median(convert(inputs, os.path.join(work, f"batch{r}")) for r in range(a.runs))
        ideal = math.ceil(a.items / a.jobs) * single
        print(f"{a.items} items at concurrency {a.jobs}, first byte {a.first_byte_delay} ms, medians of {a.runs}:")
        print(f"one item alone {single * 1000:.0f} ms; batch {whole:.2f} s; ideal {ideal:.2f} s; ratio {whole / ideal:.3f}")
    finally:
        sb.terminate()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
