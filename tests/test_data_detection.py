"""mx.image.detection: label format and padding, the detection augmenters moving and clipping
boxes, ImageDetIter's batches, reshape / sync_label_shape, and the errors for bad labels."""
from __future__ import annotations

import random

import numpy as np
import pytest
from PIL import Image

import teachmod as mx
from teachmod.base import MXNetError


def write_png(path, h=60, w=80, value=None) -> str:
    pixels = np.full((h, w, 3), 0 if value is None else value, np.uint8)
    if value is None:
        pixels[..., 0] = np.arange(w)[None, :] % 256
        pixels[..., 1] = np.arange(h)[:, None] % 256
    Image.fromarray(pixels).save(path)
    return str(path)


def label(*objects, header=(2, 5)) -> list:
    return list(header) + [v for obj in objects for v in obj]


@pytest.fixture
def images(tmp_path):
    return [write_png(tmp_path / f"im{k}.png", value=10 * k + 5) for k in range(5)]


def coords_image(h=90, w=120) -> mx.nd.NDArray:
    """float32 HWC: channel 0 = column, channel 1 = row, channel 2 = 1 (0 marks padding)."""
    img = np.ones((h, w, 3), np.float32)
    img[..., 0] = np.arange(w)[None, :]
    img[..., 1] = np.arange(h)[:, None]
    return mx.nd.array(img)


# ---- names -----------------------------------------------------------------------------------
def test_detection_names_are_in_mx_image():
    assert mx.image.det is mx.image.detection
    for name in ("ImageDetIter", "CreateDetAugmenter", "DetAugmenter", "DetBorrowAug",
                 "DetRandomSelectAug", "DetHorizontalFlipAug", "DetRandomCropAug",
                 "DetRandomPadAug", "CreateMultiRandCropAugmenter"):
        assert getattr(mx.image, name) is getattr(mx.image.detection, name)


# ---- label format and padding ----------------------------------------------------------------
def test_label_shape_is_max_objects_and_short_labels_are_padded_with_minus_one(images):
    imglist = [
        label([1, .1, .1, .5, .5]) + [images[0]],
        label([2, .0, .0, .2, .3], [3, .5, .5, .9, .9], [4, .2, .2, .4, .4]) + [images[1]],
        label([5, .3, .3, .6, .6], [6, .1, .2, .3, .4]) + [images[2]],
    ]
    it = mx.image.ImageDetIter(3, (3, 32, 32), imglist=imglist, path_root="")
    assert it.label_shape == (3, 5)
    assert it.provide_label[0].name == "label"
    assert it.provide_label[0].shape == (3, 3, 5)
    batch = it.next()
    lab = batch.label[0].asnumpy()
    assert lab.shape == (3, 3, 5) and batch.pad == 0
    np.testing.assert_allclose(lab[0, 0], [1, .1, .1, .5, .5], rtol=1e-6)
    np.testing.assert_array_equal(lab[0, 1:], -1)
    np.testing.assert_allclose(lab[1, :, 0], [2, 3, 4])
    np.testing.assert_array_equal(lab[2, 2], -1)
    # the images are resized to data_shape, CHW
    assert batch.data[0].shape == (3, 3, 32, 32)
    np.testing.assert_allclose(batch.data[0].asnumpy()[1], 15)


def test_longer_header_and_wider_objects(images):
    extra = label([1, .1, .1, .5, .5, 0.7], [2, .2, .2, .6, .6, 0.3], header=(4, 6, 99, 98))
    it = mx.image.ImageDetIter(1, (3, 16, 16), imglist=[extra + [images[0]]], path_root="")
    assert it.label_shape == (2, 6)
    np.testing.assert_allclose(it.next().label[0].asnumpy()[0, :, 5], [0.7, 0.3], rtol=1e-6)


