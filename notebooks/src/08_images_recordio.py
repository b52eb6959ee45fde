# Lesson 8 -- From a folder of images to ImageRecordIter. md(en=..., zh=...) and code(...): see
# notebooks/build.py.

md(en=r"""
# Lesson 8 · From a folder of images to `ImageRecordIter`

*[阅读中文版](../zh/08_images_recordio.ipynb)*

Every image-classification chapter of the MXNet books starts the same way: a folder of images,
one sub-folder per class, turned by `tools/im2rec.py` into a list (`.lst`) and a RecordIO file
(`.rec` with its `.idx`), which `mx.io.ImageRecordIter` then decodes, augments and batches in
several threads. Here we take all of these steps on images teachmod can make itself: the UCI
handwritten digits it ships (E. Alpaydin and C. Kaynak, 1998, CC BY 4.0), drawn as PNG files.
You will

- write the image folder and run `im2rec` twice, as the books print it (list, then pack),
- open the `.rec` file by hand and see what one record holds,
- read augmented batches with `ImageRecordIter` and look at them,
- train a small network on the `.rec` file for a few epochs.
""", zh=r"""
# 第 8 课 · 从图像文件夹到 `ImageRecordIter`

*[English version](../en/08_images_recordio.ipynb)*

MXNet 书籍里每一章图像分类都以同样的方式开始：一个图像文件夹，每个类别一个子文件夹；用 `tools/im2rec.py`
把它变成一个列表（`.lst`）和一个 RecordIO 文件（`.rec` 及其索引 `.idx`）；再由 `mx.io.ImageRecordIter`
用多个线程解码、增强并组成批次。本课用 teachmod 自己能生成的图像走完全部步骤：随 teachmod 发布的 UCI
手写数字（E. Alpaydin 和 C. Kaynak，1998，CC BY 4.0），画成 PNG 文件。本课你将会：

- 写出图像文件夹，并按书中的写法运行两次 `im2rec`（先生成列表，再打包）；
- 亲手打开 `.rec` 文件，看看一条记录里有什么；
- 用 `ImageRecordIter` 读出增强后的批次并观察它们；
- 在 `.rec` 文件上训练一个小网络几个轮次。
""")

md(en=r"""
## A folder of images

`get_digits()` gives 1797 grey 8 × 8 images with values 0..1. We enlarge each to 32 × 32
(nearest neighbour, so the pixels stay visible) and save it as a PNG in `digits/<label>/`:
the layout `im2rec --recursive` expects, one folder per class. Everything goes into a
temporary folder.
""", zh=r"""
## 图像文件夹

`get_digits()` 给出 1797 张 8 × 8 的灰度图，取值 0..1。我们把每张放大到 32 × 32（最近邻插值，像素块依然可见），
存为 PNG，放在 `digits/<标签>/` 里——这正是 `im2rec --recursive` 需要的布局：每个类别一个文件夹。
所有文件都写在一个临时文件夹中。
""")

code(r"""
import logging
import os
import subprocess
import sys
import tempfile
import numpy as np
import matplotlib.pyplot as plt
from PIL import Image
import teachmod as mx

logging.basicConfig(level=logging.INFO, stream=sys.stdout)
plt.rcParams['font.sans-serif'] = mx.viz.chinese_fonts()
mx.random.seed(0)

work = tempfile.mkdtemp()
root = os.path.join(work, 'digits')
images, labels = mx.test_utils.get_digits()
for n, (image, label) in enumerate(zip(images, labels)):
    folder = os.path.join(root, str(label))
    os.makedirs(folder, exist_ok=True)
    pixels = (image[0] * 255).astype(np.uint8)
    big = mx.image.imresize(pixels[:, :, None].repeat(3, axis=2), 32, 32, interp=0)
    Image.fromarray(big.asnumpy()).save(os.path.join(folder, f'{n:04d}.png'))
print(sorted(os.listdir(root)), len(os.listdir(os.path.join(root, '3'))), 'images of a 3')
""")

