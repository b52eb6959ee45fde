"""mx.image: decoding and resizing against MXNet 1.9.1 (OpenCV inside), crops, augmenters,
ImageIter."""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

import teachmod as mx
from teachmod.base import MXNetError

GOLDEN = Path(__file__).parent / "golden" / "data"
IMAGES = GOLDEN / "images"
ARRAYS = np.load(GOLDEN / "image.npz")
NAMES = ["colour.png", "tall.png", "grey.png", "photo.jpg", "small.jpg"]


def source() -> mx.nd.NDArray:
    return mx.image.imread(str(IMAGES / "colour.png"))


# ---- decoding --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_imdecode_gives_mxnets_pixels(name):
    buf = (IMAGES / name).read_bytes()
    key = name.replace(".", "_")
    for prefix, kwargs in (("decode", {}), ("decode_bgr", {"to_rgb": 0})):
        image = mx.image.imdecode(buf, **kwargs)
        assert image.dtype == np.uint8
        # same libjpeg/libpng underneath: identical pixels
        np.testing.assert_array_equal(image.asnumpy(), ARRAYS[f"{prefix}_{key}"])
    grey = mx.image.imdecode(bytearray(buf), flag=0).asnumpy().astype(int)
    # colour to grey: OpenCV and Pillow round their fixed-point luma differently (<= 1 level)
    np.testing.assert_allclose(grey, ARRAYS[f"decode_grey_{key}"], atol=1)


def test_imread_matches_imdecode_and_reports_a_missing_file():
    path = IMAGES / "photo.jpg"
    np.testing.assert_array_equal(mx.image.imread(str(path)).asnumpy(),
                                  mx.image.imdecode(path.read_bytes()).asnumpy())
    with pytest.raises(MXNetError, match="cannot read '/no/such/file.jpg'"):
        mx.img.imread("/no/such/file.jpg")


def test_imdecode_rejects_empty_and_broken_input():
    with pytest.raises(MXNetError, match="the buffer is empty"):
        mx.image.imdecode(b"")
    with pytest.raises(MXNetError, match="not an image Pillow can decode"):
        mx.image.imdecode(b"clearly not image content")
    with pytest.raises(TypeError, match="buf must be bytes"):
        mx.image.imdecode("a string")


# ---- resizing --------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [(13, 10), (45, 37), (20, 40)])
@pytest.mark.parametrize("interp", range(5))
def test_imresize_matches_opencv_within_one_level(size, interp):
    w, h = size
    out = mx.image.imresize(source(), w, h, interp=interp).asnumpy()
    assert out.shape == (h, w, 3) and out.dtype == np.uint8
    np.testing.assert_allclose(out.astype(int), ARRAYS[f"resize_{w}x{h}_{interp}"], atol=1)
    target = mx.nd.zeros((h, w, 3), dtype="uint8")
    assert mx.image.imresize(source(), w, h, interp=interp, out=target) is target
    np.testing.assert_array_equal(target.asnumpy(), out)


@pytest.mark.parametrize("size", [10, 40])
def test_resize_short_matches_mxnet(size):
    out = mx.image.resize_short(source(), size).asnumpy()
    gold = ARRAYS[f"resize_short_{size}"]
    assert out.shape == gold.shape
    np.testing.assert_allclose(out.astype(int), gold, atol=1)


def test_resizing_a_constant_image_keeps_it_constant_for_every_method():
    flat = np.full((9, 11, 3), 77, np.uint8)
    for interp in range(5):
        for w, h in ((4, 3), (23, 19), (11, 9)):
            np.testing.assert_array_equal(mx.image.imresize(flat, w, h, interp).asnumpy(), 77)


def test_bad_interpolation_is_an_error():
    with pytest.raises(ValueError, match="Unknown interp method 7"):
        mx.image.imresize(source(), 5, 5, interp=7)


# ---- crops and borders -----------------------------------------------------------------------
def test_scale_down_as_mxnet_documents():
    assert mx.image.scale_down((640, 480), (720, 120)) == (640, 106)
    assert mx.image.scale_down((360, 1000), (480, 500)) == (360, 375)
    assert mx.image.scale_down((300, 400), (0, 0)) == (0, 0)


