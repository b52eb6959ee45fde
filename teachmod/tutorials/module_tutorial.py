"""The README's main job: MXNet's Module tutorial (``mxnet_module_tutorial.py``), seeded.

MXNet's tutorial is unseeded, and its final check (validation accuracy above 0.77 after 8
epochs) fails in about one run of five, in MXNet 1.9.1 as in teachmod: the score's spread from
run to run is about 0.04. Seeding numpy and ``mx.random`` with ``SEED`` before the tutorial's
code fixes the initial weights and the shuffling. Seed 1 was chosen because its score stays
well above the threshold whichever BLAS kernel does the matrix products (rounding differs by
kernel, and training amplifies it): 0.811 to 0.823 under OpenBLAS's Prescott, Core2, Nehalem,
Atom, Sandybridge, Haswell, Zen, SkylakeX and Cooperlake kernels (``OPENBLAS_CORETYPE``).

Run it with ``python -m teachmod.tutorials.module_tutorial``; it writes the data file and the
``mx_mlp-*`` checkpoints to the current directory, as the tutorial does.
"""
import runpy

import numpy as np

import teachmod as mx

SEED = 1

if __name__ == "__main__":
    np.random.seed(SEED)
    mx.random.seed(SEED)
    runpy.run_module("teachmod.tutorials.mxnet_module_tutorial", run_name="__main__")
