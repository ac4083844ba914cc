#!/usr/bin/env python3
"""First sound as a person hears it: on a real sound server, side by side.

A private PulseAudio (its own runtime folder; a null sink, the native protocol on a socket) plays
what each client sends; `parec` records the sink's monitor the whole time, and each chunk it hands
over is stamped with the moment it arrived. A run's first sound is the first sample louder than the
threshold after the client was spawned, on that clock. Every client goes through the same server,
the same monitor and the same stamping, so their constant latency is the same and the ratios are
fair; the absolute figures include the monitor's own latency.

Clients, interleaved in one run: `elevenlabs speak --device default` (ALSA's pulse plugin),
`curl | mpg123 -o alsa` (the same plugin) and `curl | mpg123` (mpg123's own PulseAudio output).
Servers: the sandbox over HTTP, over HTTPS (a local TLS 1.3 proxy), and paced (the first audio in
small pieces at about real time: --chunk-size 1600 --chunk-delay 100, where a start threshold
costs most).

usage: bench/heard.py [--runs N] [--first-byte-delay MS] [--build release|debug] [--only http,https,paced]
Needs: pulseaudio, pulseaudio-utils (parec, pactl), libasound2-plugins, curl, mpg123, openssl.
Prints medians and the ratios ours / baseline (< 1 is ahead). Never run by the test suite.
"""
import argparse
import array
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from common import KEY, VOICE, peak_rss, start_sandbox, start_tls_proxy

RATE = 44100


class PrivatePulse:
    """A PulseAudio of our own: nothing of the desktop's, and it goes away with the benchmark."""

    def __init__(self, work):
        self.dir = os.path.join(work, "pulse")
        os.makedirs(self.dir)
        self.socket = os.path.join(self.dir, "native")
        self.env = dict(os.environ, XDG_RUNTIME_DIR=self.dir, PULSE_RUNTIME_PATH=self.dir, PULSE_SERVER=f"unix:{self.socket}",
                        HOME=self.dir)
        self.proc = subprocess.Popen(
            ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--disallow-exit", "--use-pid-file=no",
             "-L", f"module-native-protocol-unix socket={self.socket} auth-anonymous=1",
             "-L", f"module-null-sink sink_name=bench rate={RATE}", "-L", "module-always-sink"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if subprocess.run(["pactl", "info"], env=self.env, capture_output=True).returncode == 0:
                break
            time.sleep(0.05)
        else:
            raise SystemExit("bench: the private PulseAudio did not start")
        subprocess.run(["pactl", "set-default-sink", "bench"], env=self.env, check=True)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait()


class Recorder:
    """parec on the null sink's monitor, mono 16-bit; each chunk stamped when it arrived."""

    def __init__(self, env):
        self.proc = subprocess.Popen(["parec", "-d", "bench.monitor", "--raw", "--format=s16le", f"--rate={RATE}",
                                      "--channels=1", "--latency-msec=5"], env=env, stdout=subprocess.PIPE)
        self.chunks = []  # (arrival time, samples)
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.read, daemon=True)
        self.thread.start()

    def read(self):
        fd = self.proc.stdout.fileno()
        carry = b""
        while True:
            data = os.read(fd, 4096)
            now = time.monotonic()
            if not data:
                return
            data = carry + data
            n = len(data) // 2
            carry = data[n * 2:]
            samples = array.array("h", data[:n * 2])  # 2 bytes a sample: the bench stays small
            with self.lock:
                self.chunks.append((now, samples))

    def loud_span(self, after, threshold=300):
        """When the first and the last sample louder than `threshold` reached us, among those after
        `after`; (None, None) if none did."""
        with self.lock:
            chunks = [c for c in self.chunks if c[0] >= after]
        first = last = None
        for arrived, samples in chunks:
            for j, v in enumerate(samples):
                if abs(v) > threshold:
                    t = arrived - (len(samples) - 1 - j) / RATE
                    first = t if first is None else first
                    last = t
        return first, last

    def first_loud(self, after, threshold=300):
        """When the first sample louder than `threshold` reached us, among those after `after`."""
        return self.loud_span(after, threshold)[0]

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def curl_command(base, text, output, cacert=None):
    body = '{"text": "%s", "model_id": "eleven_multilingual_v2"}' % text
    ca = f"--cacert '{cacert}' " if cacert else ""
    return (f"curl -s {ca}-X POST -H 'xi-api-key: {KEY}' -H 'Content-Type: application/json' -d '{body}' "
            f"'{base}/v1/text-to-speech/{VOICE}/stream?output_format=mp3_44100_128' | mpg123 -q {output} -")


