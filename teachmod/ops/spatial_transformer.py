"""GridGenerator, BilinearSampler and SpatialTransformer: warp images by sampling them at
computed positions (Jaderberg et al., "Spatial Transformer Networks", 2015).

Positions are *normalised*: ``x = -1`` is the centre of an image's first column and ``x = +1``
the centre of its last one (likewise ``y`` for rows). A *grid* ``(N, 2, H, W)`` holds, for
every output pixel, the ``(x, y)`` position to read from.

- **GridGenerator** makes a grid. ``affine``: data ``(N, 6)`` is a 2x3 matrix ``A`` per sample
  and each output pixel at normalised ``(x_t, y_t)`` reads from ``A @ (x_t, y_t, 1)``.
  ``warp``: data ``(N, 2, H, W)`` is an optical flow in pixels, added to each pixel's own
  position and normalised.
- **BilinearSampler** reads ``data (N, C, H_in, W_in)`` at the grid's positions. A position
  ``(x, y)`` is ``((x + 1) (W_in - 1) / 2, (y + 1) (H_in - 1) / 2)`` in pixels; the value
  there mixes the four surrounding pixels with weights ``(1 - fx)(1 - fy)``, ``fx (1 - fy)``,
  ... where ``fx, fy`` are the fractional parts. Pixels outside the image count as 0. The
  gradient of the data adds each output gradient back onto those four pixels with the same
  weights; the gradient of a position is how fast the mix changes as it moves.
- **SpatialTransformer** is the two together: an affine grid of ``target_shape`` from ``loc``,
  then bilinear sampling of ``data``.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, optional, parse_bool, parse_shape, parse_str, register


def affine_target(height: int, width: int) -> np.ndarray:
    """The normalised target positions as rows ``(x, y, 1)``: shape ``(3, H*W)``, row-major."""
    y, x = np.meshgrid(np.linspace(-1, 1, height), np.linspace(-1, 1, width), indexing="ij")
    return np.stack([x.ravel(), y.ravel(), np.ones(height * width)])


def affine_grid(affine: np.ndarray, target: np.ndarray, height: int, width: int) -> np.ndarray:
    """Grid ``(N, 2, H, W)``: every sample's 2x3 matrix applied to the target positions."""
    return (affine.reshape(-1, 2, 3) @ target).reshape(-1, 2, height, width)


def affine_grid_backward(grad_grid: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Gradient of the ``(N, 6)`` matrices: ``grad (2, H*W) @ target.T`` per sample."""
    n = grad_grid.shape[0]
    return (grad_grid.reshape(n, 2, -1) @ target.T).reshape(n, 6)


def _corners(grid: np.ndarray, height: int, width: int):
    """For every grid position: the four surrounding pixels, their weights and whether each
    lies inside the image. Yields ``(rows, cols, weight, inside, dweight_dx, dweight_dy)``
    with the derivatives of the weight by the pixel coordinates."""
    x = (grid[:, 0] + 1) * (width - 1) / 2
    y = (grid[:, 1] + 1) * (height - 1) / 2
    x0, y0 = np.floor(x), np.floor(y)
    fx, fy = x - x0, y - y0
    for dy in (0, 1):
        for dx in (0, 1):
            wx, wy = (fx if dx else 1 - fx), (fy if dy else 1 - fy)
            rows, cols = (y0 + dy).astype(np.int64), (x0 + dx).astype(np.int64)
            inside = (rows >= 0) & (rows < height) & (cols >= 0) & (cols < width)
            yield (np.clip(rows, 0, height - 1), np.clip(cols, 0, width - 1), wx * wy, inside,
                   (1 if dx else -1) * wy, (1 if dy else -1) * wx)


def bilinear_sample(data: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """``data (N, C, H, W)`` read at the positions of ``grid (N, 2, Ho, Wo)``."""
    n, _, height, width = data.shape
    batch = np.arange(n)[:, None, None]
    pixels = data.transpose(0, 2, 3, 1)  # (N, H, W, C): one gather takes all channels
    out = 0
    for rows, cols, weight, inside, _, _ in _corners(grid, height, width):
        out = out + pixels[batch, rows, cols] * (weight * inside)[..., None]
    return np.ascontiguousarray(np.moveaxis(out, -1, 1)).astype(data.dtype, copy=False)


def bilinear_sample_backward(grad: np.ndarray, data: np.ndarray, grid: np.ndarray
                             ) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of ``data`` and ``grid`` given the output gradient ``(N, C, Ho, Wo)``."""
    n, _, height, width = data.shape
    batch = np.arange(n)[:, None, None]
    pixels = data.transpose(0, 2, 3, 1)
    g = grad.transpose(0, 2, 3, 1)  # (N, Ho, Wo, C)
    grad_data = np.zeros_like(data)
    grad_pixels = grad_data.transpose(0, 2, 3, 1)  # a view: writes land in grad_data
    grad_x = np.zeros(grid.shape[:1] + grid.shape[2:])
    grad_y = np.zeros_like(grad_x)
    for rows, cols, weight, inside, dwx, dwy in _corners(grid, height, width):
        # several outputs may read one pixel: add.at accumulates them all
        np.add.at(grad_pixels, (np.broadcast_to(batch, rows.shape), rows, cols),
                  g * (weight * inside)[..., None])
        along = (g * pixels[batch, rows, cols]).sum(axis=-1) * inside
        grad_x += along * dwx
        grad_y += along * dwy
    # pixel coordinates move (W - 1) / 2 per unit of normalised x
    grad_grid = np.stack([grad_x * (width - 1) / 2, grad_y * (height - 1) / 2], axis=1)
    return grad_data, grad_grid.astype(grid.dtype, copy=False)


def _target_shape_param(doc: str) -> Param:
    return Param(parse_shape, (0, 0), doc=doc)


@register
class GridGenerator(Operator):
    """A sampling grid from affine matrices or from an optical flow."""

    name = "GridGenerator"
    backward_reads = ()
    outputs = ("output", "grid_dst")  # grid_dst: the target positions (hidden, as in MXNet)
    params = {
        "transform_type": Param(parse_str, choices=("affine", "warp"),
                                doc="'affine': data (N, 6); 'warp': a flow (N, 2, H, W)"),
        "target_shape": _target_shape_param("the grid's (H, W) for 'affine'"),
    }

    def num_visible_outputs(self) -> int:
        return 1

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None, None], []
        data = tuple(data)
        if self.transform_type == "affine":
            if len(data) != 2 or data[1] != 6:
                raise self.fail(f"transform_type='affine' needs data of shape (batch, 6), a 2x3 "
                                f"matrix per sample, got {data}")
            height, width = self.target_shape
            if min(self.target_shape) < 1:
                raise self.fail(f"transform_type='affine' needs target_shape (H, W) > 0, got "
                                f"{self.target_shape}")
            return [data], [(data[0], 2, height, width), (3, height * width)], []
        if len(data) != 4 or data[1] != 2:
            raise self.fail(f"transform_type='warp' needs a flow of shape (batch, 2, H, W), "
                            f"got {data}")
        return [data], [data, (2, *data[2:])], []

    def forward(self, is_train, inputs, aux):
        (data,) = inputs
        if self.transform_type == "affine":
            height, width = self.target_shape
            target = affine_target(height, width)
            return [affine_grid(data, target, height, width).astype(data.dtype),
                    target.astype(data.dtype)]
        height, width = data.shape[2:]
        rows, cols = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
        pixels = np.stack([cols, rows]).astype(data.dtype)  # each pixel's own (x, y)
        grid = (data + pixels) / self.half_sizes(height, width) - 1
        return [grid.astype(data.dtype, copy=False), pixels]

    @staticmethod
    def half_sizes(height: int, width: int) -> np.ndarray:
        """Pixels per unit of normalised (x, y), shaped to broadcast over ``(N, 2, H, W)``."""
        return np.array([(width - 1) / 2, (height - 1) / 2]).reshape(1, 2, 1, 1)

    def backward(self, out_grads, inputs, outputs, aux):
        grad = out_grads[0]
        if self.transform_type == "affine":
            target = affine_target(*self.target_shape)
            return [affine_grid_backward(grad, target).astype(grad.dtype, copy=False)]
        height, width = grad.shape[2:]
        return [(grad / self.half_sizes(height, width)).astype(grad.dtype, copy=False)]


