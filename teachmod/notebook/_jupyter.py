"""The Jupyter view of ``LiveMetrics``: a Stop button, a status line and the figure.

The figure is rendered by matplotlib's Agg backend to a PNG and sent to an ``ipywidgets.Image``;
changing the image's value swaps the picture in place in the browser (no ``clear_output``, so
no flicker and the log lines printed by ``fit`` stay where they are). When training ends the
widget's output is replaced by the final PNG as an ordinary image output, so a saved notebook
shows the curves to readers, nbval and GitHub without the widget.

The Stop button: while a cell runs, the kernel's main thread is busy, and a click is handled
only after the cell ends -- too late. ipykernel 7 receives every message in a separate thread
first, and asks a comm's ``_reply_subshell_for`` where to route it; we wrap that method on the
button's comm to notice the click there and raise the stop flag at once. On other kernels the
button says so, and Jupyter's *Interrupt kernel* (which ``LiveMetrics`` turns into the same clean
stop) does the job.
"""
from __future__ import annotations

import base64
import html
import sys
from typing import Any, Callable

from .live import _in_jupyter_kernel


class WidgetView:
    """The ipywidgets layout of one ``LiveMetrics`` run.

    Parameters
    ----------
    live : LiveMetrics
        The callback whose data is shown.
    """

    def __init__(self, live: Any) -> None:
        import ipywidgets as widgets

        self.live = live
        live._update_plot()  # build the figure now, outside the timed refreshes, and draw
        # it once (fonts, text caches: a one-off) so that the empty axes show at once and the
        # first timed refresh costs what the others do
        self.image = widgets.Image(value=live._plot.png(layout=True), format="png",
                                   layout=widgets.Layout(max_width="100%",
                                                         align_self="flex-start"))
        self.status = widgets.HTML(value=_status_html("waiting for the first batch"))
        self.button = widgets.Button(description="Stop", icon="stop", button_style="danger",
                                     layout=widgets.Layout(width="90px"))
        if wire_stop_button(self.button, live.request_stop):
            self.button.tooltip = "End fit after the current batch (epoch ends, validation runs)"
        else:
            self.button.tooltip = ("This kernel reads clicks only after the cell: use Kernel > "
                                   "Interrupt, which LiveMetrics also turns into a clean stop")
        self.box = widgets.VBox([widgets.HBox([self.button, self.status]), self.image])
        self.handle = None
        if _in_jupyter_kernel():
            from IPython.display import display

            self.handle = display(self.box, display_id=True)
        self.stopped = False

    def refresh(self) -> None:
        self.live._update_plot(steady=True)
        self.image.value = self.live._plot.png()
        self.status.value = _status_html(self.live.status())

    def epoch_done(self, row: int) -> None:
        pass  # the next refresh shows it

    def stopping(self) -> None:
        if not self.stopped:
            self.stopped = True
            self.button.disabled = True
            self.button.description = "Stopping"
            self.status.value = _status_html(self.live.status())

    def finish(self) -> None:
        """Replace the widget by the final figure as a static PNG, print the last values."""
        self.live._update_plot()
        png = self.live._plot.png(layout=True)
        line = self.live.status()
        if self.handle is not None:
            self.handle.update({"image/png": base64.b64encode(png).decode("ascii"),
                                "text/plain": f"<LiveMetrics figure: {line}>"}, raw=True)
        else:
            self.image.value = png
        for widget in (self.button, self.status, self.image, *self.box.children, self.box):
            widget.close()
        if self.handle is not None:
            print("LiveMetrics:", line, file=sys.stdout, flush=True)


def wire_stop_button(button: Any, on_stop: Callable[[], None]) -> bool:
    """Call ``on_stop`` when ``button`` is clicked, even while the kernel is busy.

    Parameters
    ----------
    button : ipywidgets.Button
        The button.
    on_stop : callable()
        Called on a click; from the kernel's shell-channel thread when it can be, so it should
        only set a flag.

    Returns
    -------
    bool
        True if clicks arrive during a running cell (ipykernel >= 7.4), False if they arrive
        only after it.
    """
    button.on_click(lambda _: on_stop())  # when the kernel is idle (after the cell)
    comm = getattr(button, "comm", None)
    route = getattr(comm, "_reply_subshell_for", None)
    if route is None:
        return False

    def route_and_watch(data: Any, default: Any) -> Any:
        if isinstance(data, dict) and data.get("method") == "custom" \
                and isinstance(data.get("content"), dict) \
                and data["content"].get("event") == "click":
            on_stop()
        return route(data, default)

    comm._reply_subshell_for = route_and_watch
    return True


def _status_html(text: str) -> str:
    return (f'<span style="font-family: monospace; font-size: 14px; padding-left: 8px">'
            f"{html.escape(text)}</span>")
