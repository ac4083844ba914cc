#!/usr/bin/env python3
"""Cuts the official OpenAPI file down to the endpoints this tool and its sandbox use, with every
schema they reference (followed transitively), so the repository keeps a ~0.3 MB file instead of the
3.5 MB original. The paths are the subset's own list; add one here when the tool gains an endpoint.

usage: python3 Tests/API/make-subset.py OFFICIAL-openapi.json > Tests/API/elevenlabs-openapi-cli-subset.json
The official file: https://api.elevenlabs.io/openapi.json (the copy used is dated in Tests/API/README.md).
"""
import json
import sys

PATHS = [
    "/v1/history", "/v1/history/download", "/v1/history/{history_item_id}", "/v1/history/{history_item_id}/audio",
    "/v1/models", "/v1/single-use-token/{token_type}",
    "/v1/text-to-speech/{voice_id}", "/v1/text-to-speech/{voice_id}/stream",
    "/v1/text-to-speech/{voice_id}/stream/with-timestamps", "/v1/text-to-speech/{voice_id}/with-timestamps",
    "/v1/text-to-dialogue", "/v1/text-to-dialogue/stream",
    "/v1/text-to-dialogue/with-timestamps", "/v1/text-to-dialogue/stream/with-timestamps",
    "/v1/pronunciation-dictionaries", "/v1/pronunciation-dictionaries/add-from-file",
    "/v1/pronunciation-dictionaries/{pronunciation_dictionary_id}",
    "/v1/pronunciation-dictionaries/{dictionary_id}/{version_id}/download",
    "/v1/user", "/v1/user/subscription",
    "/v1/voices", "/v1/voices/add", "/v1/voices/settings/default", "/v1/voices/{voice_id}",
    "/v1/voices/{voice_id}/edit", "/v1/voices/{voice_id}/settings", "/v1/voices/{voice_id}/settings/edit",
    "/v2/voices",
]


def refs(node, out):
    """Every '#/components/schemas/NAME' under node."""
    if isinstance(node, dict):
        r = node.get("$ref")
        if isinstance(r, str) and r.startswith("#/components/schemas/"):
            out.add(r.rsplit("/", 1)[1])
        for v in node.values():
            refs(v, out)
    elif isinstance(node, list):
        for v in node:
            refs(v, out)


spec = json.load(open(sys.argv[1]))
missing = [p for p in PATHS if p not in spec["paths"]]
if missing:
    sys.exit(f"make-subset: not in the official file: {', '.join(missing)}")
paths = {p: spec["paths"][p] for p in PATHS}
wanted, todo = set(), set()
refs(paths, todo)
while todo:
    name = todo.pop()
    if name in wanted:
        continue
    wanted.add(name)
    refs(spec["components"]["schemas"][name], todo)
subset = {k: spec[k] for k in ("openapi", "info", "servers") if k in spec}
subset["paths"] = paths
subset["components"] = {"schemas": {n: spec["components"]["schemas"][n] for n in sorted(wanted)}}
json.dump(subset, sys.stdout, indent=1, ensure_ascii=False)
sys.stdout.write("\n")