def test_invalid_objects_and_minus_one_rows_are_dropped(images):
    raw = label([1, .1, .1, .5, .5], [-1, -1, -1, -1, -1], [2, .5, .5, .4, .9])
    it = mx.image.ImageDetIter(1, (3, 16, 16), imglist=[raw + [images[0]]], path_root="")
    assert it.label_shape == (1, 5)
    np.testing.assert_allclose(it._parse_label(np.array(raw)), [[1, .1, .1, .5, .5]], rtol=1e-6)


def test_list_file_and_pad_batches_fill_from_the_start(images, tmp_path):
    lst = tmp_path / "det.lst"
    lines = [[k] + label([k, .1, .1, .5, .5]) + [p] for k, p in enumerate(images)]
    lst.write_text("".join("\t".join(str(v) for v in line) + "\n" for line in lines))
    it = mx.image.ImageDetIter(2, (3, 16, 16), path_imglist=str(lst), path_root="")
    batches = list(it)
    assert len(batches) == 3 and batches[-1].pad == 1
    # the padded slot holds the first image and its label
    np.testing.assert_allclose(batches[-1].label[0].asnumpy()[:, 0, 0], [4, 0])
    np.testing.assert_allclose(batches[-1].data[0].asnumpy()[1], batches[0].data[0].asnumpy()[0])
    assert len(list(mx.image.ImageDetIter(2, (3, 16, 16), path_imglist=str(lst), path_root="",
                                          last_batch_handle="discard"))) == 2


def test_record_file_source(images, tmp_path):
    rec, idx = str(tmp_path / "d.rec"), str(tmp_path / "d.idx")
    writer = mx.recordio.MXIndexedRecordIO(idx, rec, "w")
    for k, path in enumerate(images[:3]):
        raw = label([k, .1, .2, .3, .4], [7, .5, .5, .8, .8] if k == 0 else [-1] * 5)
        header = mx.recordio.IRHeader(0, np.array(raw, np.float32), k, 0)
        writer.write_idx(k, mx.recordio.pack(header, open(path, "rb").read()))
    writer.close()
    it = mx.image.ImageDetIter(3, (3, 16, 16), path_imgrec=rec, path_imgidx=idx)
    assert it.label_shape == (2, 5)
    lab = it.next().label[0].asnumpy()
    np.testing.assert_allclose(lab[0, :, 0], [0, 7])
    np.testing.assert_array_equal(lab[1:, 1], -1)  # the -1 rows of the record stay padding


def test_samples_without_a_valid_object_after_augmentation_are_skipped(images):
    imglist = [label([-1, .1, .1, .5, .5]) + [images[0]],  # class -1: no valid object
               label([3, .1, .1, .5, .5]) + [images[1]]]
    it = mx.image.ImageDetIter(1, (3, 16, 16), imglist=imglist, path_root="")
    batches = list(it)
    assert len(batches) == 1
    assert batches[0].label[0].asnumpy()[0, 0, 0] == 3


# ---- reshape and sync_label_shape ------------------------------------------------------------
def test_sync_label_shape_grows_the_smaller_iterator(images):
    one = mx.image.ImageDetIter(2, (3, 16, 16), path_root="",
                                imglist=[label([1, .1, .1, .5, .5]) + [images[0]]])
    three = mx.image.ImageDetIter(2, (3, 16, 16), path_root="", imglist=[
        label([1, .1, .1, .5, .5], [2, .1, .1, .5, .5], [3, .1, .1, .5, .5]) + [images[1]]])
    assert one.sync_label_shape(three) is three
    assert one.label_shape == three.label_shape == (3, 5)
    assert one.provide_label[0].shape == (2, 3, 5)
    lab = one.next().label[0].asnumpy()
    assert lab.shape == (2, 3, 5)
    np.testing.assert_array_equal(lab[0, 1:], -1)
    one.reshape(data_shape=(3, 24, 20))
    assert one.provide_data[0].shape == (2, 3, 24, 20)
    one.reset()
    with pytest.raises(MXNetError, match=r"shape \(3, 16, 16\) \(CHW\), data_shape is "
                                         r"\(3, 24, 20\)"):
        one.next()  # the augmenters still resize to 16 x 16
    one.auglist = mx.image.CreateDetAugmenter((3, 24, 20))
    one.reset()
    assert one.next().data[0].shape == (2, 3, 24, 20)


