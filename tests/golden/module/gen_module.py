"""Golden data for ``mx.mod.Module`` on the seed MLP (MXNet 1.9.1).

Run in a separate venv that has the real MXNet::

    python -m venv /tmp/mxvenv && /tmp/mxvenv/bin/pip install mxnet==1.9.1 numpy==1.23.5
    /tmp/mxvenv/bin/python tests/golden/module/gen_module.py

Writes ``module_mlp.npz`` (all arrays) and ``module_mlp.json`` (protocol, metadata,
observed optimizer settings, predict/score results). npz keys:

* ``arg:<name>`` initial parameters (fc1_weight (64,16), fc1_bias (64,), fc2_weight (26,64),
  fc2_bias (26,)), float32
* ``batch<i>/data`` (32,16) float32, ``batch<i>/label`` (32,) float32, i = 0, 1, 2
* ``<run>/step<i>/output`` softmax output of forward(is_train=True), (32, 26)
* ``<run>/step<i>/input_grad`` get_input_grads()[0], (32, 16)
* ``<run>/step<i>/grad:<name>`` parameter gradients after backward (before update)
* ``<run>/step<i>/arg:<name>`` parameters after update()
  with <run> in {sgd, adam, sgd_2ctx}
* ``val/data`` (100,16), ``val/label`` (100,), ``val/predict`` (100, 26) predict() output
"""

import mxnet as mx
import numpy as np
from _golden_util import dump_json, dump_npz, mlp_symbol

SEED = 2024
BATCH = 32
NFEAT = 16
NCLASS = 26
PARAM_SHAPES = {"fc1_weight": (64, NFEAT), "fc1_bias": (64,), "fc2_weight": (NCLASS, 64),
                "fc2_bias": (NCLASS,)}
RUNS = {
    "sgd": ("sgd", (("learning_rate", 0.1), ("momentum", 0.9), ("wd", 1e-4))),
    "adam": ("adam", (("learning_rate", 0.01), ("wd", 1e-4))),
}


def make_params(rng):
    return {name: (rng.normal(0, 0.2, shape)).astype(np.float32)
            for name, shape in PARAM_SHAPES.items()}


def make_batches(rng, n=3):
    out = []
    for _ in range(n):
        data = rng.normal(0, 1, (BATCH, NFEAT)).astype(np.float32)
        label = rng.randint(0, NCLASS, BATCH).astype(np.float32)
        out.append((data, label))
    return out


def optimizer_info(mod):
    opt = mod._optimizer
    return {
        "class": type(opt).__name__,
        "rescale_grad": opt.rescale_grad,
        "lr": opt.lr,
        "wd": opt.wd,
        "momentum": getattr(opt, "momentum", None),
        "idx2name": {str(k): v for k, v in sorted(opt.idx2name.items())},
        "wd_mult": dict(opt.wd_mult),
        "lr_mult": dict(opt.lr_mult),
        "update_on_kvstore": mod._update_on_kvstore,
        "kvstore": None if mod._kvstore is None else mod._kvstore.type,
        "num_update_after_run": opt.num_update,
    }


def run(name, opt_name, opt_params, params, batches, arrays, context):
    mod = mx.mod.Module(mlp_symbol(), context=context)
    mod.bind(data_shapes=[("data", (BATCH, NFEAT))],
             label_shapes=[("softmax_label", (BATCH,))], inputs_need_grad=True)
    mod.set_params({k: mx.nd.array(v) for k, v in params.items()}, {})
    mod.init_optimizer(optimizer=opt_name, optimizer_params=opt_params)
    for step, (data, label) in enumerate(batches):
        batch = mx.io.DataBatch([mx.nd.array(data)], [mx.nd.array(label)])
        mod.forward(batch, is_train=True)
        arrays[f"{name}/step{step}/output"] = mod.get_outputs()[0].asnumpy()
        mod.backward()
        arrays[f"{name}/step{step}/input_grad"] = mod.get_input_grads()[0].asnumpy()
        if len(mod._context) == 1:
            for pname, grads in zip(mod._exec_group.param_names,
                                    mod._exec_group.grad_arrays, strict=True):
                arrays[f"{name}/step{step}/grad:{pname}"] = grads[0].asnumpy()
        mod.update()
        arg_params, _aux = mod.get_params()
        for pname, val in arg_params.items():
            arrays[f"{name}/step{step}/arg:{pname}"] = val.asnumpy()
    info = optimizer_info(mod)
    info["optimizer"] = opt_name
    info["optimizer_params"] = [list(p) for p in opt_params]
    info["context"] = [str(c) for c in mod._context]
    info["data_shapes"] = repr(mod.data_shapes)
    info["label_shapes"] = repr(mod.label_shapes)
    info["output_shapes"] = repr(mod.output_shapes)
    return info


