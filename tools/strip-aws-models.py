#!/usr/bin/env python3
"""Copies the AWS service models the backend validates against, without their documentation.

The models are botocore's (Apache-2.0). Only what validation and routing read is kept:
metadata, each operation's input, output and errors, and every shape's constraints.
Usage: tools/strip-aws-models.py ../shared/reference/aws-models
"""
import json
import os
import sys

SERVICES = {"kms": "2014-11-01", "secretsmanager": "2017-10-17", "ssm": "2014-11-06"}
OUT = os.path.join(os.path.dirname(__file__), "..", "local-backend", "src", "main", "resources",
                   "dev", "shunt", "backend", "model")


def strip(value):
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items()
                if k not in ("documentation", "documentationUrl", "examples", "exception_examples")}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value


def main(source):
    for service, version in SERVICES.items():
        with open(os.path.join(source, service, version, "service-2.json")) as f:
            model = json.load(f)
        slim = {
            "metadata": model["metadata"],
            "operations": {name: {k: v for k, v in op.items() if k in ("name", "input", "output", "errors")}
                           for name, op in model["operations"].items()},
            "shapes": strip(model["shapes"]),
        }
        with open(os.path.join(OUT, service + ".json"), "w") as f:
            json.dump(slim, f, separators=(",", ":"))
            f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
