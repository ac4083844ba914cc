#!/usr/bin/env python3
"""All the benchmarks in one run, as one table: python3 bench/run.py [--quick]

Builds nothing: it measures .build/release (swift build -c release) and, when present,
.build-static/release/elevenlabs (swift build -c release --static-swift-stdlib --product elevenlabs
--scratch-path .build-static), against elevenlabs-sandbox. Every figure is a median of several runs
and every comparison a ratio measured in the same run. Never run by the test suite.
"""
import argparse
import importlib.util
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sys.path.insert(0, HERE)
from common import KEY, start_sandbox as sandbox  # noqa: E402

ttfs, longtext, livecpu = load("ttfs"), load("longtext"), load("livecpu")


def child_cpu(before):
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer runs and shorter audio")
    a = ap.parse_args()
    runs = 3 if a.quick else 9
    bin_dir = os.path.join(ROOT, ".build", "release")
    static = os.path.join(ROOT, ".build-static", "release", "elevenlabs")
    client = static if os.path.exists(static) else os.path.join(bin_dir, "elevenlabs")
    rows = []
    work = tempfile.mkdtemp()
    try:
        fifo = os.path.join(work, "pcm.fifo")
        os.mkfifo(fifo)
        device = f"file:FILE={fifo}"

        # 1 and 2: time to first sound, a sentence and 60,000 characters, versus curl | mpg123.
        sb, base = sandbox(bin_dir, "--first-byte-delay", "200")
        env = dict(os.environ, ELEVENLABS_BASE_URL=base, ELEVENLABS_API_KEY=KEY, XDG_CACHE_HOME=os.path.join(work, "cache"))
        sentence = "The quick brown fox jumps over the lazy dog, and then it takes a well deserved nap."
        body = '{"text": "%s", "model_id": "eleven_multilingual_v2"}' % sentence
        curl = (f"curl -s -X POST -H 'xi-api-key: {KEY}' -H 'Content-Type: application/json' -d '{body}' "
                f"'{base}/v1/text-to-speech/JBFqnCBsd6RMkjVDRZzb/stream?output_format=mp3_44100_128' | mpg123 -q -o alsa -a '{device}' -")
        ours, theirs = [], []
        for _ in range(runs):
            ours.append(ttfs.first_sound([client, "speak", "--no-cache", "--device", device, sentence], fifo, env))
            theirs.append(ttfs.first_sound(curl, fifo, env))
        o, t = statistics.median(ours), statistics.median(theirs)
        rows.append(("time to first sound, a sentence (200 ms server)", f"{o * 1000:.1f} ms", f"curl | mpg123 {t * 1000:.1f} ms", f"{o / t:.3f}"))
        rows.append(("  own overhead (server delay subtracted)", f"{(o - .2) * 1000:.1f} ms", f"{(t - .2) * 1000:.1f} ms", f"{(o - .2) / (t - .2):.3f}"))
        longtext.play(client, longtext.book(20_000), fifo, env)  # warm the model cache
        long = statistics.median(longtext.play(client, longtext.book(60_000), fifo, env)[0] for _ in range(max(3, runs // 3)))
        rows.append(("time to first sound, 60,000 characters", f"{long * 1000:.1f} ms", f"a sentence {o * 1000:.1f} ms", f"{long / o:.3f}"))
        sb.terminate()

        # 3: peak memory for 1, 10 and 60 minutes of audio, drained at 60x real time.
        sb, base = sandbox(bin_dir)
        env = dict(env, ELEVENLABS_BASE_URL=base)
        minutes = [1, 10] if a.quick else [1, 10, 60]
        peaks = {}
        for m in minutes:  # ru_maxrss is the largest child so far, so shortest first
            peaks[m] = longtext.play(client, longtext.book(15 * 60 * m), fifo, env, pace=60)[1] / 1024
        for m in minutes:
            rows.append((f"peak memory, {m} minute{'s' if m > 1 else ''} of speech", f"{peaks[m]:.1f} MiB", f"1 minute {peaks[1]:.1f} MiB", f"{peaks[m] / peaks[1]:.3f}"))

        # 4: CPU per minute of audio, versus mpg123 decoding the same MP3 to the same device.
        mp3 = os.path.join(work, "ten.mp3")
        text = longtext.book(15 * 60 * 10)
        subprocess.run([client, "speak", "--no-cache", "--no-live", "-o", mp3, "-f", "-"], input=text.encode(), env=env, check=True)
        audio_minutes = os.path.getsize(mp3) * 8 / 128000 / 60
        cpu_ours, cpu_mpg = [], []
        for _ in range(max(3, runs // 3)):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            longtext.play(client, text, fifo, env)
            cpu_ours.append(child_cpu(before) / audio_minutes)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            ttfs.first_sound(["mpg123", "-q", "-o", "alsa", "-a", device, mp3], fifo, env)
            cpu_mpg.append(child_cpu(before) / audio_minutes)
        co, cm = statistics.median(cpu_ours), statistics.median(cpu_mpg)
        rows.append(("CPU per minute of audio (fetch, decode, play)", f"{co * 1000:.1f} ms", f"mpg123 (decode, play) {cm * 1000:.1f} ms", f"{co / cm:.3f}"))
        sb.terminate()

        # 5: batch, 100 inputs at concurrency 4, 200 ms first byte, versus the ideal.
        out = subprocess.run([sys.executable, os.path.join(HERE, "batch.py"), "--runs", "1" if a.quick else "3"],
                             capture_output=True, text=True, check=True).stdout.strip().split("\n")[-1]
        batch, ideal, ratio = out.split("; ")[1].split()[1], out.split("; ")[2].split()[1], out.split("ratio ")[1]
        rows.append(("batch: 100 inputs, concurrency 4, 200 ms first byte", f"{batch} s", f"ideal {ideal} s", ratio))

        # 6: live input's CPU for steady unpunctuated text: the same per minute for twice the input.
        short, long_ = livecpu.run(client, bin_dir, 5 if a.quick else 15)
        rows.append(("live input CPU per minute of input (steady words)", f"{long_ * 1000:.0f} ms", f"half as long {short * 1000:.0f} ms", f"{long_ / short:.3f}"))

        # 7: start-up, versus a bare binary.
        sb, base = sandbox(bin_dir)
        env = dict(env, ELEVENLABS_BASE_URL=base)

        def timed(cmd):
            xs = []
            for _ in range(runs * 3):
                s = time.monotonic()
                subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                xs.append(time.monotonic() - s)
            return statistics.median(xs)
        bare = timed(["/bin/true"])
        for label, cmd in [("start-up: --help", [client, "--help"]), ("start-up: voices (sandbox on loopback)", [client, "voices"])]:
            v = timed(cmd)
            rows.append((label, f"{v * 1000:.1f} ms", f"/bin/true {bare * 1000:.1f} ms", f"{v / bare:.1f}"))
        sb.terminate()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"elevenlabs benchmarks, client {os.path.relpath(client, ROOT)}, medians of {runs} runs")
    w = max(len(r[0]) for r in rows)
    print(f"{'measure':<{w}}  {'elevenlabs':>12}  {'compared with':<32}  ratio")
    for r in rows:
        print(f"{r[0]:<{w}}  {r[1]:>12}  {r[2]:<32}  {r[3]}")
    print("The Python SDK's stream() is not compared: it is not installed here (pip install elevenlabs, then add it).")


if __name__ == "__main__":
    main()
