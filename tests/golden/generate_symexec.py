"""Record the symexec golden cases (tests/golden/symexec_cases.py) from Apache MXNet 1.9.1.

This script runs under MXNet 1.9.1 only; the teachmod tests never import it. From the
repository root::

    MXNET_MKLDNN_ENABLED=0 /tmp/mxvenv/bin/python tests/golden/generate_symexec.py

It writes ``tests/golden/symexec/cases.json``: for every case its result as plain JSON, or
the error's class name when MXNet raises.
"""
import json
import os
import sys
import warnings

import mxnet as mx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from symexec_cases import CASES, plain  # noqa: E402  (shared with the teachmod tests)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "symexec", "cases.json")


def main():
    results = {}
    for name, case in CASES.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results[name] = plain(case(mx))
    with open(OUT, "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=1, sort_keys=True)
        handle.write("\n")
    print(f"wrote {len(results)} cases to {OUT}")


if __name__ == "__main__":
    main()
