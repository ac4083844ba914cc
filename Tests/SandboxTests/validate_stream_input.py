#!/usr/bin/env python3
"""Validates stream-input WebSocket sessions against the official AsyncAPI file.

usage: validate_stream_input.py ASYNCAPI.yml SESSIONS.ndjson
Each input line: {"client": [<parsed JSON message>, ...], "server": [<parsed JSON message>, ...]},
one session in the order its messages were sent. The client's messages must be, in order, one
InitializeConnection, any number of SendText, and (when the session ended normally) one
CloseConnection; each server message must be an AudioOutput or a FinalOutput. A server message with
an "error" key is the refusal shape the contract marks UNCONFIRMED (section 7.3): it is counted
apart and only checked to carry a string "error" and "message".

The AsyncAPI schemas state literals and lists as Fern annotations (x-fern-type: literal<" ">,
list<integer>), which JSON Schema ignores; they are turned into const/array schemas here so that
they are enforced. Alignment lists must be as long as their `chars` (the file says so in prose).
Prints one line per failure and exits 1 if any message does not validate.
"""
import json
import re
import sys

import yaml
from jsonschema import Draft202012Validator

spec_path, sessions_path = sys.argv[1], sys.argv[2]
with open(spec_path) as f:
    spec = yaml.safe_load(f)
schemas = spec["components"]["schemas"]


def enforce_fern(node):
    """Turns Fern type annotations into JSON Schema, recursively."""
    if isinstance(node, dict):
        fern = node.get("x-fern-type")
        if isinstance(fern, str):
            m = re.fullmatch(r'literal<"(.*)">', fern)
            if m:
                node["const"] = m.group(1)
            elif fern == "literal<true>":
                node["const"] = True
            elif fern.startswith("list<"):
                inner = {"integer": "integer", "string": "string", "number": "number"}.get(fern[5:-1])
                node["type"] = "array"
                if inner:
                    node["items"] = {"type": inner}
        for value in node.values():
            enforce_fern(value)
    elif isinstance(node, list):
        for value in node:
            enforce_fern(value)


enforce_fern(schemas)
# Local references only: resolve '#/components/schemas/X' inside one document.
document = {"components": {"schemas": schemas}}


def validator(name):
    return Draft202012Validator({"$ref": f"#/components/schemas/{name}", **document})


check = {name: validator(name) for name in ["InitializeConnection", "SendText", "CloseConnection", "AudioOutput", "FinalOutput"]}
failures = 0
counts = {"client": 0, "server": 0, "assumed_error": 0}


def fail(where, text):
    global failures
    failures += 1
    print(f"{where}: {text[:300]}")


def errors(name, message):
    return [f"{name} at '{'/'.join(map(str, e.path))}': {e.message}" for e in check[name].iter_errors(message)]


with open(sessions_path) as f:
    for n, line in enumerate(f, 1):
        if not line.strip():
            continue
        session = json.loads(line)
        client, server = session["client"], session["server"]
        for i, message in enumerate(client):
            where = f"session {n} client message {i + 1}"
            counts["client"] += 1
            if i == 0:
                expected = "InitializeConnection"
            elif message.get("text") == "" and i == len(client) - 1:
                expected = "CloseConnection"
            else:
                expected = "SendText"
                if message.get("text") == "":
                    fail(where, "an empty text before the end closes the stream")
            for e in errors(expected, message):
                fail(where, e)
        for i, message in enumerate(server):
            where = f"session {n} server message {i + 1}"
            counts["server"] += 1
            # The refusal ({"error", "message"}) and a long close reason's explanation ({"message"}
            # with no audio): shapes the contract marks UNCONFIRMED, counted apart.
            if "error" in message or ("message" in message and "audio" not in message):
                counts["assumed_error"] += 1
                if not isinstance(message.get("message"), str) or ("error" in message and not isinstance(message["error"], str)):
                    fail(where, f"an error message without a string message (and error): {message}")
                continue
            name = "FinalOutput" if message.get("isFinal") is True else "AudioOutput"
            # Real traffic sends null for an absent alignment and for isFinal on audio frames
            # (CONTRACT.md section 7.3, elevenlabs-python#689); the AsyncAPI file leaves them out.
            message = {k: v for k, v in message.items() if not (v is None and k in ("alignment", "normalizedAlignment", "isFinal"))}
            for e in errors(name, message):
                fail(where, e)
            for key in ("alignment", "normalizedAlignment"):
                a = message.get(key)
                if isinstance(a, dict):
                    chars = a.get("chars") or []
                    for list_name in ("charStartTimesMs", "charDurationsMs", "charsDurationsMs"):
                        if list_name in a and len(a[list_name]) != len(chars):
                            fail(where, f"{key}.{list_name} has {len(a[list_name])} items for {len(chars)} chars")
print(f"{counts['client']} client and {counts['server']} server messages checked "
      f"({counts['assumed_error']} of the UNCONFIRMED error shape), {failures} failed")
sys.exit(1 if failures else 0)
