"""What the benchmarks share: starting elevenlabs-sandbox, and timing the first sound a client hands
to ALSA (an ALSA `file` PCM writing into a FIFO that is read here), optionally drained at a paced
rate, with the client's own resource usage."""
import os
import select
import subprocess
import threading
import time
import types

KEY = "sk_sandbox_0123456789abcdef"
VOICE = "JBFqnCBsd6RMkjVDRZzb"


def start_sandbox(bin_dir, *extra):
    """Starts the sandbox on a free port with ample credits; returns (process, base URL)."""
    p = subprocess.Popen([os.path.join(bin_dir, "elevenlabs-sandbox"), "--port", "0", "--quiet",
                          "--credits", "1000000000", *extra], stdout=subprocess.PIPE, text=True)
    base = p.stdout.readline().strip().split()[-1]
    p.stdout.close()
    return p, base


def peak_rss(pid):
    """A process's peak resident set so far (VmHWM), in KiB; 0 once it is gone or a zombie."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def play_into_fifo(cmd, fifo, env, stdin=None, pace=None, rate_bytes=44100 * 2, stderr_to=None):
    """Runs cmd, which plays into the FIFO; returns (seconds from spawn to the first PCM byte, the
    child's rusage). `stderr_to`, a file, receives the child's standard error. With `pace`, the FIFO is drained no faster than pace x real time, as a sound card
    would (sped up), so audio queues up in the client as it would on a device."""
    # The reader holds a write end itself, so a client that opens the device more than once (mpg123
    # probes, closes and reopens it) never sees EOF or blocks; it stops when the client exits.
    rfd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    wfd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    got, done = {}, threading.Event()

    def reader():
        consumed = 0
        while not done.is_set():
            if pace and "t" in got and consumed > (time.monotonic() - got["t"]) * rate_bytes * pace:
                time.sleep(0.005)
                continue
            ready, _, _ = select.select([rfd], [], [], 0.02)
            if not ready:
                continue
            try:
                data = os.read(rfd, 65536)
            except BlockingIOError:
                continue
            if data and "t" not in got:
                got["t"] = time.monotonic()
            consumed += len(data)

    t = threading.Thread(target=reader)
    t.start()
    start = time.monotonic()
    p = subprocess.Popen(cmd, env=env, shell=isinstance(cmd, str), stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=stderr_to or subprocess.DEVNULL)
    if stdin:
        p.stdin.write(stdin)
        p.stdin.close()
    # wait4 gives this child's own usage (RUSAGE_CHILDREN would mix in every earlier child), but not
    # its peak memory: ru_maxrss survives exec, so a child of a large benchmark process would report
    # the benchmark's size. The peak is read from /proc (VmHWM) while the child runs.
    peak = 0
    while True:
        pid, status, usage = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, peak_rss(p.pid))
        time.sleep(0.01)
    usage = types.SimpleNamespace(**{f: getattr(usage, f) for f in dir(usage) if f.startswith("ru_")})
    usage.ru_maxrss = peak
    p.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    t.join()
    os.close(rfd)
    os.close(wfd)
    if p.returncode != 0 or "t" not in got:
        raise SystemExit(f"bench: {cmd!r} failed ({p.returncode})")
    return got["t"] - start, usage


def start_tls_proxy(base, work):
    """HTTPS in front of the sandbox: a TLS 1.3 terminator on a self-signed certificate made here
    (openssl req), forwarding each connection to `base`. Both clients pay the same handshake and the
    same hop; ours trusts the certificate with --cacert, curl with --cacert. Returns (https base URL,
    CA file, stop function)."""
    import socket
    import ssl
    from urllib.parse import urlsplit
    cert, key = os.path.join(work, "tls.crt"), os.path.join(work, "tls.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], check=True, capture_output=True)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_cert_chain(cert, key)
    upstream = urlsplit(base)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    stopping = threading.Event()

    def pump(a, b):
        try:
            while True:
                data = a.recv(65536)
                if not data:
                    break
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def serve(conn):
        try:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            tls = ctx.wrap_socket(conn, server_side=True)
            up = socket.create_connection((upstream.hostname, upstream.port))
            up.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except (OSError, ssl.SSLError):
            conn.close()
            return
        t = threading.Thread(target=pump, args=(up, tls), daemon=True)
        t.start()
        pump(tls, up)
        t.join()
        tls.close()
        up.close()

    def accept():
        while not stopping.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()

    def stop():
        stopping.set()
        listener.close()
    return f"https://127.0.0.1:{port}", cert, stop
