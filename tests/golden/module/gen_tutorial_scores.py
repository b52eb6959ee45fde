"""Validation accuracy of the seed tutorial's ``fit`` under MXNet 1.9.1, over many seeds.

Writes ``tutorial_scores.json``: ``mod.score(val, ['acc'])`` after the tutorial's ``fit``
(the seed MLP, sgd lr 0.1, batch 32, 8 epochs, default initializer, train rows :16000,
validation rows 16000:) for seeds 0..29. ``tests/test_seed_tutorial.py`` compares teachmod's
scores with this distribution.
"""
import os

os.environ.setdefault("MXNET_MKLDNN_ENABLED", "0")
import mxnet as mx  # noqa: E402
import numpy as np  # noqa: E402
from _golden_util import dump_json, load_letters, mlp_symbol, seed_all  # noqa: E402

SEEDS = range(30)


def tutorial_score(seed, data, label):
    seed_all(seed)
    train = mx.io.NDArrayIter(data[:16000], label[:16000], 32, shuffle=True)
    val = mx.io.NDArrayIter(data[16000:], label[16000:], 32)
    mod = mx.mod.Module(mlp_symbol())
    mod.fit(train, eval_data=val, optimizer="sgd", optimizer_params={"learning_rate": 0.1},
            num_epoch=8)
    return float(mod.score(val, ["acc"])[0][1])


def main():
    data, label = load_letters()
    scores = [round(tutorial_score(seed, data, label), 6) for seed in SEEDS]
    dump_json("tutorial_scores.json", {"mxnet": mx.__version__, "seeds": list(SEEDS),
                                       "scores": scores})
    print(f"mean {np.mean(scores):.4f}, sd {np.std(scores, ddof=1):.4f}")


if __name__ == "__main__":
    main()