md(en=r"""
## `im2rec`, step 1: the list

`python -m teachmod.tools.im2rec` takes MXNet's command line. With `--list --recursive` it walks
the folder, numbers the classes in sorted order (it prints them), shuffles (with MXNet's fixed
seed), and with `--train-ratio 0.8` writes `data_train.lst` and `data_val.lst`. Each line
is `index, label, path`, separated by tabs.
""", zh=r"""
## `im2rec` 第一步：列表

`python -m teachmod.tools.im2rec` 使用 MXNet 的命令行。加上 `--list --recursive`，它遍历文件夹，按名称顺序给类别编号
（并打印出来），打乱顺序（用 MXNet 固定的随机种子）；加上 `--train-ratio 0.8`，它写出 `data_train.lst` 和
`data_val.lst`。每行是 `序号、标签、路径`，以制表符分隔。
""")

code(r"""
prefix = os.path.join(work, 'data')
def im2rec(*args):
    done = subprocess.run([sys.executable, '-m', 'teachmod.tools.im2rec', *args],
                          capture_output=True, text=True, check=True)
    print(done.stdout.replace(work, '<work>'))

im2rec('--list', '--recursive', '--train-ratio', '0.8', prefix, root)
with open(prefix + '_train.lst') as f:
    print(''.join(f.readlines()[:3]))
""")

md(en=r"""
## `im2rec`, step 2: the `.rec` files

Without `--list`, `im2rec` packs every `data*.lst` it finds: it reads each image, resizes its
shorter side (`--resize`), encodes it (JPEG with `--quality` by default) and appends it as one
record, in `--num-thread` threads. The `.idx` file beside each `.rec` holds the byte offset of
every record, for random access.
""", zh=r"""
## `im2rec` 第二步：`.rec` 文件

不加 `--list` 时，`im2rec` 会打包它找到的每个 `data*.lst`：读入每张图像，把短边缩放到 `--resize`，编码
（默认是 JPEG，质量由 `--quality` 决定），作为一条记录追加到文件中，使用 `--num-thread` 个线程。每个 `.rec`
旁边的 `.idx` 文件记录每条记录的字节偏移，用于随机访问。
""")

code(r"""
im2rec('--resize', '32', '--quality', '95', '--num-thread', '2', prefix, root)
for name in sorted(os.listdir(work)):
    if name.startswith('data_'):
        print(f'{name:18s} {os.path.getsize(os.path.join(work, name)):>8,d} bytes')
""")

md(en=r"""
## What one record holds

A record is bytes: an `IRHeader` (flag, label, id, id2), then the encoded image.
`mx.recordio.unpack_img` splits them and decodes the image (in OpenCV's BGR order, as MXNet).
""", zh=r"""
## 一条记录里有什么

一条记录就是一串字节：一个 `IRHeader`（flag、label、id、id2），后面是编码后的图像。
`mx.recordio.unpack_img` 把它们拆开并解码图像（和 MXNet 一样，按 OpenCV 的 BGR 通道顺序）。
""")

code(r"""
record = mx.recordio.MXIndexedRecordIO(prefix + '_train.idx', prefix + '_train.rec', 'r')
print(len(record.keys), 'records; the first keys:', record.keys[:5])
raw = record.read_idx(record.keys[0])
header, image = mx.recordio.unpack_img(raw)
print(len(raw), 'bytes;', header, image.shape, image.dtype)
""")