def heard(recorder, cmd, env):
    """(seconds from spawning cmd to the first loud sample the monitor gives back, seconds from the
    first loud sample to the last, what cmd wrote on stderr). The second is the audio's own length
    plus every gap heard: an underrun lengthens it."""
    time.sleep(0.25)  # silence between runs, so no tail of the last run counts
    start = time.monotonic()
    with tempfile.TemporaryFile() as err:
        p = subprocess.Popen(cmd, env=env, shell=isinstance(cmd, str), stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=err)
        p.wait()
        err.seek(0)
        said = err.read().decode(errors="replace")
    time.sleep(0.3)
    first, last = recorder.loud_span(start)
    if p.returncode != 0 or first is None:
        raise SystemExit(f"bench: {cmd!r} was not heard ({p.returncode}): {said.strip()[:300]}")
    return first - start, last - first, said


def underruns(said):
    """The underrun count in our --metrics --json output (0 if it is not there)."""
    try:
        return json.loads(said[said.index("{"):]).get("underruns", 0) or 0
    except ValueError:
        return 0


OURS, ALSA, PULSE = "elevenlabs speak", "curl | mpg123 -o alsa", "curl | mpg123 (pulse)"


def measure(name, base, cacert, a, ours_bin, pulse, recorder, work, quiet=False):
    """First sound heard and the length heard (audio plus gaps) per client, medians of a.runs
    interleaved rounds; and our underruns summed over the rounds."""
    env = dict(pulse.env, ELEVENLABS_BASE_URL=base, ELEVENLABS_API_KEY=KEY, XDG_CACHE_HOME=os.path.join(work, "cache"))
    def clients(text):
        # Ours as people run it: the audio cache on (each round's text is new, so nothing is
        # replayed from it), which also lets a device that played before open in flight.
        ours = [ours_bin, "speak", "--device", "default", "--metrics", "--json"] + (["--cacert", cacert] if cacert else []) + [text]
        return {OURS: ours, ALSA: curl_command(base, text, "-o alsa", cacert), PULSE: curl_command(base, text, "", cacert)}
    first = {k: [] for k in clients("")}
    span = {k: [] for k in clients("")}
    ours_underruns = 0
    # One untimed round first: every client's libraries are in the page cache, and our device list
    # holds the device, as on any machine where the tool has played once.
    for cmd in clients(a.text + " Warm.").values():
        heard(recorder, cmd, env)
    for i in range(a.runs):
        for k, cmd in clients(f"{a.text} Round {i + 1}.").items():  # interleaved, so drift hits all alike
            f, length, said = heard(recorder, cmd, env)
            first[k].append(f)
            span[k].append(length)
            if k == OURS:
                ours_underruns += underruns(said)
    med = {k: statistics.median(v) for k, v in first.items()}
    lengths = {k: statistics.median(v) for k, v in span.items()}
    if not quiet:
        print(f"\n{name}: first sound heard on PulseAudio's null sink, median of {a.runs} runs")
        for k, v in med.items():
            print(f"  {k:<24} {v * 1000:8.1f} ms   heard for {lengths[k]:.3f} s")
        for k in list(first)[1:]:
            print(f"  ratio ours / {k:<22} {med[OURS] / med[k]:.3f}")
        print(f"  our underruns over {a.runs} runs: {ours_underruns}")
    return med, lengths, ours_underruns


def run_usage(cmds, env, stdin=None):
    """Runs a pipeline of commands (a list of argv lists) to the end; returns (CPU seconds, user and
    system, summed over its processes; peak RSS summed over its processes, in MiB, sampled every
    20 ms until each exits; context switches)."""
    procs, prev = [], None
    for i, cmd in enumerate(cmds):
        last = i == len(cmds) - 1
        p = subprocess.Popen(cmd, env=env, stdin=prev.stdout if prev else (subprocess.PIPE if stdin else subprocess.DEVNULL),
                             stdout=subprocess.DEVNULL if last else subprocess.PIPE, stderr=subprocess.DEVNULL)
        if prev:
            prev.stdout.close()
        elif stdin:
            p.stdin.write(stdin)
            p.stdin.close()
        procs.append(p)
        prev = p
    peaks = {p.pid: 0 for p in procs}
    done = threading.Event()

    def sample():
        # VmHWM only grows; the last reading before exit is the peak (within 20 ms of the end).
        while not done.is_set():
            for pid in peaks:
                peaks[pid] = max(peaks[pid], peak_rss(pid))
            time.sleep(0.02)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    cpu = switches = 0
    for p in procs:
        # Reaped only after the sampler has read it: a zombie's status has no VmHWM.
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            peaks[p.pid] = max(peaks[p.pid], peak_rss(p.pid))
            time.sleep(0.005)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"bench: {cmds} failed")
        cpu += ru.ru_utime + ru.ru_stime
        switches += ru.ru_nvcsw + ru.ru_nivcsw
    done.set()
    sampler.join()
    return cpu, sum(peaks.values()) / 1024, switches