def test_bad_label_shapes_name_the_argument(images):
    it = mx.image.ImageDetIter(2, (3, 16, 16), path_root="", imglist=[
        label([1, .1, .1, .5, .5], [2, .1, .1, .5, .5]) + [images[0]]])
    with pytest.raises(ValueError, match=r"label_shape must be \(max objects, object width\), "
                                         r"got \(4,\)"):
        it.reshape(label_shape=(4,))
    with pytest.raises(ValueError, match=r"label_shape\[0\].*from 2 to 1"):
        it.reshape(label_shape=(1, 5))
    with pytest.raises(ValueError, match=r"label_shape\[1\].*must stay 5, got 6"):
        it.reshape(label_shape=(3, 6))
    with pytest.raises(ValueError, match=r"data_shape\[0\] \(channels\) must be 3, got 1"):
        it.reshape(data_shape=(1, 16, 16))
    with pytest.raises(TypeError, match="it must be an ImageDetIter, got ImageIter"):
        it.sync_label_shape(mx.image.ImageIter(1, (3, 16, 16), imglist=[[0, images[0]]]))
    wide = mx.image.ImageDetIter(1, (3, 16, 16), path_root="", imglist=[
        label([1, .1, .1, .5, .5, 0], header=(2, 6)) + [images[0]]])
    with pytest.raises(ValueError, match="object widths differ: 5 here, 6 in it"):
        it.sync_label_shape(wide)


@pytest.mark.parametrize("raw, message", [
    ([2, 5, 1, .1, .1], "at least 7 numbers"),
    ([2, 5, 1, .1, .1, .5, .5, 2], "does not split into a header of 2 and objects of 5"),
    ([2, 4, 1, .1, .1, .5, .5, 1, .1], r"object width \(label\[1\]\) must be 5 or more"),
    ([0, 5, 1, .1, .1, .5, .5], r"header width \(label\[0\]\) must be 2"),
    ([2, 5, 1, .5, .1, .1, .5], "no valid object"),
])
def test_bad_labels_fail_at_construction_naming_the_problem(images, raw, message):
    with pytest.raises(MXNetError, match=message):
        mx.image.ImageDetIter(1, (3, 16, 16), imglist=[raw + [images[0]]], path_root="")


def test_samples_with_different_object_widths_are_refused(images):
    imglist = [label([1, .1, .1, .5, .5]) + [images[0]],
               label([1, .1, .1, .5, .5, 0], header=(2, 6)) + [images[1]]]
    with pytest.raises(MXNetError, match="sample 2 has objects of width 6, earlier samples 5"):
        mx.image.ImageDetIter(1, (3, 16, 16), imglist=imglist, path_root="")


def test_an_empty_source_is_a_clear_error():
    with pytest.raises(MXNetError, match="no samples to find the label shape"):
        mx.image.ImageDetIter(1, (3, 16, 16), imglist=[], path_root="")


# ---- augmenters ------------------------------------------------------------------------------
def test_flip_moves_the_boxes_with_the_pixels():
    src = coords_image()
    lab = np.array([[1, .1, .2, .3, .4], [2, .6, .0, 1., .5]], np.float32)
    out, new = mx.image.DetHorizontalFlipAug(1)(src, lab)
    np.testing.assert_allclose(new[:, 1:], [[.7, .2, .9, .4], [0., .0, .4, .5]], atol=1e-6)
    np.testing.assert_array_equal(out.asnumpy()[:, 0, 0], 119)  # the last column comes first
    np.testing.assert_allclose(lab[0, 1:], [.1, .2, .3, .4], rtol=1e-6)  # input untouched
    same, kept = mx.image.DetHorizontalFlipAug(0)(src, lab)
    assert same is src and kept is lab


