"""The Jupyter view of ``LiveMetrics``: an anywidget that draws the curves in the browser.

The kernel only sends new points (a custom comm message every ``LiveMetrics.every`` seconds);
the browser draws them on a canvas (``_live.js``, self-contained: no network). A message sent
before the browser has loaded the widget's JavaScript is lost, so for the first
``FULL_RESEND`` seconds each message carries all the points so far (thinned, few by then) and
replaces what the browser has. Every message is thinned to at most ``MAX_POINTS`` points per
curve: enough for a screen, and its cost stays flat however fast the batches are.

When the run ends, the widget's output is replaced by the final matplotlib figure as an
ordinary PNG output, so a saved notebook shows the curves to readers, nbval and GitHub.

The Stop button: while a cell runs, the kernel's main thread is busy, and a click is handled
only after the cell ends -- too late. ipykernel 7 receives every message in a separate thread
first, and asks a comm's ``_reply_subshell_for`` where to route it; we wrap that method on the
widget's comm to notice the click there and raise the stop flag at once. On other kernels
(JupyterLite's included) the button says so, and *Interrupt kernel* does the same job.
"""
from __future__ import annotations

import base64
import io
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable

import anywidget
import traitlets

from .live import _titles, in_jupyter

MAX_POINTS = 120
FULL_RESEND = 3.0
READY_WAIT = 1.5  # seconds; a notebook run without a browser (nbval) waits this long


class CurvesWidget(anywidget.AnyWidget):
    """The browser side of the live view; data arrive as custom messages (see ``_live.js``)."""

    _esm = (Path(__file__).with_name("_live.js")).read_text(encoding="utf-8")
    uid = traitlets.Unicode().tag(sync=True)   # names the browser's store of this run's points
    spec = traitlets.Dict().tag(sync=True)     # labels, title, whether Stop works


class WidgetView:
    """Shows the runs of ``live`` in a ``CurvesWidget``, displayed when it is made.

    ``LiveMetrics`` makes its first view when it is created, before ``fit`` starts, and waits
    (at most ``READY_WAIT`` seconds) until the browser says it has drawn the empty widget: the
    browser's one-off work of loading the widget's code then does not slow the first epoch.
    """

    def __init__(self, live: Any) -> None:
        self.live = live
        self.widget = CurvesWidget(uid=uuid.uuid4().hex)
        self.ready = threading.Event()
        self.heard = wire_events(self.widget, {"click": live.request_stop,
                                               "ready": self.ready.set})
        self.widget.spec = self._spec()
        self.first_batch = time.time()
        self.sent = 0                    # batches sent so far
        self.png: bytes | None = None    # the final figure
        self.handle = None
        if in_jupyter():
            from IPython.display import display

            self.handle = display(self.widget, display_id=True)
        self.shown = time.perf_counter()

    def _spec(self) -> dict[str, Any]:
        live = self.live
        return {"labels": live.labels, "title": live.title or "", "stop": live.module is not None,
                "stop_heard": self.heard, "batch_size": live._batch_size()}

    def wait_until_drawn(self, timeout: float = READY_WAIT) -> bool:
        """Wait until the browser has drawn the widget; False if it did not say so in time
        (no browser, or a kernel that delivers messages only between cells)."""
        return self.handle is not None and self.heard and self.ready.wait(timeout)

    def start(self) -> None:
        """The run's first batch: its time, and the batch size now that the module is bound."""
        self.first_batch = time.time()
        self.shown = time.perf_counter()
        spec = self._spec()
        if spec != self.widget.spec:
            self.widget.spec = spec

    def refresh(self) -> None:
        live, b = self.live, self.live._batch
        total = len(b["epoch"])
        reset = time.perf_counter() - self.shown < FULL_RESEND
        start = 0 if reset else self.sent
        step = max(1, -(-(total - start) // MAX_POINTS))
        index = list(range(start, total, step))
        if index and index[-1] != total - 1:
            index.append(total - 1)
        names = live._drawn_names()
        self.widget.send({
            "reset": reset, "first_batch": self.first_batch * 1000, "status": live.status(),
            "names": names, "titles": _titles(names, live.language),
            "batches": {key: _json_floats([b[key][i] for i in index])
                        for key in ("epoch", "nbatch", "time", "lr", *names)},
            "epochs": {key: _json_floats(values) for key, values in live._epoch.items()}})
        self.sent = total

    def epoch_done(self, row: int) -> None:
        pass  # the next refresh sends it

    def finish(self) -> None:
        """Replace the widget by the final figure as a static PNG; print the last values."""
        from ._plot import save

        out = io.BytesIO()
        save(self.live.figure, out, self.live.language, format="png")
        self.png = out.getvalue()
        line = self.live.status()
        if self.handle is not None:
            self.handle.update({"image/png": base64.b64encode(self.png).decode("ascii"),
                                "text/plain": f"<LiveMetrics figure: {line}>"}, raw=True)
            print("LiveMetrics:", line, file=sys.stdout, flush=True)
        self.widget.close()


def wire_events(widget: Any, handlers: dict[str, Callable[[], None]]) -> bool:
    """Call ``handlers[name]`` when the widget sends ``{'event': name}`` ('click' from the Stop
    button, 'ready' once drawn), even while the kernel is busy when it can.

    Returns True if messages arrive during a running cell (ipykernel >= 7.4), False if they
    arrive only after it.
    """
    def handle(content: Any) -> None:
        if isinstance(content, dict) and content.get("event") in handlers:
            handlers[content["event"]]()

    widget.on_msg(lambda _, content, buffers: handle(content))
    comm = getattr(widget, "comm", None)
    route = getattr(comm, "_reply_subshell_for", None)
    if route is None:
        return False

    def route_and_watch(data: Any, default: Any) -> Any:
        if isinstance(data, dict) and data.get("method") == "custom":
            handle(data.get("content"))  # on the shell-channel thread: only sets flags
        return route(data, default)

    comm._reply_subshell_for = route_and_watch
    return True


def _json_floats(values: list) -> list:
    """NaN is not JSON: the browser gets null for a missing value."""
    return [None if isinstance(v, float) and v != v else v for v in values]