def predict_and_score(params, rng, arrays):
    data = rng.normal(0, 1, (100, NFEAT)).astype(np.float32)
    label = rng.randint(0, NCLASS, 100).astype(np.float32)
    val_iter = mx.io.NDArrayIter(data, label, batch_size=BATCH, shuffle=False)
    mod = mx.mod.Module(mlp_symbol(), context=mx.cpu())
    mod.bind(data_shapes=val_iter.provide_data, label_shapes=val_iter.provide_label,
             for_training=False)
    mod.set_params({k: mx.nd.array(v) for k, v in params.items()}, {})
    pred = mod.predict(val_iter)
    arrays["val/data"] = data
    arrays["val/label"] = label
    arrays["val/predict"] = pred.asnumpy()
    pred_list = mod.predict(val_iter, always_output_list=True)
    unmerged = mod.predict(val_iter, merge_batches=False)
    score_acc = mod.score(val_iter, "acc")
    score_multi = mod.score(val_iter, ["acc", "ce", mx.metric.TopKAccuracy(top_k=5)])
    score_two_batches = mod.score(val_iter, "acc", num_batch=2)
    expected_acc = float((pred.asnumpy().argmax(axis=1) == label).mean())
    return {
        "val_iter": "mx.io.NDArrayIter(val/data, val/label, batch_size=32, shuffle=False) "
                    "(last_batch_handle='pad': 4 batches, last pad=28)",
        "module": "Module(mlp, context=mx.cpu()).bind(val_iter.provide_data, "
                  "val_iter.provide_label, for_training=False); set_params(initial arg:*)",
        "predict_type": type(pred).__name__,
        "predict_shape": list(pred.shape),
        "predict_always_output_list": [list(p.shape) for p in pred_list],
        "predict_merge_batches_false_shapes": [[list(o.shape) for o in b] for b in unmerged],
        "score_acc": [[n, v] for n, v in score_acc],
        "score_acc_ce_top5": [[n, v] for n, v in score_multi],
        "score_acc_num_batch_2": [[n, v] for n, v in score_two_batches],
        "accuracy_from_predict_numpy": expected_acc,
        "note": "score() counts the padded rows of the last batch too (the metric sees all 32 "
                "rows of each batch incl. the 28 pad rows) whereas predict() strips them; "
                "compare score_acc with accuracy_from_predict_numpy.",
    }


def main():
    rng = np.random.RandomState(SEED)
    mx.random.seed(SEED)
    params = make_params(rng)
    batches = make_batches(rng)
    arrays = {f"arg:{k}": v for k, v in params.items()}
    for i, (data, label) in enumerate(batches):
        arrays[f"batch{i}/data"] = data
        arrays[f"batch{i}/label"] = label
    runs = {}
    for name, (opt_name, opt_params) in RUNS.items():
        runs[name] = run(name, opt_name, opt_params, params, batches, arrays, mx.cpu())
    two = {}
    runs["sgd_2ctx"] = run("sgd_2ctx", "sgd", RUNS["sgd"][1], params, batches, two,
                           [mx.cpu(0), mx.cpu(1)])
    diffs = {}
    for key, val in two.items():
        ref = arrays[key.replace("sgd_2ctx/", "sgd/")]
        diffs[key] = float(np.abs(val - ref).max())
    runs["sgd_2ctx"]["max_abs_diff_vs_single_context"] = max(diffs.values())
    runs["sgd_2ctx"]["max_abs_diff_per_array"] = diffs
    for key, val in two.items():
        if "/step2/" in key and "/arg:" in key:
            arrays[key] = val
    payload = {
        "mxnet_version": mx.__version__,
        "seed": SEED,
        "symbol": "data -> FullyConnected(name='fc1', num_hidden=64) -> "
                  "Activation(name='relu1', act_type='relu') -> "
                  "FullyConnected(name='fc2', num_hidden=26) -> SoftmaxOutput(name='softmax')",
        "symbol_json": mlp_symbol().tojson(),
        "list_arguments": mlp_symbol().list_arguments(),
        "list_outputs": mlp_symbol().list_outputs(),
        "protocol": [
            "mod = mx.mod.Module(sym, context=ctx)",
            ("mod.bind(data_shapes=[('data', (32, 16))], "
             "label_shapes=[('softmax_label', (32,))], inputs_need_grad=True)"),
            "mod.set_params(arg_params={arg:* from npz}, aux_params={})",
            "mod.init_optimizer(optimizer=<name>, optimizer_params=<params>)",
            ("for i in 0..2: mod.forward(DataBatch([batch<i>/data], [batch<i>/label]), "
             "is_train=True); record get_outputs()[0]; mod.backward(); record "
             "get_input_grads()[0] and param grads; mod.update(); record get_params()[0]"),
        ],
        "runs": runs,
        "two_context_note": "sgd_2ctx: context=[mx.cpu(0), mx.cpu(1)]; each device gets 16 "
                            "rows; kvstore 'local' sums the per-device grads; only step2 "
                            "params are stored in the npz (as sgd_2ctx/step2/arg:*).",
        "predict_score": predict_and_score(params, rng, arrays),
    }
    dump_json("module_mlp.json", payload)
    dump_npz("module_mlp.npz", arrays)


if __name__ == "__main__":
    main()
