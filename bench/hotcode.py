#!/usr/bin/env python3
"""Writes the link order of the code that runs, and of the read-only data it reads:
Sources/elevenlabs/link/hot-symbols.txt.

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

The read-only data that runs reads is placed the same way: valgrind's lackey traces every load of
one played sentence, and the `.rodata` symbols it read (the Swift runtime's Unicode tables, type
descriptors) follow the functions in the list. Without this they were
spread over 18 of `.rodata`'s 29 64 KiB windows (bench/NOTES.md, "#29, round four").

A stale list (an older toolchain or source) costs nothing but layout: lld ignores names it does not
find. Run again after a change of toolchain or of what the speech path calls:
    swift build -c release --static-swift-stdlib && python3 bench/hotcode.py
Needs valgrind, a C compiler and binutils (objcopy among them); takes about ten minutes. Never run by the test suite.
"""
import bisect
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

OUT = os.path.join(ROOT, "Sources", "elevenlabs", "link", "hot-symbols.txt")


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


# Reads lackey's trace on stdin and prints each 16-byte granule in [lo, hi) that was loaded, stored
# or modified, once. In C: a played sentence is some 100 million trace lines.
GRANULES_C = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
    unsigned long lo = strtoul(argv[1], 0, 16), hi = strtoul(argv[2], 0, 16);
    unsigned char *seen = calloc((hi - lo) / 16 + 1, 1);
    char line[512];
    if (!seen) return 1;
    while (fgets(line, sizeof line, stdin)) {
        if (line[0] != ' ' || (line[1] != 'L' && line[1] != 'S' && line[1] != 'M')) {
            if (strstr(line, "avma")) fputs(line, stderr);
            continue;
        }
        unsigned long a = strtoul(line + 3, 0, 16);
        if (a >= lo && a < hi && !seen[(a - lo) / 16]) { seen[(a - lo) / 16] = 1; printf("%lx\n", a); }
    }
    return 0;
}
"""


def sections(binary):
    """(name, address, size) of each allocated section, and the image's end."""
    out = subprocess.run(["readelf", "-SW", binary], capture_output=True, text=True, check=True).stdout
    found = []
    for line in out.splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)", line)
        if m and int(m.group(2), 16):
            found.append((m.group(1), int(m.group(2), 16), int(m.group(3), 16)))
    return found


def data_read(binary, args, env, work):
    """The `.rodata` symbols of `binary` read during `binary args`, in address order."""
    secs = sections(binary)
    image_end = max(a + n for _, a, n in secs)
    rodata = [(a, a + n) for name, a, n in secs if name == ".rodata"]
    if not rodata:
        return []
    src, tool, fifo = (os.path.join(work, n) for n in ("granules.c", "granules", "trace"))
    with open(src, "w") as f:
        f.write(GRANULES_C)
    subprocess.run(["cc", "-O2", "-o", tool, src], check=True)
    os.mkfifo(fifo)
    # Where valgrind maps the executable is read from its own log ("svma ..., avma ..." for .text);
    # until then, every granule below 64 MiB (where it puts the first library) is kept.
    with open(os.path.join(work, "granules.txt"), "w") as out, open(os.path.join(work, "maps.txt"), "w") as maps:
        # The reader opens the FIFO itself: an open for reading waits for the writer (valgrind).
        reader = subprocess.Popen(f"exec '{tool}' 0 4000000 < '{fifo}'", shell=True, stdout=out, stderr=maps)
        r = subprocess.run(["valgrind", "--tool=lackey", "--trace-mem=yes", "-v", "-v", "-v", f"--log-file={fifo}",
                            binary, *args], env=env, capture_output=True)
        reader.wait()
    if r.returncode != 0:
        sys.exit(f"hotcode: {args} failed under lackey: {r.stderr.decode()[-600:]}")
    text = [(a, n) for name, a, n in secs if name == ".text"][0]
    base = None
    for line in open(os.path.join(work, "maps.txt")):
        m = re.search(r"svma 0x([0-9a-f]+), avma 0x([0-9a-f]+)", line)
        if m and int(m.group(1), 16) == text[0]:
            base = int(m.group(2), 16) - text[0]
    if base is None:
        sys.exit("hotcode: could not find where valgrind mapped the executable")
    touched = [int(l, 16) - base for l in open(os.path.join(work, "granules.txt"))]
    touched = sorted(a for a in touched if 0 <= a < image_end and any(lo <= a < hi for lo, hi in rodata))
    symbols = []
    nm = subprocess.run(["nm", "-nS", "--defined-only", binary], capture_output=True, text=True, check=True).stdout
    for line in nm.splitlines():
        f = line.split()
        if len(f) == 4 and int(f[1], 16) > 0:
            symbols.append((int(f[0], 16), int(f[1], 16), f[3]))
    starts = [a for a, _, _ in symbols]
    names = []
    for a in touched:
        i = bisect.bisect_right(starts, a) - 1
        # Several symbols may start at one address; any of them moves the section.
        if i >= 0 and symbols[i][0] <= a < symbols[i][0] + symbols[i][1] and (not names or names[-1] != symbols[i][2]):
            names.append(symbols[i][2])
    return list(dict.fromkeys(names))


def main():
    binary = os.path.realpath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build", "release", "elevenlabs"))
    for tool in ("valgrind", "cc", "nm", "readelf", "objcopy"):
        if subprocess.run(["which", tool], capture_output=True).returncode != 0:
            sys.exit(f"hotcode: {tool} is needed (valgrind, a C compiler and binutils)")
    sandbox, base = start_sandbox(os.path.join(ROOT, ".build", "release"))
    work = tempfile.mkdtemp()
    try:
        # valgrind 3.19 gives up on the debug information of the C targets' objects ("possibly
        # corrupted debuginfo"): it runs a copy without it, the same code at the same addresses.
        copy = os.path.join(work, "elevenlabs")
        subprocess.run(["objcopy", "--strip-debug", binary, copy], check=True)
        binary = copy
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
        data = [n for n in data_read(binary, scenarios[0][1], env, work) if n not in seen]
        print(f"hotcode: {scenarios[0][0]}: {len(data)} read-only data symbols read")
        order += data
    finally:
        sandbox.terminate()
        subprocess.run(["rm", "-rf", work])
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write("".join(n + "\n" for n in order))
    print(f"hotcode: {len(order)} symbols written to {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
