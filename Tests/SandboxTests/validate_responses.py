#!/usr/bin/env python3
"""Validates recorded sandbox answers against the official OpenAPI response schemas.

usage: validate_responses.py OPENAPI.json ANSWERS.ndjson
Each input line: {"method": "get", "path": "/v1/voices/{voice_id}", "status": 200,
"content_type": "application/json", "body": <parsed JSON>}; with "request": true the body is a
request body and is checked against the operation's requestBody schema instead. Prints one line per failure and
exits 1 if any answer does not validate; prints the count and exits 0 otherwise.
"""
import json
import sys

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

spec_path, answers_path = sys.argv[1], sys.argv[2]
with open(spec_path) as f:
    spec = json.load(f)
registry = Registry().with_resource("urn:spec", Resource.from_contents(spec, default_specification=DRAFT202012))

failures = 0
checked = 0
with open(answers_path) as f:
    for n, line in enumerate(f, 1):
        if not line.strip():
            continue
        a = json.loads(line)
        try:
            operation = spec["paths"][a["path"]][a["method"]]
            if a.get("request"):
                # A request body the client sent, checked against the operation's requestBody schema.
                schema = operation["requestBody"]["content"][a["content_type"]]["schema"]
            else:
                content = operation["responses"][str(a["status"])]["content"]
                schema = content[a["content_type"]]["schema"]
        except KeyError as e:
            print(f"line {n}: {a['method'].upper()} {a['path']} {a['status']} {a['content_type']}: not in the spec ({e})")
            failures += 1
            continue
        schema = json.loads(json.dumps(schema).replace('"#/components/', '"urn:spec#/components/'))
        validator = Draft202012Validator(schema, registry=registry)
        errors = sorted(validator.iter_errors(a["body"]), key=lambda e: list(e.path))
        checked += 1
        for e in errors[:5]:
            where = "/".join(str(p) for p in e.path)
            print(f"line {n}: {a['method'].upper()} {a['path']} {a['status']}: at '{where}': {e.message[:300]}")
        if errors:
            failures += 1
print(f"{checked} answers checked, {failures} failed")
sys.exit(1 if failures else 0)