def test_crops_return_their_region():
    image = source()
    crop, box = mx.image.center_crop(image, (10, 8))
    assert box == (11, 8, 10, 8)
    np.testing.assert_array_equal(crop.asnumpy(), image.asnumpy()[8:16, 11:21])
    random.seed(3)
    crop, (x0, y0, w, h) = mx.image.random_crop(image, (10, 8))
    np.testing.assert_array_equal(crop.asnumpy(), image.asnumpy()[y0:y0 + h, x0:x0 + w])
    resized = mx.image.fixed_crop(image, 2, 3, 10, 8, size=(5, 4))
    assert resized.shape == (4, 5, 3)
    crop, (x0, y0, w, h) = mx.image.random_size_crop(image, (6, 6), 0.3, (0.75, 1.33))
    assert crop.shape == (6, 6, 3) and 0.7 <= w / h <= 1.4


def test_copy_make_border_types():
    image = np.arange(2 * 3 * 1).reshape(2, 3, 1).astype(np.uint8)
    out = mx.image.copyMakeBorder(image, 1, 0, 2, 1, type=0, values=9).asnumpy()[:, :, 0]
    assert out.tolist() == [[9, 9, 9, 9, 9, 9], [9, 9, 0, 1, 2, 9], [9, 9, 3, 4, 5, 9]]
    row = np.array([[[1], [2], [3]]], np.uint8)
    expected = {1: [1, 1, 1, 2, 3, 3, 3], 2: [2, 1, 1, 2, 3, 3, 2], 3: [2, 3, 1, 2, 3, 1, 2],
                4: [3, 2, 1, 2, 3, 2, 1]}
    for border, values in expected.items():
        out = mx.image.copyMakeBorder(row, 0, 0, 2, 2, type=border).asnumpy()
        assert out[0, :, 0].tolist() == values


def test_color_normalize():
    src = np.random.RandomState(1).rand(4, 5, 3) * 255
    mean, std = np.array([100.0, 110, 120]), np.array([50.0, 60, 70])
    out = mx.image.color_normalize(mx.nd.array(src), mx.nd.array(mean), mx.nd.array(std))
    np.testing.assert_allclose(out.asnumpy(), (src - mean) / std, rtol=1e-5)


def test_imrotate_matches_mxnet_and_checks_its_arguments():
    planes = mx.nd.array(ARRAYS["rotate_in"])
    for name, zoom in (("plain", {}), ("zoom_in", {"zoom_in": True}),
                       ("zoom_out", {"zoom_out": True})):
        turned = mx.image.imrotate(planes, mx.nd.array([30, -75]), **zoom).asnumpy()
        np.testing.assert_allclose(turned, ARRAYS[f"rotate_{name}"], atol=1e-5)
    image = mx.nd.array(ARRAYS["rotate_in"][0])
    np.testing.assert_allclose(mx.image.imrotate(image, 30).asnumpy(),
                               ARRAYS["rotate_plain"][0], atol=1e-5)
    with pytest.raises(ValueError, match="cannot be both True"):
        mx.image.imrotate(image, 5, zoom_in=True, zoom_out=True)
    with pytest.raises(TypeError, match="required to be a scalar"):
        mx.image.imrotate(image, mx.nd.array([1, 2]))
    assert mx.image.random_rotate(planes, (-5, 5)).shape == (2, 1, 6, 8)


# ---- augmenters ------------------------------------------------------------------------------
def test_create_augmenter_makes_mxnets_list():
    augs = mx.image.CreateAugmenter((3, 16, 16), resize=20, rand_crop=True, rand_mirror=True,
                                    mean=True, std=True, brightness=0.1, contrast=0.1,
                                    saturation=0.1, hue=0.1, pca_noise=0.1, rand_gray=0.2)
    assert [type(a).__name__ for a in augs] == [
        "ResizeAug", "RandomCropAug", "HorizontalFlipAug", "CastAug", "ColorJitterAug",
        "HueJitterAug", "LightingAug", "RandomGrayAug", "ColorNormalizeAug"]
    assert augs[0].dumps() == '["resizeaug", {"size": 20, "interp": 2}]'
    random.seed(0)
    np.random.seed(0)
    out = source()
    for aug in augs:
        out = aug(out)
    assert out.shape == (16, 16, 3) and out.dtype == np.float32