def test_crop_labels_are_shifted_scaled_clipped_and_ejected():
    aug = mx.image.DetRandomCropAug(min_eject_coverage=0.3)
    lab = np.array([[1, .2, .1, .4, .5],     # half outside on the left: clipped, kept
                    [2, .9, .9, 1., 1.],     # outside: dropped
                    [3, .26, .2, .3, .3]],   # inside: moved
                   np.float32)
    # crop x=50, y=0, w=100, h=100 of a 200 x 100 image
    new = aug._update_labels(lab, (50, 0, 100, 100), 100, 200)
    np.testing.assert_allclose(new, [[1, 0, .1, .3, .5], [3, .02, .2, .1, .3]], atol=1e-6)
    strict = mx.image.DetRandomCropAug(min_eject_coverage=0.8)
    np.testing.assert_allclose(strict._update_labels(lab, (50, 0, 100, 100), 100, 200)[:, 0], [3])


@pytest.mark.parametrize("seed", range(20))
def test_random_crop_and_pad_keep_boxes_on_the_same_pixels(seed):
    random.seed(seed)
    src = coords_image()
    h0, w0 = src.shape[:2]
    lab = np.array([[1, .3, .3, .6, .7], [2, .0, .1, .2, .9], [4, .5, .0, 1., .4]], np.float32)
    crop = mx.image.DetRandomCropAug(min_object_covered=0.1, area_range=(0.2, 1.0),
                                     min_eject_coverage=0.0)
    out, new = crop(src, lab)
    img = out.asnumpy()
    h, w = img.shape[:2]
    x0, y0 = img[0, 0, 0], img[0, 0, 1]  # the crop's offset in the original image
    assert new.min() >= 0 and new[:, 1:].max() <= 1
    for row in new:
        orig = lab[lab[:, 0] == row[0]][0]
        # unclipped sides map back onto the original pixel positions
        np.testing.assert_allclose(np.clip(orig[1] * w0, x0, x0 + w), row[1] * w + x0, atol=1e-3)
        np.testing.assert_allclose(np.clip(orig[4] * h0, y0, y0 + h), row[4] * h + y0, atol=1e-3)
    pad = mx.image.DetRandomPadAug(area_range=(1.5, 3.0), pad_val=0)
    out, padded = pad(src, lab)
    img = out.asnumpy()
    H, W = img.shape[:2]
    assert H > h0 + 1 and W > w0 + 1
    ys, xs = np.nonzero(img[..., 2])
    y, x = ys.min(), xs.min()  # where the image was placed
    assert (ys.max() - y + 1, xs.max() - x + 1) == (h0, w0)
    np.testing.assert_allclose(padded[:, [1, 3]] * W, lab[:, [1, 3]] * w0 + x, atol=1e-3)
    np.testing.assert_allclose(padded[:, [2, 4]] * H, lab[:, [2, 4]] * h0 + y, atol=1e-3)


def test_crop_refuses_proposals_that_cut_objects_too_much():
    random.seed(0)
    lab = np.array([[1, .0, .0, 1., 1.]], np.float32)  # one object filling the image
    aug = mx.image.DetRandomCropAug(min_object_covered=0.95, area_range=(0.1, 0.5))
    src = coords_image()
    out, new = aug(src, lab)
    assert out is src and new is lab  # no crop keeps 95% of it


def test_invalid_ranges_disable_the_augmenters_with_a_warning():
    with pytest.warns(UserWarning, match="area_range"):
        assert not mx.image.DetRandomCropAug(area_range=(0.5, 0.1)).enabled
    with pytest.warns(UserWarning, match="aspect_ratio_range"):
        assert not mx.image.DetRandomPadAug(aspect_ratio_range=(0, 1)).enabled
    with pytest.raises(ValueError, match="area_range must be a number or a"):
        mx.image.DetRandomCropAug(area_range=(0.1, 0.2, 0.3))