def listen(ours_bin, base, env, text, device, runs):
    """A long listen: `text` spoken through `device`, ours against curl | mpg123 -o alsa on the same
    device, interleaved; medians of (CPU seconds, peak RSS MiB, context switches) per client."""
    body = json.dumps({"text": text, "model_id": "eleven_multilingual_v2"})
    curl = ["curl", "-s", "-X", "POST", "-H", f"xi-api-key: {KEY}", "-H", "Content-Type: application/json", "--data-binary", body,
            f"{base}/v1/text-to-speech/{VOICE}/stream?output_format=mp3_44100_128"]
    # The text from a file, as curl sends it whole: from a pipe, ours would speak it as live input.
    with tempfile.NamedTemporaryFile(mode="w", suffix=".txt") as f:
        f.write(text)
        f.flush()
        ours = [ours_bin, "speak", "--no-cache", "--device", device, "-f", f.name]
        theirs = [curl, ["mpg123", "-q", "-o", "alsa", "-a", device, "-"]]
        got = {OURS: [], ALSA: []}
        for _ in range(runs):
            got[OURS].append(run_usage([ours], env))
            got[ALSA].append(run_usage(theirs, env))
    return {k: tuple(statistics.median(x[i] for x in v) for i in range(3)) for k, v in got.items()}


def syscalls(ours_bin, base, env, text):
    """System calls of one listen to the default device, counted by strace -c -f: ours against
    curl | mpg123 -o alsa (the shell that joins them is counted too: a handful). Returns
    {name: (ours, theirs)} for the total and the calls that matter most."""
    def count(cmd, stdin=None):
        with tempfile.NamedTemporaryFile(mode="r") as out:
            subprocess.run(["strace", "-f", "-c", "-o", out.name] + cmd, env=env, input=stdin, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            calls = {}
            for line in out.read().splitlines():
                f = line.split()
                if len(f) >= 5 and f[-1] != "syscall" and f[0][0].isdigit():
                    calls[f[-1]] = int(f[3])
            return calls
    body = json.dumps({"text": text, "model_id": "eleven_multilingual_v2"}).replace("'", "'\\''")
    pipeline = (f"curl -s -X POST -H 'xi-api-key: {KEY}' -H 'Content-Type: application/json' --data-binary '{body}' "
                f"'{base}/v1/text-to-speech/{VOICE}/stream?output_format=mp3_44100_128' | mpg123 -q -o alsa -")
    with tempfile.NamedTemporaryFile(mode="w", suffix=".txt") as f:
        f.write(text)
        f.flush()
        ours = count([ours_bin, "speak", "--no-cache", "--device", "default", "-f", f.name])
    theirs = count(["sh", "-c", pipeline])
    names = ["total", "futex", "poll", "write", "read", "getpid"]
    return {n: (ours.get(n, 0), theirs.get(n, 0)) for n in names}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--first-byte-delay", type=int, default=100)
    ap.add_argument("--build", default="release")
    ap.add_argument("--client", default=None)
    ap.add_argument("--only", default="http,https,paced")
    ap.add_argument("--text", default="The quick brown fox jumps over the lazy dog, and then it takes a well deserved nap.")
    a = ap.parse_args()
    for tool in ("pulseaudio", "parec", "pactl", "curl", "mpg123"):
        if not shutil.which(tool):
            sys.exit(f"bench: {tool} is needed (apt-get install pulseaudio pulseaudio-utils libasound2-plugins curl mpg123)")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    bin_dir = os.path.join(root, ".build", a.build)
    ours = a.client or os.path.join(bin_dir, "elevenlabs")
    work = tempfile.mkdtemp()
    pulse = PrivatePulse(work)
    recorder = Recorder(pulse.env)
    stops = []
    try:
        only = a.only.split(",")
        if "http" in only or "https" in only:
            sandbox, base = start_sandbox(bin_dir, "--first-byte-delay", str(a.first_byte_delay))
            stops.append(sandbox.terminate)
            if "http" in only:
                measure("HTTP", base, None, a, ours, pulse, recorder, work)
            if "https" in only:
                tls, ca, stop = start_tls_proxy(base, work)
                stops.append(stop)
                measure("HTTPS", tls, ca, a, ours, pulse, recorder, work)
        if "paced" in only:
            sandbox, base = start_sandbox(bin_dir, "--first-byte-delay", str(a.first_byte_delay),
                                          "--chunk-size", "1600", "--chunk-delay", "100")
            stops.append(sandbox.terminate)
            measure("paced (1600-byte pieces every 100 ms, about real time)", base, None, a, ours, pulse, recorder, work)
    finally:
        for stop in stops:
            stop()
        recorder.stop()
        pulse.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
