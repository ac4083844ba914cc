#!/usr/bin/env python3
"""A stream-input server written with an independent WebSocket implementation (the `websockets`
library, the one the official Python SDK uses), misbehaving on purpose.

usage: hostile_stream_input.py MODE PORTFILE AUDIO.mp3 LOG.jsonl
MODE: normal (audio for each flushed text, final, close 1000), final-no-close (final, then never
closes), silent (never answers after the end of input), no-audio (final and close 1000 with no
audio), bad-base64 (undecodable audio, final, close), final-then-drop (final, then TCP dropped with
no close frame), sink (no audio until the end of input, then one). Every client message is appended to LOG as
{"t": seconds since connect, "message": ...}. Ends by itself after 120 s.
"""
import asyncio
import base64
import json
import os
import sys
import threading
import time

try:
    from websockets.asyncio.server import serve  # websockets 13 and later
except ImportError:
    from websockets.server import serve  # the older API, as Debian 12's python3-websockets has it

mode, portfile, audio_path, log_path = sys.argv[1:5]
audio = open(audio_path, "rb").read()
threading.Timer(120, lambda: os._exit(0)).start()


def audio_message(text):
    chars = list(text)
    step = 60
    return json.dumps({"audio": base64.b64encode(audio).decode(), "isFinal": None,
                       "alignment": {"chars": chars, "charStartTimesMs": [i * step for i in range(len(chars))],
                                     "charDurationsMs": [step] * len(chars)}})


async def handler(ws, path=None):
    started = time.monotonic()
    with open(log_path, "a") as log:
        async for raw in ws:
            message = json.loads(raw)
            log.write(json.dumps({"t": round(time.monotonic() - started, 3), "message": message}) + "\n")
            log.flush()
            text = message.get("text")
            if text == "":  # the end of input
                if mode == "normal":
                    await ws.send(json.dumps({"isFinal": True}))
                    await ws.close(1000)
                elif mode == "final-no-close":
                    await ws.send(audio_message("The end."))
                    await ws.send(json.dumps({"isFinal": True}))
                    await asyncio.sleep(3600)
                elif mode == "sink":
                    # Takes any amount of text and answers once at the end (bench/livebulk.py:
                    # the client's own cost of cutting and sending, not of audio).
                    await ws.send(audio_message("The end."))
                    await ws.send(json.dumps({"isFinal": True}))
                    await ws.close(1000)
                elif mode == "final-then-drop":
                    # Every text answered and the final message sent, then the TCP connection
                    # drops with no close frame (a proxy or load balancer cutting it).
                    await ws.send(audio_message("The end."))
                    await ws.send(json.dumps({"isFinal": True}))
                    await asyncio.sleep(0.2)
                    ws.transport.abort()
                    return
                elif mode == "silent":
                    await asyncio.sleep(3600)
                elif mode == "no-audio":
                    await ws.send(json.dumps({"isFinal": True}))
                    await ws.close(1000)
                elif mode == "bad-base64":
                    await ws.send(json.dumps({"audio": "!!not base64!!", "isFinal": None}))
                    await ws.send(json.dumps({"isFinal": True}))
                    await ws.close(1000)
                return
            if mode in ("normal", "final-then-drop") and text and text.strip():
                await ws.send(audio_message(text))


async def main():
    async with serve(handler, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        with open(portfile + ".tmp", "w") as f:
            f.write(str(port))
        os.rename(portfile + ".tmp", portfile)
        await asyncio.Future()


asyncio.run(main())
