"""Golden data for opsC's operators, from the real Apache MXNet 1.9.1.

Runs under MXNet 1.9.1 only (the teachmod tests never import it), from the repository root::

    MXNET_MKLDNN_ENABLED=0 /work/mxvenv/bin/python tests/golden/generate_opsC.py

It uses the case machinery of ``generate_ops.py`` (same format, see ``tests/golden/README.md``)
and writes ``tests/golden/opsC/cases.json`` and one ``.npz`` per case. Inputs are seeded by
the CRC32 of the case id, so the data are deterministic.
"""

import json
import os
import shutil
import sys

import mxnet as mx
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate_ops as g  # noqa: E402

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "opsC")


def contrib(name, *inputs, **params):
    """A builder calling ``mx.sym.contrib.<name>`` on the named variables."""
    return lambda v: getattr(mx.sym.contrib, name)(*(v[i] for i in inputs), name="op", **params)


def cases():
    add = g.add
    lengths = g.const(np.array([2, 3, 1], np.float32))
    add("groupnorm", "GroupNorm", {"data": g.normal(2, 4, 3, 3)}, num_groups=2)
    add("sequence_mask", "SequenceMask", {"data": g.normal(3, 3, 2), "sequence_length": lengths},
        use_sequence_length=True, value=-1.5, no_grad=("sequence_length",))
    add("sequence_last_axis1", "SequenceLast",
        {"data": g.normal(3, 3, 2), "sequence_length": lengths}, use_sequence_length=True,
        axis=1, no_grad=("sequence_length",))
    add("sequence_reverse", "SequenceReverse",
        {"data": g.normal(3, 3, 2), "sequence_length": lengths}, use_sequence_length=True,
        no_grad=("sequence_length",))
    for linear in (True, False):
        add(f"svm_linear_{linear}", "SVMOutput",
            {"data": g.normal(4, 5, scale=0.7), "label": g.labels(5, 4)}, margin=0.8,
            regularization_coefficient=0.5, use_linear=linear, loss=True, no_grad=("label",))
    add("softmax_cross_entropy", "softmax_cross_entropy",
        {"data": g.normal(4, 5), "label": g.labels(5, 4)}, no_grad=("label",))
    add("grid_affine", "GridGenerator", {"data": g.normal(2, 6)}, transform_type="affine",
        target_shape=(3, 4))
    add("grid_warp", "GridGenerator", {"data": g.normal(1, 2, 3, 4)}, transform_type="warp")
    add("bilinear_sampler", "BilinearSampler",
        {"data": g.normal(2, 2, 4, 5), "grid": g.uniform(-1.1, 1.1, 2, 2, 3, 3)})
    add("spatial_transformer", "SpatialTransformer",
        {"data": g.normal(1, 2, 5, 5),
         "loc": g.const(np.array([[0.9, 0.1, 0.05, -0.1, 0.8, 0.07]], np.float32))},
        target_shape=(3, 4), transform_type="affine", sampler_type="bilinear")
    add("roi_pooling", "ROIPooling",
        {"data": g.distinct(2, 2, 6, 6),
         "rois": g.const(np.array([[0, 0, 0, 4, 4], [1, 1.2, 0.6, 4.4, 5.4]], np.float32))},
        pooled_size=(2, 3), spatial_scale=1.0, no_grad=("rois",))
    add("correlation_multiply", "Correlation",
        {"data1": g.normal(1, 2, 5, 5), "data2": g.normal(1, 2, 5, 5)}, kernel_size=3,
        max_displacement=1, pad_size=2, stride1=2)
    add("correlation_absdiff", "Correlation",
        {"data1": g.normal(1, 2, 5, 5), "data2": g.normal(1, 2, 5, 5)}, kernel_size=1,
        max_displacement=2, stride2=2, pad_size=2, is_multiply=False)
    add("ctc_loss", "CTCLoss",
        {"data": g.normal(5, 2, 4),
         "label": g.const(np.array([[1, 2, 2], [3, 1, 0]], np.float32))}, no_grad=("label",))
    add("im2col", "im2col", {"data": g.normal(2, 2, 5, 4)}, kernel=(3, 2), stride=(2, 1),
        dilate=(1, 2), pad=(1, 0))
    add("col2im", "col2im", {"data": g.normal(2, 12, 6)}, output_size=(5, 4), kernel=(3, 2),
        stride=(2, 1), dilate=(1, 2), pad=(1, 0))
    add("image_normalize", "_image_normalize", {"data": g.normal(2, 3, 2, 2)},
        build=lambda v: mx.sym.image.normalize(v["data"], mean=(0.5, 1, 2), std=(3, 2, 1),
                                               name="op"))
    add("selfatt_qk", "_contrib_interleaved_matmul_selfatt_qk",
        {"qkv": g.normal(3, 2, 12)}, build=contrib("interleaved_matmul_selfatt_qk", "qkv",
                                                   heads=2))
    add("selfatt_valatt", "_contrib_interleaved_matmul_selfatt_valatt",
        {"qkv": g.normal(3, 2, 12), "att": g.uniform(0, 1, 4, 3, 3)},
        build=contrib("interleaved_matmul_selfatt_valatt", "qkv", "att", heads=2))
    add("encdec_qk", "_contrib_interleaved_matmul_encdec_qk",
        {"q": g.normal(3, 2, 4), "kv": g.normal(5, 2, 8)},
        build=contrib("interleaved_matmul_encdec_qk", "q", "kv", heads=2))
    add("encdec_valatt", "_contrib_interleaved_matmul_encdec_valatt",
        {"kv": g.normal(5, 2, 8), "att": g.uniform(0, 1, 4, 3, 5)},
        build=contrib("interleaved_matmul_encdec_valatt", "kv", "att", heads=2))
    add("pdf_normal", "_random_pdf_normal",
        {"sample": g.normal(2, 3), "mu": g.normal(2), "sigma": g.uniform(0.5, 2, 2)},
        build=lambda v: mx.sym.random_pdf_normal(v["sample"], v["mu"], v["sigma"], name="op"))
    add("pdf_gamma_log", "_random_pdf_gamma",
        {"sample": g.uniform(0.2, 3, 2, 3), "alpha": g.uniform(0.5, 3, 2),
         "beta": g.uniform(0.5, 2, 2)},
        build=lambda v: mx.sym.random_pdf_gamma(v["sample"], v["alpha"], v["beta"],
                                                is_log=True, name="op"))
    add("pdf_dirichlet", "_random_pdf_dirichlet",
        {"sample": g.const(np.array([[[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]], np.float32)),
         "alpha": g.uniform(0.5, 3, 1, 3)},
        build=lambda v: mx.sym.random_pdf_dirichlet(v["sample"], v["alpha"], name="op"))


def main():
    os.environ.setdefault("MXNET_MKLDNN_ENABLED", "0")
    cases()
    if os.path.isdir(OUT_DIR):
        shutil.rmtree(OUT_DIR)
    os.makedirs(OUT_DIR)
    entries = []
    for case in g.CASES:
        entry, arrays = g.run_case(case)
        np.savez_compressed(os.path.join(OUT_DIR, case.id + ".npz"), **arrays)
        entries.append(entry)
    with open(os.path.join(OUT_DIR, "cases.json"), "w") as f:
        json.dump(entries, f, indent=1)
        f.write("\n")
    print(f"{len(entries)} cases written")


if __name__ == "__main__":
    main()
