#!/usr/bin/env python3
"""A deliberately broken API server for the trust tests: each MODE misbehaves in one way a real
server, a proxy or an attacker could, so the tests can prove the client ends every exchange.

usage: hostile_http.py MODE PORTFILE
Writes the port it listens on (127.0.0.1) into PORTFILE, then serves until killed (or 120 s).
"""
import gzip
import json
import socket
import socketserver
import sys
import threading
import time

mode, portfile = sys.argv[1], sys.argv[2]
pages = {"n": 0}


def voice(i):
    return {"voice_id": "V%019d" % i, "name": "Voice %d" % i, "category": "premade", "labels": {}}


def head(status, reason, headers):
    lines = ["HTTP/1.1 %d %s" % (status, reason)] + ["%s: %s" % kv for kv in headers] + ["", ""]
    return "\r\n".join(lines).encode()


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        s.settimeout(60)
        try:
            while True:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = s.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                request_line = data.split(b"\r\n", 1)[0].decode("latin-1")
                path = request_line.split(" ")[1] if " " in request_line else "/"
                if not self.answer(s, path, data):
                    return
        except (OSError, BrokenPipeError):
            return

    def send_json(self, s, obj):
        body = json.dumps(obj).encode()
        s.sendall(head(200, "OK", [("Content-Type", "application/json"), ("Content-Length", len(body))]) + body)
        return True

    def answer(self, s, path, raw):
        pages["n"] += 1
        n = pages["n"]
        if mode == "voices-repeat-token" and path.startswith("/v2/voices"):
            return self.send_json(s, {"voices": [voice(n)], "has_more": True, "next_page_token": "same", "total_count": 0})
        if mode == "voices-new-token" and path.startswith("/v2/voices"):
            return self.send_json(s, {"voices": [voice(n)], "has_more": True, "next_page_token": "t%d" % n, "total_count": 0})
        if mode == "history-empty-more" and path.startswith("/v1/history"):
            return self.send_json(s, {"history": [], "has_more": True, "last_history_item_id": "h%d" % n})
        if mode == "endless-json":
            s.sendall(head(200, "OK", [("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")]))
            piece = b'{"model_id": "m", "name": "padding padding padding padding padding"},' * 1000
            s.sendall(b"%x\r\n[\r\n" % 1)
            while True:
                s.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
        if mode == "endless-error":
            s.sendall(head(500, "Internal Server Error", [("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")]))
            piece = b"x" * 65536
            while True:
                s.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
        if mode == "gzip-bomb":
            body = BOMB
            s.sendall(head(200, "OK", [("Content-Type", "application/json"), ("Content-Encoding", "gzip"),
                                       ("Content-Length", len(body))]) + body)
            return True
        if mode == "trickle":
            s.sendall(head(200, "OK", [("Content-Type", "application/json"), ("Content-Length", 100000)]))
            while True:
                s.sendall(b" ")
                time.sleep(1)
        if mode == "ws-endless-header" and b"Upgrade: websocket" in raw:
            s.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n")
            line = b"X-Padding: " + b"a" * 1000 + b"\r\n"
            while True:
                s.sendall(line * 64)
        if mode == "ws-huge-403" and b"Upgrade: websocket" in raw:
            s.sendall(head(403, "Forbidden", [("Content-Type", "application/json"), ("Content-Length", "100000000000")]))
            while True:
                s.sendall(b"x" * 65536)
        if path.startswith("/v1/user/subscription"):
            return self.send_json(s, {"tier": "creator", "character_count": 0, "character_limit": 100000,
                                      "next_character_count_reset_unix": 1900000000, "voice_limit": 30,
                                      "max_voice_add_edits": 95, "voice_add_edit_counter": 0,
                                      "professional_voice_limit": 1, "can_extend_character_limit": True,
                                      "allowed_to_extend_character_limit": True, "can_extend_voice_limit": True,
                                      "can_use_instant_voice_cloning": True, "can_use_professional_voice_cloning": True,
                                      "currency": "usd", "status": "active", "voice_slots_used": 0})
        body = b'{"detail": {"status": "not_found", "message": "nothing here"}}'
        s.sendall(head(404, "Not Found", [("Content-Type", "application/json"), ("Content-Length", len(body))]) + body)
        return True


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


# 64 MiB of JSON white space in about 64 KiB: four times the client's cap, made once.
BOMB = gzip.compress(b"[" + b" " * (64 << 20) + b"]", compresslevel=6) if mode == "gzip-bomb" else b""
server = Server(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(portfile + ".tmp", portfile)
threading.Timer(120, lambda: os._exit(0)).start()
server.serve_forever()
