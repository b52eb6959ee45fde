"""The random augmentations of MXNet's default image augmenter (``src/io/image_aug_default.cc``)
that ``ImageRecordIter`` applies, in numpy on HWC uint8 RGB images.

Each helper draws from the ``numpy.random.Generator`` it is given and saturates to uint8
after every step, as the OpenCV code does:

- ``affine``: rotation (``max_rotate_angle``, ``rotate``), shear, random scale and aspect
  ratio, in one ``warpAffine`` with a ``fill_value`` border;
- ``color_jitter``: brightness, contrast and saturation, in a random order;
- ``hls_jitter``: shifts of hue, lightness and saturation in OpenCV's 8-bit HLS space
  (H 0..180, L and S 0..255);
- ``pca_noise``: AlexNet's lighting noise along ImageNet's RGB eigenvectors.
"""
from __future__ import annotations

from typing import Any

import numpy as np

_EIGVEC = np.array([[55.46 * -0.5675, 4.794 * 0.7192, 1.148 * 0.4009],
                    [55.46 * -0.5808, 4.794 * -0.0045, 1.148 * -0.8140],
                    [55.46 * -0.5836, 4.794 * -0.6948, 1.148 * 0.4203]])


def _saturate(values: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def _sample(image: np.ndarray, x: np.ndarray, y: np.ndarray, fill: float) -> np.ndarray:
    """Bilinear samples of an HWC image at (x, y); taps outside the image read ``fill``."""
    h, w = image.shape[:2]
    x0, y0 = np.floor(x).astype(np.int64), np.floor(y).astype(np.int64)
    out = np.zeros(x.shape + image.shape[2:], np.float32)
    for dy in (0, 1):
        for dx in (0, 1):
            xi, yi = x0 + dx, y0 + dy
            weight = ((1 - np.abs(x - xi)) * (1 - np.abs(y - yi))).astype(np.float32)[..., None]
            inside = ((xi >= 0) & (xi < w) & (yi >= 0) & (yi < h))[..., None]
            taps = image[np.clip(yi, 0, h - 1), np.clip(xi, 0, w - 1)]
            out += weight * np.where(inside, taps, np.float32(fill))
    return out


def affine(image: np.ndarray, aug: dict, rng: np.random.Generator) -> np.ndarray:
    """Rotate, shear and scale as MXNet builds its 2x3 matrix (about the image's centre)."""
    rows, cols = image.shape[:2]
    shear = rng.random() * aug["max_shear_ratio"] * 2 - aug["max_shear_ratio"]
    angle = int(rng.integers(-aug["max_rotate_angle"], aug["max_rotate_angle"] + 1))
    if aug["rotate"] > 0:
        angle = aug["rotate"]
    if aug["rotate_list"]:
        angle = aug["rotate_list"][int(rng.integers(0, len(aug["rotate_list"])))]
    a, b = np.cos(np.radians(angle)), np.sin(np.radians(angle))
    scale = rng.random() * (aug["max_random_scale"] - aug["min_random_scale"]) + \
        aug["min_random_scale"]
    low, high = aug["aspect_ratio_range"]
    ratio = rng.random() * (high - low) + low
    hs = 2 * scale / (1 + ratio)
    ws = ratio * hs
    new_w = int(max(aug["min_img_size"], min(aug["max_img_size"], scale * cols)))
    new_h = int(max(aug["min_img_size"], min(aug["max_img_size"], scale * rows)))
    m = np.array([[hs * a - shear * b * ws, hs * b + shear * a * ws, 0.0],
                  [-b * ws, a * ws, 0.0]])
    m[0, 2] = (new_w - (m[0, 0] * cols + m[0, 1] * rows)) / 2
    m[1, 2] = (new_h - (m[1, 0] * cols + m[1, 1] * rows)) / 2
    # warpAffine maps every output pixel back through the inverse of m
    inverse = np.linalg.inv(np.vstack([m, [0, 0, 1]]))[:2]
    v, u = np.mgrid[0:new_h, 0:new_w].astype(np.float64)
    x = inverse[0, 0] * u + inverse[0, 1] * v + inverse[0, 2]
    y = inverse[1, 0] * u + inverse[1, 1] * v + inverse[1, 2]
    return _saturate(_sample(image, x, y, aug["fill_value"]))


def color_jitter(image: np.ndarray, aug: dict, rng: np.random.Generator) -> np.ndarray:
    """Brightness, contrast and saturation factors ``1 + U(-x, x)``, applied in random order."""
    alphas = [1.0 + rng.uniform(-aug[k], aug[k]) if aug[k] else 1.0
              for k in ("brightness", "contrast", "saturation")]
    # MXNet converts its BGR image with OpenCV's RGB2GRAY: the weights fall on swapped channels
    weights = np.array([0.114, 0.587, 0.299], np.float32)
    for step in rng.permutation(3):
        alpha = alphas[step]
        if step == 0:
            image = _saturate(image * np.float32(alpha))
        else:
            grey = image[..., :3] @ weights
            if step == 1:
                image = _saturate(image * np.float32(alpha) + (1 - alpha) * float(grey.mean()))
            else:
                grey = _saturate(grey)[..., None].astype(np.float32)
                image = _saturate(image * np.float32(alpha) + grey * np.float32(1 - alpha))
    return image


def rgb_to_hls(image: np.ndarray) -> np.ndarray:
    """OpenCV's 8-bit RGB -> HLS: H in 0..180 (degrees / 2), L and S in 0..255."""
    rgb = image[..., :3].astype(np.float32) / 255
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    vmax, vmin = rgb.max(axis=-1), rgb.min(axis=-1)
    diff, total = vmax - vmin, vmax + vmin
    light = total / 2
    safe = np.where(diff > 0, diff, 1)
    sat = np.where(diff > 0, diff / np.where(light < 0.5, np.maximum(total, 1e-12),
                                             np.maximum(2 - total, 1e-12)), 0)
    hue = np.where(vmax == r, (g - b) * 60 / safe,
                   np.where(vmax == g, (b - r) * 60 / safe + 120, (r - g) * 60 / safe + 240))
    hue = np.where(diff > 0, np.where(hue < 0, hue + 360, hue), 0)
    return np.stack([_saturate(hue / 2), _saturate(light * 255), _saturate(sat * 255)], -1)


def hls_to_rgb(hls: np.ndarray) -> np.ndarray:
    """OpenCV's 8-bit HLS -> RGB (the inverse of ``rgb_to_hls``)."""
    h = hls[..., 0].astype(np.float32) * 2 / 60
    light = hls[..., 1].astype(np.float32) / 255
    sat = hls[..., 2].astype(np.float32) / 255
    p2 = np.where(light <= 0.5, light * (1 + sat), light + sat - light * sat)
    p1 = 2 * light - p2
    sector = np.floor(h).astype(np.int64) % 6
    frac = h - np.floor(h)
    table = np.stack([p2, p1, p1 + (p2 - p1) * (1 - frac), p1 + (p2 - p1) * frac], -1)
    # which table entry is B, G, R in each 60-degree sector (OpenCV's sector_data)
    pick = np.array([[1, 3, 0], [1, 0, 2], [3, 0, 1], [0, 2, 1], [0, 1, 3], [2, 1, 0]])
    bgr = np.take_along_axis(table, pick[sector], axis=-1)
    bgr = np.where((sat > 0)[..., None], bgr, light[..., None])
    return _saturate(bgr[..., ::-1] * 255)


def hls_jitter(image: np.ndarray, aug: dict, rng: np.random.Generator) -> np.ndarray:
    """Shift H, L and S by integers from roughly ``[-x, x]`` (MXNet's (u + 4v) / 5 draws)."""
    shifts = []
    for key in ("random_h", "random_l", "random_s"):
        draw = (rng.random() + 4 * rng.random()) / 5
        shifts.append(int(draw * aug[key] * 2 - aug[key]))
    hls = rgb_to_hls(image).astype(np.int64) + np.array(shifts)
    hls = np.clip(hls, 0, [180, 255, 255]).astype(np.uint8)
    out = hls_to_rgb(hls)
    if image.shape[2] == 4:
        out = np.concatenate([out, image[..., 3:]], axis=-1)
    return out


def pca_noise(image: np.ndarray, aug: dict, rng: np.random.Generator) -> np.ndarray:
    """Add ``eigvec * eigval @ alpha`` per channel, ``alpha ~ N(0, pca_noise)``."""
    alpha = rng.normal(0, aug["pca_noise"], 3)
    shift = (_EIGVEC @ alpha).astype(np.float32)  # R, G, B
    out = image.astype(np.float32)
    out[..., :3] += shift
    return np.clip(np.trunc(out), 0, 255).astype(np.uint8)


def needs_affine(aug: dict[str, Any]) -> bool:
    """Whether MXNet would run its warpAffine step for these parameters."""
    return (aug["max_rotate_angle"] > 0 or aug["max_shear_ratio"] > 0 or aug["rotate"] > 0
            or bool(aug["rotate_list"]) or aug["max_random_scale"] != 1
            or aug["min_random_scale"] != 1 or tuple(aug["aspect_ratio_range"]) != (1.0, 1.0)
            or aug["max_img_size"] != 1e10 or aug["min_img_size"] != 0)
