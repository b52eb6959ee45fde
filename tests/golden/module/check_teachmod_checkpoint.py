"""Load a checkpoint (e.g. one written by teachmod) in the real MXNet 1.9.1 and check predictions.

Run in a separate venv that has the real MXNet::

    python -m venv /tmp/mxvenv && /tmp/mxvenv/bin/pip install mxnet==1.9.1 numpy==1.23.5
    /tmp/mxvenv/bin/python tests/golden/module/check_teachmod_checkpoint.py \\
        PREFIX EPOCH CASE.npz RESULT.json [--rtol 1e-4] [--atol 1e-5] [--batch-size 32]

* ``PREFIX``/``EPOCH``: the checkpoint ``PREFIX-symbol.json`` + ``PREFIX-%04d.params``
  (loaded with ``mx.model.load_checkpoint``).
* ``CASE.npz`` (loaded with ``allow_pickle=False``): ``data`` (the input rows, batch axis 0)
  or several ``data:<input name>`` arrays, and ``predict`` (the expected output of
  ``predict()``, i.e. the first output of the symbol). ``label`` is ignored if present.
* ``RESULT.json``: status ("PASS" / "FAIL" / "ERROR"), max absolute and relative errors,
  argmax agreement, shapes, parameter names found, and the error message if any.

The predictions are made the MXNet way: ``Module(sym, data_names, label_names)`` bound with
``for_training=False``, ``set_params(arg, aux)`` (missing or extra parameters are an error),
then ``mod.predict(NDArrayIter(data, batch_size))``. Relative error is
``|got - expected| / (|expected| + atol)`` elementwise; PASS needs
``np.allclose(got, expected, rtol, atol)``. Exit status is 0 on PASS, 1 otherwise.

Example (self-test on the MXNet-written fixture)::

    /tmp/mxvenv/bin/python tests/golden/module/check_teachmod_checkpoint.py \\
        tests/fixtures/checkpoints/mlp_mx 3 tests/fixtures/checkpoints/mlp_mx_predict.npz \\
        /tmp/check.json
"""

import argparse
import json
import sys
import traceback
import warnings

import numpy as np


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prefix")
    parser.add_argument("epoch", type=int)
    parser.add_argument("case_npz")
    parser.add_argument("result_json")
    parser.add_argument("--rtol", type=float, default=1e-4)
    parser.add_argument("--atol", type=float, default=1e-5)
    parser.add_argument("--batch-size", type=int, default=32)
    return parser.parse_args(argv)


def load_case(path):
    with np.load(path, allow_pickle=False) as npz:
        files = {k: npz[k] for k in npz.files}
    if "predict" not in files:
        raise KeyError(f"{path} has no 'predict' array (keys: {sorted(files)})")
    if "data" in files:
        data = {"data": files["data"]}
    else:
        data = {k[len("data:"):]: v for k, v in files.items() if k.startswith("data:")}
    if not data:
        raise KeyError(f"{path} has no 'data' or 'data:<name>' arrays")
    return data, files["predict"]


def predict(prefix, epoch, data, batch_size):
    import mxnet as mx

    sym, arg_params, aux_params = mx.model.load_checkpoint(prefix, epoch)
    args = sym.list_arguments()
    data_names = list(data)
    missing_inputs = [n for n in data_names if n not in args]
    if missing_inputs:
        raise ValueError(f"inputs {missing_inputs} are not arguments of the symbol {args}")
    label_names = [a for a in args if a.endswith("label") and a not in data_names]
    param_names = [a for a in args if a not in data_names and a not in label_names]
    missing = sorted(set(param_names) - set(arg_params))
    extra = sorted(set(arg_params) - set(param_names))
    missing_aux = sorted(set(sym.list_auxiliary_states()) - set(aux_params))
    extra_aux = sorted(set(aux_params) - set(sym.list_auxiliary_states()))
    if missing or extra or missing_aux or extra_aux:
        raise ValueError(f"parameter mismatch: missing arg {missing}, extra arg {extra}, "
                         f"missing aux {missing_aux}, extra aux {extra_aux}")
    nrows = len(next(iter(data.values())))
    batch_size = min(batch_size, nrows)
    it = mx.io.NDArrayIter({k: v.astype(np.float32) for k, v in data.items()},
                           batch_size=batch_size, shuffle=False, last_batch_handle="pad")
    mod = mx.mod.Module(sym, data_names=data_names, label_names=label_names,
                        context=mx.cpu())
    with warnings.catch_warnings():
        # "label_shapes don't match label_names": expected, no labels for prediction
        warnings.simplefilter("ignore", UserWarning)
        mod.bind(data_shapes=it.provide_data, label_shapes=None, for_training=False)
    mod.set_params(arg_params, aux_params, allow_missing=False, allow_extra=False)
    out = mod.predict(it, always_output_list=True)[0].asnumpy()
    info = {
        "symbol_outputs": sym.list_outputs(),
        "data_names": data_names,
        "label_names_ignored": label_names,
        "arg_params": {k: list(v.shape) for k, v in sorted(arg_params.items())},
        "aux_params": {k: list(v.shape) for k, v in sorted(aux_params.items())},
    }
    return out, info


def compare(got, expected, rtol, atol):
    result = {"got_shape": list(got.shape), "expected_shape": list(expected.shape)}
    if got.shape != expected.shape:
        result["status"] = "FAIL"
        result["reason"] = "shape mismatch"
        return result
    got64 = got.astype(np.float64)
    exp64 = expected.astype(np.float64)
    abs_err = np.abs(got64 - exp64)
    rel_err = abs_err / (np.abs(exp64) + atol)
    result["max_abs_err"] = float(abs_err.max()) if abs_err.size else 0.0
    result["max_rel_err"] = float(rel_err.max()) if rel_err.size else 0.0
    if got.ndim == 2:
        result["argmax_agreement"] = float((got.argmax(1) == expected.argmax(1)).mean())
    result["status"] = "PASS" if np.allclose(got64, exp64, rtol=rtol, atol=atol) else "FAIL"
    return result


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    result = {"prefix": args.prefix, "epoch": args.epoch, "case": args.case_npz,
              "rtol": args.rtol, "atol": args.atol}
    try:
        import mxnet as mx

        result["mxnet_version"] = mx.__version__
        data, expected = load_case(args.case_npz)
        got, info = predict(args.prefix, args.epoch, data, args.batch_size)
        result.update(info)
        result.update(compare(got, expected, args.rtol, args.atol))
    except Exception as err:  # noqa: BLE001 - report any failure in the JSON
        result["status"] = "ERROR"
        result["error"] = f"{type(err).__name__}: {err}"
        result["traceback"] = traceback.format_exc()
    with open(args.result_json, "w") as fout:
        json.dump(result, fout, indent=1)
        fout.write("\n")
    print(f"max_rel_err={result.get('max_rel_err')} max_abs_err={result.get('max_abs_err')}")
    print(result["status"] if result["status"] != "ERROR"
          else f"FAIL (ERROR: {result['error']})")
    return 0 if result["status"] == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
