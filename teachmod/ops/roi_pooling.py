"""ROIPooling: max-pool every region of interest into a fixed ``pooled_size`` grid (Fast R-CNN).

``rois`` ``(R, 5)`` holds one box per row: ``[batch_index, x1, y1, x2, y2]`` in input-image
coordinates; ``spatial_scale`` maps them onto the feature map ``data`` ``(N, C, H, W)`` (the
reciprocal of the network's total stride), rounding to whole pixels. Each box, at least one
pixel in size, is cut into ``pooled_size = (PH, PW)`` bins -- bin ``(i, j)`` covers rows
``floor(i * h / PH) .. ceil((i + 1) * h / PH)`` of it -- and every bin keeps the maximum of
each channel: the output is ``(R, C, PH, PW)``. Empty bins (outside the map) give 0.

The gradient of each output goes, as in max pooling, to the (first) position that held the
maximum; a hidden second output ``maxidx`` records it (``h * W + w``, -1 for an empty bin).
The boxes get no gradient.
"""
from __future__ import annotations

import math

import numpy as np

from .registry import Operator, Param, parse_float, parse_shape, register


def _round(x: float) -> int:
    """Round half away from zero, like C's ``round`` (numpy rounds half to even)."""
    return int(math.floor(abs(x) + 0.5)) * (1 if x >= 0 else -1)


@register
class ROIPooling(Operator):
    """Max pooling of boxes into a fixed grid."""

    name = "ROIPooling"
    arguments = ("data", "rois")
    outputs = ("output", "maxidx")
    backward_reads = ("data", "rois", "maxidx")
    params = {
        "pooled_size": Param(parse_shape, doc="the output grid (PH, PW)"),
        "spatial_scale": Param(parse_float, doc="feature map size / image size, in (0, 1]"),
    }

    def validate(self):
        if len(self.pooled_size) != 2 or min(self.pooled_size) < 1:
            raise self.fail(f"pooled_size must be two positive numbers (PH, PW), got "
                            f"{self.pooled_size}")
        if not 0 < self.spatial_scale <= 1:
            raise self.fail(f"spatial_scale must be in (0, 1], got {self.spatial_scale}")

    def num_visible_outputs(self) -> int:
        return 1

    def infer_shape(self, in_shapes):
        data, rois = in_shapes
        if data is None or rois is None:
            return in_shapes, [None, None], []
        if len(data) != 4:
            raise self.fail(f"data must be (N, C, H, W), got {tuple(data)}")
        if len(rois) != 2 or rois[1] != 5:
            raise self.fail(f"rois must be (R, 5) rows [batch_index, x1, y1, x2, y2], got "
                            f"{tuple(rois)}")
        out = (rois[0], data[1], *self.pooled_size)
        return [tuple(data), tuple(rois)], [out, out], []

    def bins(self, roi: np.ndarray, height: int, width: int):
        """Yield ``(i, j, rows, cols)``: each bin of one box as slices of the feature map."""
        x1, y1, x2, y2 = (_round(float(v) * self.spatial_scale) for v in roi[1:])
        box_h, box_w = max(y2 - y1 + 1, 1), max(x2 - x1 + 1, 1)  # malformed boxes: 1 pixel
        ph, pw = self.pooled_size
        for i in range(ph):
            top = min(max(math.floor(i * box_h / ph) + y1, 0), height)
            bottom = min(max(math.ceil((i + 1) * box_h / ph) + y1, 0), height)
            for j in range(pw):
                left = min(max(math.floor(j * box_w / pw) + x1, 0), width)
                right = min(max(math.ceil((j + 1) * box_w / pw) + x1, 0), width)
                yield i, j, slice(top, bottom), slice(left, right)

    def forward(self, is_train, inputs, aux):
        data, rois = inputs
        n, c, height, width = data.shape
        out = np.zeros((rois.shape[0], c, *self.pooled_size), data.dtype)
        maxidx = np.full(out.shape, -1.0, data.dtype)
        positions = np.arange(height * width).reshape(height, width)
        for r, roi in enumerate(rois):
            image = int(roi[0])
            if not 0 <= image < n:
                continue  # a box in no image of the batch: zeros, as MXNet gives
            for i, j, rows, cols in self.bins(roi, height, width):
                window = data[image, :, rows, cols].reshape(c, -1)
                if window.shape[1] == 0:
                    continue
                first_max = window.argmax(axis=1)
                out[r, :, i, j] = window[np.arange(c), first_max]
                maxidx[r, :, i, j] = positions[rows, cols].ravel()[first_max]
        return [out, maxidx]

    def backward(self, out_grads, inputs, outputs, aux):
        data, rois = inputs
        maxidx = outputs[1].astype(np.int64)
        n, c, height, width = data.shape
        images = np.broadcast_to(rois[:, 0].astype(np.int64)[:, None, None, None], maxidx.shape)
        channels = np.broadcast_to(np.arange(c)[None, :, None, None], maxidx.shape)
        found = maxidx >= 0
        grad = np.zeros((n, c, height * width), data.dtype)
        # bins of overlapping boxes may share a maximum: add.at sums all their gradients
        np.add.at(grad, (images[found], channels[found], maxidx[found]), out_grads[0][found])
        return [grad.reshape(data.shape), None]
