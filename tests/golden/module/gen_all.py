"""Regenerate every golden file of the module stack with the real MXNet 1.9.1.

Run in a separate venv that has the real MXNet::

    python -m venv /tmp/mxvenv && /tmp/mxvenv/bin/pip install mxnet==1.9.1 numpy==1.23.5
    /tmp/mxvenv/bin/python tests/golden/module/gen_all.py

Each generator runs in its own process (fresh RNG state), from this directory.
The letters data set is read from ``$TEACHMOD_LETTERS`` or
``<repo>/../shared/datasets/letter-recognition.data``.
"""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = [
    "gen_optimizers.py",
    "gen_lr_schedulers.py",
    "gen_metrics.py",
    "gen_initializers.py",
    "gen_ndarrayiter.py",
    "gen_module.py",
    "gen_logs.py",
    "gen_checkpoints.py",
    "gen_tutorial_scores.py",
]


def main():
    for script in SCRIPTS:
        print("==>", script, flush=True)
        subprocess.run([sys.executable, script], cwd=HERE, check=True)


if __name__ == "__main__":
    main()
