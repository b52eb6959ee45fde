"""The seed tutorial (MXNet's Module tutorial) runs unchanged, and trains as well as MXNet."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

import teachmod as mx

REPO = Path(__file__).resolve().parents[1]


def test_tutorial_runs_end_to_end_offline(tmp_path):
    env = {**os.environ, "TEACHMOD_OFFLINE": "1", "PYTHONPATH": str(REPO)}
    # the tutorial itself is unseeded (as MXNet's, it passes its 0.77 check in about 9 runs of
    # 10); seed numpy and teachmod before running it so this test is repeatable
    seeded_run = ("import runpy, numpy, teachmod; numpy.random.seed(1); teachmod.random.seed(1);"
                  " runpy.run_module('teachmod.tutorials.module_tutorial', run_name='__main__')")
    result = subprocess.run([sys.executable, "-c", seeded_run],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    log = result.stderr
    assert "Epoch 4, Training ('accuracy', " in result.stdout
    assert "INFO:root:Epoch[7] Validation-accuracy=" in log
    assert 'INFO:root:Saved checkpoint to "mx_mlp-0005.params"' in log
    assert "INFO:root:Epoch[20] Train-accuracy=" in log
    assert "Accuracy score is " in result.stdout
    assert sorted(p.name for p in tmp_path.glob("mx_mlp-*")) == [
        "mx_mlp-0001.params", "mx_mlp-0002.params", "mx_mlp-0003.params",
        "mx_mlp-0004.params", "mx_mlp-0005.params", "mx_mlp-symbol.json"]


def test_score_beats_077_in_at_least_9_of_10_seeds():
    """Real MXNet 1.9.1 passes 9/10 with mean 0.798 (fit 8 epochs, sgd lr 0.1, batch 32)."""
    data, label = mx.test_utils.get_letters()
    passed, scores = 0, []
    for seed in range(10):
        mx.random.seed(seed)
        np.random.seed(seed)
        train = mx.io.NDArrayIter(data[:16000], label[:16000], 32, shuffle=True)
        val = mx.io.NDArrayIter(data[16000:], label[16000:], 32)
        net = mx.sym.Variable("data")
        net = mx.sym.FullyConnected(net, name="fc1", num_hidden=64)
        net = mx.sym.Activation(net, name="relu1", act_type="relu")
        net = mx.sym.FullyConnected(net, name="fc2", num_hidden=26)
        net = mx.sym.SoftmaxOutput(net, name="softmax")
        mod = mx.mod.Module(net)
        mod.fit(train, eval_data=val, optimizer="sgd", optimizer_params={"learning_rate": 0.1},
                num_epoch=8)
        score = mod.score(val, ["acc"])[0][1]
        scores.append(score)
        passed += score > 0.77
    assert passed >= 9, f"scores {scores}"
