"""Devices. teachmod always computes on the CPU with numpy; `gpu(i)` is accepted so MXNet code
runs unchanged, arrays remember the device they were asked for, and one warning says so."""
from __future__ import annotations

import threading
import warnings

__all__ = ["Context", "cpu", "gpu", "cpu_pinned", "current_context", "num_gpus"]

_GPU_WARNING = (
    "teachmod runs every computation on the CPU with numpy. {ctx} is accepted so that MXNet code "
    "runs unchanged, and arrays report it as their context, but no GPU is used."
)


class Context:
    """A device: ``Context('cpu', 0)``, ``Context('gpu', 1)``; also a ``with`` block that sets
    the default device for new arrays.

    Parameters
    ----------
    device_type : str or Context
        'cpu', 'gpu', 'cpu_pinned' or 'cpu_shared' (or a Context to copy).
    device_id : int, default 0
        Index of the device.
    """

    devtype2str = {1: "cpu", 2: "gpu", 3: "cpu_pinned", 5: "cpu_shared"}
    devstr2type = {name: code for code, name in devtype2str.items()}
    _default = threading.local()
    _gpu_warned = False

    def __init__(self, device_type: str | Context, device_id: int = 0) -> None:
        if isinstance(device_type, Context):
            device_type, device_id = device_type.device_type, device_type.device_id
        if device_type not in self.devstr2type:
            raise ValueError(
                f"Context: device_type must be one of {sorted(self.devstr2type)}, "
                f"got {device_type!r}"
            )
        if not isinstance(device_id, int) or device_id < 0:
            raise ValueError(f"Context: device_id must be an int >= 0, got {device_id!r}")
        self.device_type = device_type
        self.device_id = device_id
        self._old_ctx: Context | None = None
        if device_type == "gpu" and not Context._gpu_warned:
            Context._gpu_warned = True
            warnings.warn(_GPU_WARNING.format(ctx=self), UserWarning, stacklevel=3)

    @property
    def device_typeid(self) -> int:
        """MXNet's numeric device type (1 cpu, 2 gpu, ...), as written in .params files."""
        return self.devstr2type[self.device_type]

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Context)
            and self.device_type == other.device_type
            and self.device_id == other.device_id
        )

    def __hash__(self) -> int:
        return hash((self.device_type, self.device_id))

    def __repr__(self) -> str:
        return f"{self.device_type}({self.device_id})"

    __str__ = __repr__

    def __enter__(self) -> Context:
        self._old_ctx = current_context()
        Context._default.value = self
        return self

    def __exit__(self, *exc: object) -> None:
        Context._default.value = self._old_ctx

    def empty_cache(self) -> None:
        """Accepted for compatibility; numpy frees memory by itself."""


def cpu(device_id: int = 0) -> Context:
    """The CPU context, ``cpu(0)``."""
    return Context("cpu", device_id)


def cpu_pinned(device_id: int = 0) -> Context:
    """Pinned CPU memory in MXNet; plain CPU memory here."""
    return Context("cpu_pinned", device_id)


def gpu(device_id: int = 0) -> Context:
    """A GPU context. teachmod computes on the CPU; the first call warns once."""
    return Context("gpu", device_id)


def num_gpus() -> int:
    """Number of GPUs teachmod uses: always 0, since it computes with numpy."""
    return 0


def current_context() -> Context:
    """The default context for new arrays: ``cpu(0)`` unless a ``with ctx:`` block is active."""
    ctx = getattr(Context._default, "value", None)
    if ctx is None:
        ctx = Context._default.value = Context("cpu", 0)
    return ctx
