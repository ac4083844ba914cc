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
import os
import shutil
import statistics
import sys
import tempfile

from common import KEY, VOICE, play_into_fifo, start_sandbox


def first_sound(cmd, fifo, env, stderr_to=None):
    """Seconds from spawning cmd to the first PCM byte it hands to ALSA."""
    return play_into_fifo(cmd, fifo, env, stderr_to=stderr_to)[0]


def curl_pipeline(base, device, text, cacert=None):
    """The yardstick: curl streaming the same request into mpg123 playing to the same device."""
    body = '{"text": "%s", "model_id": "eleven_multilingual_v2"}' % text
    ca = f"--cacert '{cacert}' " if cacert else ""
    return (f"curl -s {ca}-X POST -H 'xi-api-key: {KEY}' -H 'Content-Type: application/json' "
            f"-d '{body}' '{base}/v1/text-to-speech/{VOICE}/stream?output_format=mp3_44100_128' "
            f"| mpg123 -q -o alsa -a '{device}' -")


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
    sandbox, base = start_sandbox(bin_dir, "--first-byte-delay", str(a.first_byte_delay))
    sandbox.stdout.close()
    work = tempfile.mkdtemp()
    try:
        fifo = os.path.join(work, "pcm.fifo")
        os.mkfifo(fifo)
        device = f"file:FILE={fifo}"
        env = dict(os.environ, ELEVENLABS_BASE_URL=base, ELEVENLABS_API_KEY=KEY,
                   XDG_CACHE_HOME=os.path.join(work, "cache"))
        ours = [a.client or os.path.join(bin_dir, "elevenlabs"), "speak", "--no-cache", "--device", device, a.text]
        baseline = curl_pipeline(base, device, a.text)
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
