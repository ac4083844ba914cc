#!/usr/bin/env python3
"""Writes the link order of the code that runs: Sources/elevenlabs/link/hot-functions.txt.

Why: a page fault on the executable's code maps the 64 KiB around it (the kernel's fault-around),
so code that runs, scattered over a 10 MB `.text`, made about 5 MiB of it resident. The release
link (Package.swift) hands lld this list (`--symbol-ordering-file`), and lld puts the sections that
hold these functions first, together; our own objects are built with one section per function so
they can be moved. See bench/NOTES.md ("#29, round three").

How: the release binary runs under valgrind's callgrind (every function that executes is counted,
unlike a sampling profiler) for what people run most, against elevenlabs-sandbox: a sentence
played (twice: the second run has the device proven), a long text played, a sentence to a file,
text piped in (the WebSocket), and the voice list. The names are the functions of the binary
itself; the list is the union, in that order, each scenario's new names sorted.

A stale list (an older toolchain or source) costs nothing but layout: lld ignores names it does not
find. Run again after a change of toolchain or of what the speech path calls:
    swift build -c release --static-swift-stdlib && python3 bench/hotcode.py
Needs valgrind. Never run by the test suite.
"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from common import KEY, start_sandbox  # noqa: E402
import longtext  # noqa: E402

OUT = os.path.join(ROOT, "Sources", "elevenlabs", "link", "hot-functions.txt")


def functions_run(binary, args, env, stdin=None):
    """The names of the functions of `binary` that ran during `binary args` under callgrind."""
    with tempfile.NamedTemporaryFile(suffix=".callgrind") as out:
        r = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out.name}", "--demangle=no",
                            "--compress-strings=no", "--compress-pos=no", binary, *args],
                           env=env, input=stdin, capture_output=True)
        if r.returncode != 0:
            sys.exit(f"hotcode: {args} failed under valgrind: {r.stderr.decode()[-600:]}")
        names, obj = set(), None
        with open(out.name, errors="replace") as f:
            for line in f:
                if line.startswith("ob="):
                    obj = line[3:].strip()
                elif line.startswith("fn=") and obj == binary:
                    # callgrind marks recursion depth with 'N; a bare address has no symbol to order.
                    name = re.sub(r"'\d+$", "", line[3:].strip())
                    if not name.startswith("0x"):
                        names.add(name)
        return names


def main():
    binary = os.path.realpath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build", "release", "elevenlabs"))
    for tool in ("valgrind",):
        if subprocess.run(["which", tool], capture_output=True).returncode != 0:
            sys.exit("hotcode: valgrind is needed (apt-get install valgrind)")
    sandbox, base = start_sandbox(os.path.join(ROOT, ".build", "release"))
    work = tempfile.mkdtemp()
    try:
        env = dict(os.environ, ELEVENLABS_API_KEY=KEY, ELEVENLABS_BASE_URL=base,
                   XDG_CACHE_HOME=os.path.join(work, "cache"), XDG_CONFIG_HOME=os.path.join(work, "config"))
        long_text = os.path.join(work, "long.txt")
        with open(long_text, "w") as f:
            f.write(longtext.book(2000))
        sentence = "The quick brown fox jumps over the lazy dog, and then it takes a well deserved nap."
        scenarios = [
            ("a sentence played", ["speak", "--device", "null", sentence], None),
            ("again, the device proven", ["speak", "--device", "null", sentence + " Again."], None),
            ("a long text played", ["speak", "--device", "null", "--no-cache", "-f", long_text], None),
            ("a sentence to a file", ["speak", "-o", os.path.join(work, "out.mp3"), sentence], None),
            ("text piped in (WebSocket)", ["speak", "--device", "null"], sentence.encode()),
            ("the voice list", ["voices"], None),
        ]
        order, seen = [], set()
        for label, args, stdin in scenarios:
            names = functions_run(binary, args, env, stdin) - seen
            print(f"hotcode: {label}: {len(names)} more functions")
            order += sorted(names)
            seen |= names
    finally:
        sandbox.terminate()
        subprocess.run(["rm", "-rf", work])
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write("".join(n + "\n" for n in order))
    print(f"hotcode: {len(order)} functions written to {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