md(en=r"""
## Augmented batches

`ImageRecordIter` reads the `.rec` file with a pool of threads (`preprocess_threads`): each image
is decoded (as grey: `data_shape` asks for one channel), randomly cropped to 28 × 28
(`rand_crop`), and scaled to 0..1 (`scale`). Mirroring
a digit would change its meaning, so `rand_mirror` stays off here; a small random rotation
(`max_rotate_angle`) does no harm. Batches come out as NCHW float32.
""", zh=r"""
## 增强后的批次

`ImageRecordIter` 用一个线程池（`preprocess_threads`）读取 `.rec` 文件：每张图像被解码（`data_shape` 只要一个通道，所以解码成灰度图）、随机裁剪成 28 × 28
（`rand_crop`），并缩放到 0..1（`scale`）。把数字左右翻转会改变它的意思，所以这里不开 `rand_mirror`；
小角度的随机旋转（`max_rotate_angle`）则无妨。输出的批次是 NCHW 布局的 float32。
""")

code(r"""
train = mx.io.ImageRecordIter(path_imgrec=prefix + '_train.rec', data_shape=(1, 28, 28),
                              batch_size=64, shuffle=True, rand_crop=True, max_rotate_angle=10,
                              scale=1 / 255, preprocess_threads=2)
val = mx.io.ImageRecordIter(path_imgrec=prefix + '_val.rec', data_shape=(1, 28, 28),
                            batch_size=64, scale=1 / 255)
print(train.provide_data, train.provide_label)
batch = train.next()
fig, axes = plt.subplots(2, 8, figsize=(8, 2.4))
for ax, image, label in zip(axes.flat, batch.data[0].asnumpy(), batch.label[0].asnumpy()):
    ax.imshow(image[0], cmap='gray_r')
    ax.set_title(int(label), fontsize=9)
    ax.axis('off')
plt.show()
""")

md(en=r"""
## Training on the `.rec` file

A small network in the spirit of lesson 5, on the 28 × 28 crops, for two epochs. `fit` calls `reset()` on the iterators
at every epoch; the training iterator reshuffles and draws new crops and rotations each time.
""", zh=r"""
## 在 `.rec` 文件上训练

用一个与第 5 课类似的小网络，在 28 × 28 的裁剪图像上训练两个轮次。`fit` 在每个轮次开始时调用迭代器的 `reset()`；
训练迭代器每次都会重新打乱，并重新抽取裁剪位置和旋转角度。
""")

code(r"""
net = mx.sym.Variable('data')
net = mx.sym.Convolution(net, name='conv1', kernel=(3, 3), num_filter=8)
net = mx.sym.Activation(net, name='relu1', act_type='relu')
net = mx.sym.Pooling(net, name='pool1', kernel=(2, 2), stride=(2, 2), pool_type='max')
net = mx.sym.Convolution(net, name='conv2', kernel=(3, 3), num_filter=16)
net = mx.sym.Activation(net, name='relu2', act_type='relu')
net = mx.sym.Pooling(net, name='pool2', kernel=(2, 2), stride=(2, 2), pool_type='max')
net = mx.sym.FullyConnected(mx.sym.Flatten(net), name='fc', num_hidden=10)
net = mx.sym.SoftmaxOutput(net, name='softmax')

mod = mx.mod.Module(net)
mod.fit(train, eval_data=val, num_epoch=2, optimizer='adam',
        optimizer_params={'learning_rate': 0.003}, initializer=mx.init.Xavier())
print('validation accuracy:', mod.score(val, 'acc')[0][1])
""")

md(en=r"""
## What to remember

- `im2rec --list` turns a folder tree into `index, label, path` lines; without `--list` it
  packs them into `.rec` + `.idx`.
- A record is a header with the label, then the encoded image: `mx.recordio.pack_img` /
  `unpack_img`.
- `ImageRecordIter` decodes and augments in threads and gives NCHW batches that `fit` consumes
  like any other iterator.
""", zh=r"""
## 要点

- `im2rec --list` 把文件夹树变成 `序号、标签、路径` 的列表行；不加 `--list` 时把它们打包成 `.rec` + `.idx`。
- 一条记录是带标签的头部加上编码后的图像：`mx.recordio.pack_img` / `unpack_img`。
- `ImageRecordIter` 在多个线程中解码和增强，给出 NCHW 布局的批次，`fit` 像使用其他迭代器一样使用它。
""")
