#!/usr/bin/env python3
"""Live input on bulk text: `python3 -c "print('word ' * N)" | elevenlabs --live`, the input that
was quadratic (3.0 s of CPU for 50 KB, 13.8 s for 100 KB, 43.6 s for 200 KB). Unpunctuated words
from 50 KB to 10 MB go as fast as the pipe takes them to a server that takes any amount of text and
answers once at the end (Tests/EndToEndTests/Servers/hostile_stream_input.py, mode sink), so what is
measured is the client's own work: reading, cutting into units and sending. Linear cost means the
same CPU per MB at every size; the table gives each size's ratio to the smallest.

usage: python3 bench/livebulk.py [--bin .build/release] [--sizes 50K,200K,1M,10M]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SERVER = os.path.join(ROOT, "Tests", "EndToEndTests", "Servers", "hostile_stream_input.py")
FIXTURE = os.path.join(ROOT, "Sources", "ElevenLabsSandbox", "Fixtures", "sweep-44100-128.mp3")
KEY = "sk_sandbox_0123456789abcdef"


def start_server(tmp):
    portfile = os.path.join(tmp, "port")
    p = subprocess.Popen([sys.executable, SERVER, "sink", portfile, FIXTURE, os.devnull],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        if os.path.exists(portfile):
            return p, int(open(portfile).read())
        time.sleep(0.05)
    raise SystemExit("bench: the stream-input server did not start")


def measure(client, port, size, tmp):
    text = ("word " * (size // 5)).encode()
    env = dict(os.environ, ELEVENLABS_BASE_URL=f"http://127.0.0.1:{port}", ELEVENLABS_API_KEY=KEY,
               XDG_CACHE_HOME=os.path.join(tmp, "cache"))
    p = subprocess.Popen([client, "--live", "--quiet", "-o", os.path.join(tmp, "out.mp3")], env=env,
                         stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    started = time.monotonic()
    p.stdin.write(text)
    p.stdin.close()
    _, status, usage = os.wait4(p.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"bench: the live client failed on {size} bytes: {p.stderr.read().decode()[:300]}")
    return usage.ru_utime + usage.ru_stime, time.monotonic() - started


def parse_size(s):
    units = {"K": 1000, "M": 1000_000}
    return int(float(s[:-1]) * units[s[-1]]) if s[-1] in units else int(s)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build", "release"))
    ap.add_argument("--sizes", default="50K,200K,1M,10M")
    a = ap.parse_args()
    sizes = [parse_size(s) for s in a.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        server, port = start_server(tmp)
        try:
            rows = [(size, *measure(os.path.join(a.bin, "elevenlabs"), port, size, tmp)) for size in sizes]
        finally:
            server.terminate()
    base = rows[0][1] / rows[0][0]
    print("| input | CPU | wall | CPU per MB | ratio to the smallest, per MB |")
    print("| --- | --- | --- | --- | --- |")
    for size, cpu, wall in rows:
        per_mb = cpu / size * 1e6
        print(f"| {size / 1e6:g} MB | {cpu:.3f} s | {wall:.2f} s | {per_mb:.3f} s | {cpu / size / base:.2f} |")


if __name__ == "__main__":
    main()