def test_select_borrow_and_dumps():
    with pytest.raises(TypeError, match="augmenter must be an mx.image.Augmenter, got int"):
        mx.image.DetBorrowAug(3)
    with pytest.raises(ValueError, match="aug_list must hold DetAugmenters only, got a CastAug"):
        mx.image.DetRandomSelectAug([mx.image.CastAug()])
    borrow = mx.image.DetBorrowAug(mx.image.CastAug())
    assert borrow.dumps()[0] == "detborrowaug"
    lab = np.array([[1, .1, .1, .5, .5]], np.float32)
    out, same = mx.image.DetRandomSelectAug([], skip_prob=0)(coords_image(), lab)
    assert same is lab
    multi = mx.image.CreateMultiRandCropAugmenter(min_object_covered=[0.1, 0.5],
                                                  area_range=[(0.1, 1.0), (0.3, 1.0)])
    assert [a.min_object_covered for a in multi.aug_list] == [0.1, 0.5]
    assert multi.dumps()[0] == "detrandomselectaug"
    with pytest.raises(ValueError, match="min_object_covered has 2 values; expected 1 or 3"):
        mx.image.CreateMultiRandCropAugmenter(min_object_covered=[0.1, 0.5],
                                              max_attempts=[1, 2, 3])


def test_create_det_augmenter_order():
    augs = mx.image.CreateDetAugmenter((3, 300, 300), resize=256, rand_crop=0.5, rand_pad=0.5,
                                       rand_mirror=True, mean=True, std=True, brightness=0.1)
    kinds = [type(a).__name__ if not isinstance(a, mx.image.DetBorrowAug)
             else type(a.augmenter).__name__ for a in augs]
    assert kinds == ["ResizeAug", "DetRandomSelectAug", "DetHorizontalFlipAug",
                     "DetRandomSelectAug", "ForceResizeAug", "CastAug", "ColorJitterAug",
                     "ColorNormalizeAug"]
    with pytest.raises(ValueError, match="mean must have 1 or 3 values, got 2"):
        mx.image.CreateDetAugmenter((3, 8, 8), mean=np.array([1., 2.]))


def test_iterating_with_every_augmenter_keeps_labels_valid(images):
    random.seed(3)
    np.random.seed(3)
    imglist = [label([k, .1, .1, .6, .5], [k + 1, .4, .3, .9, .95]) + [p]
               for k, p in enumerate(images)]
    it = mx.image.ImageDetIter(2, (3, 40, 40), imglist=imglist, path_root="", resize=50,
                               rand_crop=1, rand_pad=1, rand_mirror=True, rand_gray=0.5,
                               mean=True, std=True, brightness=0.1, contrast=0.1,
                               saturation=0.1, hue=0.1, pca_noise=0.1, inter_method=10)
    for _ in range(3):
        for batch in it:
            lab = batch.label[0].asnumpy()
            assert batch.data[0].shape == (2, 3, 40, 40)
            used = lab[..., 0] >= 0
            assert used[:, 0].all()  # every image keeps an object
            assert (lab[used][:, 1:] >= 0).all() and (lab[used][:, 1:] <= 1).all()
            np.testing.assert_array_equal(lab[~used], -1)
        it.reset()


def test_draw_next_yields_images_with_boxes(images):
    it = mx.image.ImageDetIter(1, (3, 20, 20), path_root="", imglist=[
        label([1, .25, .25, .75, .75]) + [images[0]]])
    drawn = list(it.draw_next(color=(255, 0, 0), thickness=1))
    assert len(drawn) == 1 and drawn[0].dtype == np.uint8
    assert (drawn[0][5, 5:16] == [255, 0, 0]).all()  # the top edge
    np.testing.assert_array_equal(drawn[0][10, 10], [5, 5, 5])
    with pytest.raises(MXNetError, match="waitKey=None"):
        next(it.draw_next(waitKey=0))
