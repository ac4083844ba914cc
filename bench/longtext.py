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
import shutil
import statistics
import tempfile

from common import KEY, play_into_fifo, start_sandbox


def book(n):
    s, i = "", 0
    while len(s) < n:
        i += 1
        s += f"This is sentence {i} of the long text, and it goes on for a while. "
        if i % 9 == 0:
            s += "\n\n"
    return s[:n]


def play(client, text, fifo, env, pace=None, cache=False):
    """Plays text into the FIFO; returns (seconds to the first PCM byte, peak RSS in KiB). With
    `cache`, the audio cache is used (written the first time, replayed after)."""
    first, usage = play_into_fifo([client, "speak"] + ([] if cache else ["--no-cache"]) + ["--no-live", "--format", "mp3_44100_128", "--device", f"file:FILE={fifo}", "-f", "-"],
                                  fifo, env, stdin=text.encode(), pace=pace)
    return first, usage.ru_maxrss


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
    sb, base = start_sandbox(bin_dir, "--first-byte-delay", "200")
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
