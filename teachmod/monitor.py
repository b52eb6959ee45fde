"""Monitor: print a statistic of every intermediate array every ``interval`` batches."""
from __future__ import annotations

import logging
import re
from typing import Any, Callable

import numpy as np

from .ndarray.ndarray import NDArray

__all__ = ["Monitor"]


def _rms(array: NDArray) -> NDArray:
    """Default statistic: the root mean square, ``norm(x) / sqrt(x.size)``."""
    values = array._data
    return NDArray(np.array([np.linalg.norm(values) / np.sqrt(max(values.size, 1))],
                            dtype=np.float32), array.context)


class Monitor:
    """Watch the outputs of every operator during forward.

    Parameters
    ----------
    interval : int
        Collect statistics every ``interval`` batches.
    stat_func : callable, optional
        ``NDArray -> NDArray`` statistic; default: root mean square.
    pattern : str, default '.*'
        Regular expression of the array names to watch.
    sort : bool, default False
        Sort the printed lines by name.
    monitor_all : bool, default False
        Watch operator inputs too.
    """

    def __init__(self, interval: int, stat_func: Callable[[NDArray], NDArray] | None = None,
                 pattern: str = ".*", sort: bool = False, monitor_all: bool = False) -> None:
        self.interval = interval
        self.stat_func = stat_func or _rms
        self.pattern = re.compile(pattern)
        self.sort = sort
        self.monitor_all = monitor_all
        self.step = 0
        self.activated = False
        self.queue: list[tuple[int, str, NDArray]] = []
        self.exes: list[Any] = []

    def stat_helper(self, name: str, array: NDArray) -> None:
        """The executor's callback: record the statistic of ``array``."""
        if self.activated and self.pattern.match(name):
            self.queue.append((self.step, name, self.stat_func(array)))

    def install(self, exe: Any) -> None:
        """Watch an executor."""
        exe.set_monitor_callback(self.stat_helper, self.monitor_all)
        self.exes.append(exe)

    def tic(self) -> None:
        """Start collecting if this batch is one to watch."""
        if self.step % self.interval == 0:
            self.queue = []
            self.activated = True
        self.step += 1

    def toc(self) -> list[tuple[int, str, str]]:
        """Stop collecting; returns ``[(step, name, statistic as text)]``: the arrays seen during
        forward and backward, then every argument and auxiliary state of the executors."""
        if not self.activated:
            return []
        for exe in self.exes:
            symbol = exe._symbol
            for name, array in zip(symbol.list_arguments() + symbol.list_auxiliary_states(),
                                   exe.arg_arrays + exe.aux_arrays):
                if self.pattern.match(name):
                    self.queue.append((self.step, name, self.stat_func(array)))
        self.activated = False
        if self.sort:
            self.queue.sort(key=lambda item: item[1])
        results = []
        for step, name, stats in self.queue:
            text = ""
            for stat in stats if isinstance(stats, list) else [stats]:
                # MXNet prints a one-element statistic as a number, others as an array
                text += (str(stat.asscalar()) if stat.shape == (1,) else str(stat.asnumpy())) + "\t"
            results.append((step, name, text))
        self.queue = []
        return results

    def toc_print(self) -> None:
        """Stop collecting and log the statistics as MXNet does."""
        for step, name, text in self.toc():
            logging.info("Batch: %7d %-30s %s", step, name, text)
