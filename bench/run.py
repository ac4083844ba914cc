#!/usr/bin/env python3
"""All the benchmarks in one run, as one table: python3 bench/run.py [--quick]

Builds nothing: it measures .build/release (swift build -c release) and, when present,
.build-static/release/elevenlabs (swift build -c release --static-swift-stdlib --product elevenlabs
--scratch-path .build-static), against elevenlabs-sandbox. Every figure is a median of several runs
and every comparison a ratio measured in the same run. Never run by the test suite.
"""
import argparse
import importlib.util
import json
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
from common import KEY, start_sandbox as sandbox, start_tls_proxy  # noqa: E402

ttfs, longtext, livecpu, heard = load("ttfs"), load("longtext"), load("livecpu"), load("heard")


def child_cpu(before):
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer runs and shorter audio")
    ap.add_argument("--only", default="", help="comma-separated sections: first-sound, heard, listen, steps, long, memory, cache, cpu, batch, live, startup")
    a = ap.parse_args()
    only = set(filter(None, a.only.split(",")))

    def want(section):
        return not only or section in only
    runs = 3 if a.quick else 9
    # The rows the done-when criteria of #29 rest on get enough runs even with --quick: medians of 3
    # move by 1 % between runs on the build machine, which is the whole margin being measured.
    # First sound into the FIFO costs a quarter of a second a run; a minute on ALSA null, a tenth.
    first_runs = 21 if a.quick else 41
    null_runs = 7 if a.quick else 15
    bin_dir = os.path.join(ROOT, ".build", "release")
    static = os.path.join(ROOT, ".build-static", "release", "elevenlabs")
    plain = os.path.join(bin_dir, "elevenlabs")
    client = static if os.path.exists(static) else plain
    rows = []
    work = tempfile.mkdtemp()
    try:
        fifo = os.path.join(work, "pcm.fifo")
        os.mkfifo(fifo)
        device = f"file:FILE={fifo}"
        env = dict(os.environ, ELEVENLABS_API_KEY=KEY, XDG_CACHE_HOME=os.path.join(work, "cache"))
        sentence = "The quick brown fox jumps over the lazy dog, and then it takes a well deserved nap."
        builds = [("README build", client)] + ([("plain release build", plain)] if client != plain else [])
        o = None

        if want("first-sound"):
            # 1: time to first sound over HTTP and HTTPS, each build against curl | mpg123 in the same run.
            sb, base = sandbox(bin_dir, "--first-byte-delay", "200")
            https, cacert, stop_tls = start_tls_proxy(base, work)
            for scheme, url, ca in [("HTTP", base, None), ("HTTPS", https, cacert)]:
                e = dict(env, ELEVENLABS_BASE_URL=url)
                extra = ["--cacert", ca] if ca else []
                results = {name: [] for name, _ in builds}
                theirs = []
                # Ours as people run it, the audio cache on: each round's text is new, so nothing
                # comes from the cache; one untimed round first puts the FIFO device on the list of
                # devices that have played (DeviceProof), as any earlier use of it would.
                for name, binary in builds:
                    ttfs.first_sound([binary, "speak", "--device", device, *extra, f"{sentence} Warm."], fifo, e)
                for i in range(first_runs):  # interleaved, so drift hits every client alike
                    text = f"{sentence} {scheme} round {i + 1}."
                    for name, binary in builds:
                        # Each build its own text: the same text twice would come from the cache.
                        mine = text if name == builds[0][0] else f"{text} ({name})"
                        results[name].append(ttfs.first_sound([binary, "speak", "--device", device, *extra, mine], fifo, e))
                    theirs.append(ttfs.first_sound(ttfs.curl_pipeline(url, device, text, ca), fifo, e))
                t = statistics.median(theirs)
                for name, _ in builds:
                    m = statistics.median(results[name])
                    o = m if (scheme, name) == ("HTTP", "README build") else o
                    rows.append((f"first sound, {scheme}, {name} (200 ms server)", f"{m * 1000:.1f} ms", f"curl | mpg123 {t * 1000:.1f} ms", f"{m / t:.3f}"))
                    rows.append((f"  own overhead (server delay subtracted)", f"{(m - .2) * 1000:.1f} ms", f"{(t - .2) * 1000:.1f} ms", f"{(m - .2) / (t - .2):.3f}"))
            stop_tls()
            sb.terminate()

        if want("heard") or want("listen"):
            for tool in ("pulseaudio", "parec", "pactl", "mpg123"):
                if not shutil.which(tool):
                    sys.exit(f"bench: {tool} is needed (apt-get install pulseaudio pulseaudio-utils libasound2-plugins mpg123)")
            pulse = heard.PrivatePulse(work)
            recorder = heard.Recorder(pulse.env)
            try:
                if want("heard"):
                    # What a person hears: from spawn to the first loud sample on a PulseAudio null
                    # sink's monitor, through ALSA's pulse plugin (ours, mpg123 -o alsa) and
                    # mpg123's own PulseAudio output; 100 ms first byte; interleaved.
                    h = argparse.Namespace(runs=runs, text=sentence)
                    sb, base = sandbox(bin_dir, "--first-byte-delay", "100")
                    https, cacert, stop_tls = start_tls_proxy(base, work)
                    paced, paced_base = sandbox(bin_dir, "--first-byte-delay", "100", "--chunk-size", "1600", "--chunk-delay", "100")
                    for label, url, ca in [("HTTP", base, None), ("HTTPS", https, cacert), ("paced server", paced_base, None)]:
                        med, lengths, under = heard.measure(label, url, ca, h, client, pulse, recorder, work, quiet=True)
                        for k in (heard.ALSA, heard.PULSE):
                            rows.append((f"first sound heard, PulseAudio, {label}", f"{med[heard.OURS] * 1000:.1f} ms",
                                         f"{k} {med[k] * 1000:.1f} ms", f"{med[heard.OURS] / med[k]:.3f}"))
                        if label == "paced server":
                            rows.append(("  heard for (audio plus gaps), paced server", f"{lengths[heard.OURS]:.3f} s",
                                         f"{heard.ALSA} {lengths[heard.ALSA]:.3f} s", f"{lengths[heard.OURS] / lengths[heard.ALSA]:.3f}"))
                            rows.append((f"  our underruns (ALSA -EPIPE recoveries), {runs} paced runs", f"{under}", "", ""))
                    stop_tls()
                    sb.terminate()
                    paced.terminate()
                if want("listen"):
                    # A minute of speech: played on the PulseAudio sink (in real time), and on ALSA's
                    # null device (no sound server; it takes the audio as fast as it comes).
                    sb, base = sandbox(bin_dir)
                    minute = longtext.book(15 * 60)
                    for label, dev, e in [("PulseAudio", "default", dict(pulse.env, ELEVENLABS_API_KEY=KEY)),
                                          ("ALSA null", "null", dict(env))]:
                        e = dict(e, ELEVENLABS_BASE_URL=base, XDG_CACHE_HOME=os.path.join(work, "cache"))
                        # On PulseAudio each run plays in real time (a minute); ALSA null takes the
                        # audio as fast as it comes.
                        got = heard.listen(client, base, e, minute, dev, null_runs if dev == "null" else max(1, runs // 3))
                        (oc, orss, osw), (tc, trss, tsw) = got[heard.OURS], got[heard.ALSA]
                        rows.append((f"a minute of speech, {label}: CPU (user+system)", f"{oc * 1000:.0f} ms", f"curl + mpg123 {tc * 1000:.0f} ms", f"{oc / tc:.3f}"))
                        rows.append((f"  peak RSS (the pipeline: both summed)", f"{orss:.1f} MiB", f"curl + mpg123 {trss:.1f} MiB", f"{orss / trss:.3f}"))
                        rows.append((f"  context switches", f"{osw:.0f}", f"curl + mpg123 {tsw:.0f}", f"{osw / tsw:.3f}"))
                    if shutil.which("strace"):
                        e = dict(pulse.env, ELEVENLABS_API_KEY=KEY, ELEVENLABS_BASE_URL=base, XDG_CACHE_HOME=os.path.join(work, "cache"))
                        counts = heard.syscalls(client, base, e, minute)
                        for name, (mine, theirs) in counts.items():
                            rows.append((f"  system calls, PulseAudio: {name}", f"{mine}", f"curl + mpg123 {theirs}", f"{mine / max(1, theirs):.3f}"))
                    sb.terminate()
            finally:
                recorder.stop()
                pulse.stop()

        if want("steps"):
            # 2: where the time goes before the request, from --metrics (medians per step, README build).
            sb, base = sandbox(bin_dir, "--first-byte-delay", "200")
            e = dict(env, ELEVENLABS_BASE_URL=base)
            samples, before_main = {}, []
            # As people run it (the audio cache on, a new text each time, the device played once before).
            ttfs.first_sound([client, "speak", "--device", device, f"{sentence} Warm."], fifo, e)
            for i in range(runs):
                with tempfile.TemporaryFile(mode="w+") as err:
                    spawned = time.monotonic()
                    first = ttfs.first_sound([client, "speak", "--device", device, "--metrics", "--json", f"{sentence} Steps {i + 1}."],
                                             fifo, e, stderr_to=err)
                    err.seek(0)
                    raw = err.read()
                m = json.loads(raw[raw.index("{"):])
                before_main.append((m["main_started"] - spawned) * 1000)
                samples.setdefault(("outside", "first PCM at the device, seen from outside"), []).append(first * 1000 - before_main[-1])
                seen = set()
                for step in m["steps"]:  # each step's first time in the run
                    key = (step["thread"], step["step"])
                    if key not in seen:
                        seen.add(key)
                        samples.setdefault(key, []).append(step["ms"])
            breakdown = [("main", "exec to main (loader, runtime)", -statistics.median(before_main), statistics.median(before_main))]
            for (thread, step), xs in samples.items():
                breakdown.append((thread, step, statistics.median(xs), None))
            breakdown.sort(key=lambda b: b[2])
            # Each step's own time: since the step before it on its thread; a thread's first step counts
            # from the main-thread step that started it.
            at_of = {(t, st): a for t, st, a, _ in breakdown}
            last = {"main": 0.0, "player": at_of.get(("main", "player thread started"), 0.0),
                    "libcurl": at_of.get(("main", "request handed to libcurl"), 0.0),
                    "outside": at_of.get(("player", "first PCM written"), 0.0)}
            for thread, step, at, took in breakdown:
                if took is None:
                    took = at - last.get(thread, 0.0)
                    last[thread] = at
                rows.append((f"  step: {step}" + ("" if thread == "main" else f" [{thread}]"), f"{took * 1000:.0f} us", f"at {at:.2f} ms from main", ""))
            sb.terminate()

        if want("long"):
            # The first sound of a long text: its first part is sent as soon as a sentence is cut.
            sb, base = sandbox(bin_dir, "--first-byte-delay", "200")
            env = dict(env, ELEVENLABS_BASE_URL=base)
            # As people run it, like the sentence it is compared with: the cache on, a new text each
            # run (its first part differs, so every part's key does), the device played before.
            if o is None:
                ttfs.first_sound([client, "speak", "--device", device, f"{sentence} Warm."], fifo, env)
                o = statistics.median(ttfs.first_sound([client, "speak", "--device", device, f"{sentence} Long {i}."], fifo, env)
                                      for i in range(runs))
            longtext.play(client, "Warm. " + longtext.book(20_000), fifo, env, cache=True)  # the model cache, the device list
            long = statistics.median(longtext.play(client, f"Run {i}. " + longtext.book(60_000), fifo, env, cache=True)[0]
                                     for i in range(max(3, runs // 3)))
            rows.append(("first sound, 60,000 characters (HTTP)", f"{long * 1000:.1f} ms", f"a sentence {o * 1000:.1f} ms", f"{long / o:.3f}"))
            sb.terminate()

        if want("memory"):
            # 3: peak memory for 1, 10 and 60 minutes of audio, drained at 60x real time.
            sb, base = sandbox(bin_dir)
            env = dict(env, ELEVENLABS_BASE_URL=base)
            minutes = [1, 10] if a.quick else [1, 10, 60]
            peaks = {}
            for m in minutes:  # ru_maxrss is the largest child so far, so shortest first
                peaks[m] = longtext.play(client, longtext.book(15 * 60 * m), fifo, env, pace=60)[1] / 1024
            for m in minutes:
                rows.append((f"peak memory, {m} minute{'s' if m > 1 else ''} of speech", f"{peaks[m]:.1f} MiB", f"1 minute {peaks[1]:.1f} MiB", f"{peaks[m] / peaks[1]:.3f}"))
            sb.terminate()

        if want("cache"):
            # An hour of speech bought into the audio cache (written as it arrives) and replayed from
            # it: peak memory against a minute's, both replays, drained at 60x real time.
            sb, base = sandbox(bin_dir)
            e = dict(env, ELEVENLABS_BASE_URL=base, XDG_CACHE_HOME=os.path.join(work, "cache-hour"),
                     ELEVENLABS_CACHE_MAX_MB="4096")
            long_minutes = 10 if a.quick else 60
            replay = {}
            for m in (1, long_minutes):  # each figure is that replay's own peak (wait4)
                text = longtext.book(15 * 60 * m)
                longtext.play(client, text, fifo, e, pace=60, cache=True)
                replay[m] = longtext.play(client, text, fifo, e, pace=60, cache=True)[1] / 1024
            cached = subprocess.run([client, "speak", "--cache-info", "--json"], env=e, capture_output=True, text=True).stdout
            size = json.loads(cached)["bytes"] / 1048576 if cached.strip() else 0
            rows.append((f"replay of {long_minutes} minutes from the cache ({size:.0f} MiB cached), peak memory",
                         f"{replay[long_minutes]:.1f} MiB", f"1 minute {replay[1]:.1f} MiB", f"{replay[long_minutes] / replay[1]:.3f}"))
            sb.terminate()

        if want("cpu"):
            # 4: CPU per minute of audio, versus mpg123 decoding the same MP3 to the same device.
            sb, base = sandbox(bin_dir)
            env = dict(env, ELEVENLABS_BASE_URL=base)
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

        if want("batch"):
            # 5: batch, 100 inputs at concurrency 4, 200 ms first byte, versus the ideal.
            out = subprocess.run([sys.executable, os.path.join(HERE, "batch.py"), "--runs", "1" if a.quick else "3"],
                                 capture_output=True, text=True, check=True).stdout.strip().split("\n")[-1]
            batch, ideal, ratio = out.split("; ")[1].split()[1], out.split("; ")[2].split()[1], out.split("ratio ")[1]
            rows.append(("batch: 100 inputs, concurrency 4, 200 ms first byte", f"{batch} s", f"ideal {ideal} s", ratio))

        if want("live"):
            # 6: live input's CPU for steady unpunctuated text: the same per minute for twice the input.
            short, long_ = livecpu.run(client, bin_dir, 5 if a.quick else 15)
            rows.append(("live input CPU per minute of input (steady words)", f"{long_ * 1000:.0f} ms", f"half as long {short * 1000:.0f} ms", f"{long_ / short:.3f}"))

        if want("startup"):
            # 7: start-up: --version against curl --version, each build; --help and a listing against /bin/true.
            sb, base = sandbox(bin_dir)
            env = dict(env, ELEVENLABS_BASE_URL=base)

            def timed(cmds):
                xs = [[] for _ in cmds]
                for _ in range(runs * 5):  # interleaved
                    for i, cmd in enumerate(cmds):
                        s = time.monotonic()
                        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                        xs[i].append(time.monotonic() - s)
                return [statistics.median(x) for x in xs]
            version = timed([[b, "--version"] for _, b in builds] + [["curl", "--version"]])
            for (name, _), v in zip(builds, version):
                rows.append((f"start-up: --version, {name}", f"{v * 1000:.2f} ms", f"curl --version {version[-1] * 1000:.2f} ms", f"{v / version[-1]:.3f}"))
            bare, helptime, voices = timed([["/bin/true"], [client, "--help"], [client, "voices"]])
            rows.append(("start-up: --help", f"{helptime * 1000:.1f} ms", f"/bin/true {bare * 1000:.1f} ms", f"{helptime / bare:.1f}"))
            rows.append(("start-up: voices (sandbox on loopback)", f"{voices * 1000:.1f} ms", f"/bin/true {bare * 1000:.1f} ms", f"{voices / bare:.1f}"))
            sb.terminate()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"elevenlabs benchmarks, client {os.path.relpath(client, ROOT)}, medians of {runs} runs "
          f"(first sound into the FIFO: {first_runs}; a minute on ALSA null: {null_runs})")
    w = max(len(r[0]) for r in rows)
    print(f"{'measure':<{w}}  {'elevenlabs':>12}  {'compared with':<32}  ratio")
    for r in rows:
        print(f"{r[0]:<{w}}  {r[1]:>12}  {r[2]:<32}  {r[3]}")
    print("The Python SDK's stream() is not compared: it is not installed here (pip install elevenlabs, then add it).")


if __name__ == "__main__":
    main()
