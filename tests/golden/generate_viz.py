"""Generate plot_network / print_summary golden data from the real Apache MXNet 1.9.1.

Runs under MXNet 1.9.1 only; the teachmod tests never import it. From the repository root::

    /tmp/mxvenv/bin/pip install mxnet==1.9.1 numpy==1.23.5
    /tmp/mxvenv/bin/pip install --target /tmp/gv021 graphviz==0.21
    PYTHONPATH=/tmp/gv021 /tmp/mxvenv/bin/python tests/golden/generate_viz.py

MXNet's wheel pins ``graphviz<0.9`` (0.8.4), which writes the DOT source without the final
newline that graphviz >= 0.20 (teachmod's requirement) adds; that is the only difference, so
the golden sources are made with graphviz 0.21 on the path, to compare byte for byte.
``--png DIR`` also renders every drawing to DIR (needs the ``dot`` binary) for a visual check.

Writes under ``tests/golden/viz/``: ``<case>.gv`` (``plot_network(...).source``) for every
entry of ``viz_nets.PLOT_CASES``, ``<case>.summary.txt`` (what ``print_summary`` printed) for
``viz_nets.SUMMARY_CASES``, and ``errors.json`` (exception class and message of bad calls).
"""

import contextlib
import io
import json
import os
import sys

import graphviz
import mxnet as mx

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "viz")
sys.path.insert(0, HERE)

import viz_nets  # noqa: E402


def write(name, text):
    with open(os.path.join(OUT_DIR, name), "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def error_of(call):
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            call()
    except Exception as err:  # noqa: BLE001 - recording whatever MXNet raises
        message = str(err)
        if "MXNetError: " in message:  # drop the C++ traceback lines before the message
            message = message.split("MXNetError: ", 1)[1]
        return {"type": type(err).__name__, "message": message.strip()}
    return None


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    png_dir = sys.argv[sys.argv.index("--png") + 1] if "--png" in sys.argv else None
    for case, network, kwargs in viz_nets.PLOT_CASES:
        dot = mx.viz.plot_network(viz_nets.NETWORKS[network](mx), **kwargs)
        write(case + ".gv", dot.source)
        if png_dir:
            dot.render(os.path.join(png_dir, "mxnet_" + case), format="png", cleanup=True)
    for case, network, kwargs in viz_nets.SUMMARY_CASES:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            mx.viz.print_summary(viz_nets.NETWORKS[network](mx), **kwargs)
        write(case + ".summary.txt", out.getvalue())
    mlp = viz_nets.mlp(mx)
    errors = {
        "plot_not_a_symbol": error_of(lambda: mx.viz.plot_network("net")),
        "plot_unknown_input": error_of(lambda: mx.viz.plot_network(mlp, shape={"dta": (2, 16)})),
        "plot_incomplete_shape": error_of(
            lambda: mx.viz.plot_network(mlp, shape={"softmax_label": (2,)})),
        "summary_not_a_symbol": error_of(lambda: mx.viz.print_summary("net")),
        "summary_unknown_input": error_of(
            lambda: mx.viz.print_summary(mlp, shape={"dta": (2, 16)})),
    }
    errors["versions"] = {"mxnet": mx.__version__, "graphviz": graphviz.__version__}
    write("errors.json", json.dumps(errors, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