def test_colour_augmenters_do_what_they_say():
    image = mx.nd.array(np.random.RandomState(2).rand(6, 7, 3) * 255)
    grey = (image.asnumpy() * [0.299, 0.587, 0.114]).sum(axis=2, keepdims=True)
    random.seed(5)
    alpha = 1 + random.Random(5).uniform(-0.5, 0.5)
    np.testing.assert_allclose(mx.image.SaturationJitterAug(0.5)(image).asnumpy(),
                               image.asnumpy() * alpha + grey * (1 - alpha), rtol=1e-4)
    random.seed(5)
    np.testing.assert_allclose(mx.image.ContrastJitterAug(0.5)(image).asnumpy(),
                               image.asnumpy() * alpha + grey.mean() * (1 - alpha), rtol=1e-4)
    flipped = mx.image.HorizontalFlipAug(1.0)(image).asnumpy()
    np.testing.assert_array_equal(flipped, image.asnumpy()[:, ::-1])
    greyed = mx.image.RandomGrayAug(1.0)(image).asnumpy()
    np.testing.assert_allclose(greyed[..., 0], greyed[..., 2], rtol=1e-6)
    norm = mx.image.ColorNormalizeAug(mean=mx.nd.array([1.0, 2, 3]), std=[2.0, 2, 2])
    np.testing.assert_allclose(norm(image).asnumpy(), (image.asnumpy() - [1, 2, 3]) / 2,
                               rtol=1e-5)
    assert mx.image.ForceResizeAug((4, 9))(image).shape == (9, 4, 3)
    assert mx.image.CastAug("float64")(image).dtype == np.float64


# ---- ImageIter -------------------------------------------------------------------------------
def test_image_iter_from_a_list_handles_the_last_batch_as_mxnet(tmp_path):
    colour = [str(IMAGES / n) for n in ("colour.png", "photo.jpg", "tall.png", "small.jpg")]
    paths = colour * 4  # 16 images
    imglist = [[i % 5, p] for i, p in enumerate(paths)]
    common = dict(imglist=imglist, path_root="", resize=20)
    discard = mx.image.ImageIter(3, (3, 10, 10), last_batch_handle="discard", **common)
    assert sum(1 for _ in discard) == 5
    pad = mx.image.ImageIter(3, (3, 10, 10), last_batch_handle="pad", **common)
    batches = list(pad)
    assert len(batches) == 6 and batches[-1].pad == 2
    np.testing.assert_array_equal(batches[-1].data[0].asnumpy()[1:],
                                  batches[0].data[0].asnumpy()[:2])
    roll = mx.image.ImageIter(3, (3, 10, 10), last_batch_handle="roll_over", **common)
    first = next(iter(roll)).data[0].asnumpy()[0]
    assert sum(1 for _ in roll) == 4  # 5 full batches in all; the 16th image waits
    roll.reset()
    batch = roll.next()
    assert batch.pad == 2
    np.testing.assert_array_equal(batch.data[0].asnumpy()[1], first)
    lst = tmp_path / "images.lst"
    lst.write_text("".join(f"{i}\t{i % 5}\t{p}\n" for i, p in enumerate(paths)))
    from_file = mx.image.ImageIter(4, (3, 10, 10), path_imglist=str(lst), path_root="",
                                   resize=20, dtype="int32")
    labels = np.concatenate([b.label[0].asnumpy() for b in from_file])
    assert labels.dtype == np.int32 and labels.tolist() == [i % 5 for i in range(16)]


def test_image_iter_from_a_rec_file_and_its_errors(tmp_path):
    it = mx.image.ImageIter(3, (3, 10, 10), path_imgrec=str(GOLDEN / "images.rec"),
                            path_imgidx=str(GOLDEN / "images.idx"), shuffle=True, resize=12)
    assert [b.pad for b in it] == [0, 0, 1]  # 8 images
    it = mx.image.ImageIter(3, (3, 10, 10), path_imgrec=str(GOLDEN / "images.rec"), resize=12)
    labels = np.concatenate([b.label[0].asnumpy() for b in it])
    assert labels.tolist() == [0, 1, 0, 1, 2, 0, 2, 0, 0]
    with pytest.raises(ValueError, match="3 channels"):
        mx.image.ImageIter(1, (1, 10, 10), imglist=[])
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a jpeg")
    it = mx.image.ImageIter(1, (3, 10, 10), imglist=[[0, str(broken)]], path_root="")
    with pytest.raises(MXNetError, match=r"broken image filename: .*broken\.jpg"):
        it.next()