@register
class BilinearSampler(Operator):
    """Read the data at the grid's positions by bilinear interpolation."""

    name = "BilinearSampler"
    backward_reads = ("data", "grid")
    arguments = ("data", "grid")
    params = {"cudnn_off": Param(optional(parse_bool), None,
                                 doc="accepted for compatibility; unused")}

    def infer_shape(self, in_shapes):
        data, grid = in_shapes
        if data is None or grid is None:
            return in_shapes, [None], []
        if len(data) != 4 or len(grid) != 4 or grid[1] != 2 or grid[0] != data[0]:
            raise self.fail(f"needs data (N, C, H, W) and a grid (N, 2, Ho, Wo), got data "
                            f"{tuple(data)} and grid {tuple(grid)}")
        return [tuple(data), tuple(grid)], [(*data[:2], *grid[2:])], []

    def forward(self, is_train, inputs, aux):
        return [bilinear_sample(*inputs)]

    def backward(self, out_grads, inputs, outputs, aux):
        return list(bilinear_sample_backward(out_grads[0], *inputs))


@register
class SpatialTransformer(Operator):
    """An affine grid from ``loc`` followed by bilinear sampling of ``data``."""

    name = "SpatialTransformer"
    backward_reads = ("data", "loc")
    arguments = ("data", "loc")
    outputs = ("output", "grid_dst", "grid_src")  # the two grids are hidden, as in MXNet
    params = {
        "target_shape": _target_shape_param("the output's (H, W)"),
        "transform_type": Param(parse_str, choices=("affine",), doc="only 'affine'"),
        "sampler_type": Param(parse_str, choices=("bilinear",), doc="only 'bilinear'"),
        "cudnn_off": Param(optional(parse_bool), None, doc="accepted for compatibility; unused"),
    }

    def num_visible_outputs(self) -> int:
        return 1

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None] * 3, []
        if len(data) != 4:
            raise self.fail(f"data must be (N, C, H, W), got {tuple(data)}")
        if min(self.target_shape) < 1:
            raise self.fail(f"target_shape (H, W) must be > 0, got {self.target_shape}")
        height, width = self.target_shape
        loc = self.expect_shape(in_shapes, 1, (data[0], 6))
        return ([tuple(data), loc],
                [(*data[:2], height, width), (3, height * width), (data[0], 2, height * width)],
                [])

    def forward(self, is_train, inputs, aux):
        data, loc = inputs
        height, width = self.target_shape
        target = affine_target(height, width)
        grid = affine_grid(loc, target, height, width)
        out = bilinear_sample(data, grid)
        return [out, target.astype(data.dtype), grid.reshape(data.shape[0], 2, -1)
                .astype(data.dtype)]

    def backward(self, out_grads, inputs, outputs, aux):
        data, loc = inputs
        height, width = self.target_shape
        target = affine_target(height, width)
        grid = affine_grid(loc, target, height, width)
        grad_data, grad_grid = bilinear_sample_backward(out_grads[0], data, grid)
        return [grad_data, affine_grid_backward(grad_grid, target).astype(loc.dtype)]
