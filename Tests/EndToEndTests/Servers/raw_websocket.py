#!/usr/bin/env python3
"""A WebSocket server that breaks RFC 6455 on purpose, written on raw sockets (no library would).

usage: raw_websocket.py MODE PORTFILE
MODE: no-upgrade (a 101 without Upgrade/Connection), masked (a masked text frame), rsv (RSV1 set
with no extension), big-control (a 200-byte ping), good (a valid session: one audio message, final,
close 1000). Serves one connection at a time; ends by itself after 60 s.
"""
import base64
import hashlib
import json
import os
import socket
import sys
import threading

mode, portfile = sys.argv[1:3]
threading.Timer(60, lambda: os._exit(0)).start()
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def frame(opcode, payload, mask=None, rsv=0):
    head = bytes([0x80 | rsv | opcode])
    n = len(payload)
    m = 0x80 if mask else 0
    head += bytes([m | n]) if n < 126 else bytes([m | 126]) + n.to_bytes(2, "big")
    if mask:
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        head += mask
    return head + payload


def serve(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return
        data += chunk
    key = next(l.split(":", 1)[1].strip() for l in data.decode().split("\r\n") if l.lower().startswith("sec-websocket-key"))
    accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
    if mode == "no-upgrade":
        conn.sendall(f"HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: {accept}\r\n\r\n".encode())
    else:
        conn.sendall(f"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     f"Sec-WebSocket-Accept: {accept}\r\n\r\n".encode())
    message = json.dumps({"audio": base64.b64encode(b"\xff\xfb\x90\x64" + bytes(413)).decode(), "isFinal": None}).encode()
    if mode == "masked":
        conn.sendall(frame(1, message, mask=b"\x01\x02\x03\x04"))
    elif mode == "rsv":
        conn.sendall(frame(1, message, rsv=0x40))
    elif mode == "big-control":
        conn.sendall(frame(9, bytes(200)))
    conn.settimeout(5)
    try:
        while conn.recv(4096):
            pass
    except OSError:
        pass


s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(4)
with open(portfile + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
os.rename(portfile + ".tmp", portfile)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
