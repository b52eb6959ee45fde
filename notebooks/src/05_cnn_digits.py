# Lesson 5 -- Convolutional networks. md(en=..., zh=...) and code(...): see notebooks/build.py.

md(en=r"""
# Lesson 5 · A convolutional network for handwritten digits

*[阅读中文版](../zh/05_cnn_digits.ipynb)*

The book *MXNet深度学习实战* (Wei Kaifeng, §3.3) trains its first network with `Module`:
convolution → batch normalization → ReLU → max pooling → fully connected → softmax, on random
images of 3 × 224 × 224 with 128 filters. Here the same network, smaller (16 filters), learns
something real: the UCI optical recognition of handwritten digits, 1797 grey 8 × 8 images of the
digits 0–9 that ship with teachmod (E. Alpaydin and C. Kaynak, 1998, CC BY 4.0). You will

- read the shape of every layer,
- train with the book's hand-written loop (listing 3-1) and with `fit` (listing 3-2),
- step through one batch, operator by operator, forward and backward,
- see what BatchNorm keeps besides its parameters and how it behaves in training and in prediction,
- look at the learned filters, the feature maps of one digit, and the mistakes.
""", zh=r"""
# 第 5 课 · 用卷积网络识别手写数字

*[English version](../en/05_cnn_digits.ipynb)*

《MXNet深度学习实战》（魏凯峰著）第 3.3 节用 `Module` 训练了书中的第一个网络：卷积 → 批归一化 → ReLU →
最大池化 → 全连接 → softmax，输入是 3 × 224 × 224 的随机图像，卷积核有 128 个。这里我们把同样的网络缩小一些
（16 个卷积核），让它学点真东西：UCI 手写数字光学识别数据集——1797 张 8 × 8 的灰度图，内容是数字 0–9，
随 teachmod 一起发布（E. Alpaydin 和 C. Kaynak，1998，CC BY 4.0）。本课你将会：

- 读懂每一层的形状；
- 分别用书中手写的循环（代码清单 3-1）和 `fit`（代码清单 3-2）训练；
- 逐个算子地追踪一批数据的前向与反向过程；
- 了解 BatchNorm 除参数外还保存了什么，以及它在训练和预测时的不同表现；
- 看看学到的卷积核、一个数字的特征图，以及网络犯的错误。
""")

md(en=r"""
## The images

`mx.test_utils.get_digits()` returns the images as an array of shape (1797, 1, 8, 8) — MXNet's
NCHW layout: number, channels, height, width — with pixel values in 0..1. We shuffle once with a
fixed seed and keep 384 images (12 batches of 32) for validation.
""", zh=r"""
## 图像

`mx.test_utils.get_digits()` 返回形状为 (1797, 1, 8, 8) 的图像数组——这是 MXNet 的 NCHW 布局：
数量、通道、高、宽——像素值在 0..1 之间。我们用固定的随机种子打乱一次，留出 384 张（12 批，每批 32 张）用于验证。
""")

code(r"""
import logging
import sys
import numpy as np
import matplotlib.pyplot as plt
import teachmod as mx

logging.basicConfig(level=logging.INFO, stream=sys.stdout)
plt.rcParams['font.sans-serif'] = mx.viz.chinese_fonts()
plt.rcParams['axes.unicode_minus'] = False
np.random.seed(0)
mx.random.seed(0)

images, digits = mx.test_utils.get_digits()
order = np.random.permutation(len(digits))
images, digits = images[order], digits[order]
ntrain = len(digits) - 384
print(images.shape, images.dtype, 'train:', ntrain, 'validation:', len(digits) - ntrain)

fig, axes = plt.subplots(2, 10, figsize=(9, 2.2))
for ax, image, digit in zip(axes.flat, images, digits):
    ax.imshow(image[0], cmap='gray_r')
    ax.set_title(str(digit))
    ax.axis('off')
fig.suptitle('UCI handwritten digits, 8 × 8 pixels / UCI 手写数字，8 × 8 像素')
fig.tight_layout()
""")

md(en=r"""
## The book's network, smaller

Apart from `num_filter=16` and ten classes instead of two, these lines are the book's.
""", zh=r"""
## 书中的网络（缩小版）

除了 `num_filter=16`，以及类别数从 2 改成 10 之外，这几行代码与书中完全相同。
""")

code(r"""
data = mx.sym.Variable('data')
conv = mx.sym.Convolution(data=data, num_filter=16, kernel=(3,3), pad=(1,1),
                          name='conv1')
bn = mx.sym.BatchNorm(data=conv, name='bn1')
relu = mx.sym.Activation(data=bn, act_type='relu', name='relu1')
pool = mx.sym.Pooling(data=relu, kernel=(2,2), stride=(2,2), pool_type='max',
                      name='pool1')
fc = mx.sym.FullyConnected(data=pool, num_hidden=10, name='fc1')
sym = mx.sym.SoftmaxOutput(data=fc, name='softmax')

mx.viz.plot_network(sym, shape={'data': (32, 1, 8, 8)})
""")

md(en=r"""
Reading the edges from the bottom: a 3 × 3 kernel with one pixel of padding keeps 8 × 8, and 16
filters make 16 channels; BatchNorm and ReLU keep the shape; 2 × 2 pooling with stride 2 halves
each side to 4 × 4; `FullyConnected` flattens the 16 × 4 × 4 = 256 numbers and maps them to 10
scores. The summary counts the parameters: each filter has 1 × 3 × 3 weights and a bias (160 in
all), BatchNorm a scale `gamma` and a shift `beta` per channel (32), the dense layer 256 × 10 + 10.
""", zh=r"""
从下往上读各条边：3 × 3 的卷积核加上 1 像素的填充，输出仍是 8 × 8，16 个卷积核得到 16 个通道；
BatchNorm 和 ReLU 不改变形状；步长为 2 的 2 × 2 池化把长宽各减半，变成 4 × 4；`FullyConnected`
把 16 × 4 × 4 = 256 个数展平，映射为 10 个打分。参数摘要统计了参数个数：每个卷积核有 1 × 3 × 3
个权重和一个偏置（共 160 个），BatchNorm 每个通道有一个缩放系数 `gamma` 和一个平移量 `beta`（共 32 个），
全连接层有 256 × 10 + 10 个。
""")

code(r"""
mx.viz.print_summary(sym, shape={'data': (32, 1, 8, 8)})
""", tags=["nbval-check-output"])

md(en=r"""
## Training by hand: listing 3-1

The book's iterators take dictionaries that name the inputs. Its loop is the one we took apart in
lesson 4: fetch the next batch ahead and `prepare` it, stop at `StopIteration`. It uses the
defaults — `init_params()` draws from `Uniform(0.01)`, `init_optimizer()` is SGD with learning
rate 0.01 — and `mx.gpu(0)`, which teachmod accepts and runs on the CPU.
""", zh=r"""
## 手写训练循环：代码清单 3-1

书中的迭代器接收以输入名为键的字典。它的循环正是我们在第 4 课拆解过的那种：提前取出下一批并调用
`prepare`，遇到 `StopIteration` 就结束。它使用默认设置——`init_params()` 从 `Uniform(0.01)` 中取初始值，
`init_optimizer()` 是学习率 0.01 的 SGD——以及 `mx.gpu(0)`，teachmod 接受它，但在 CPU 上运行。
""")

code(r"""
import warnings
warnings.filterwarnings('ignore', message='teachmod runs every computation on the CPU')

train_data = mx.io.NDArrayIter(data={'data': images[:ntrain]},
                               label={'softmax_label': digits[:ntrain]},
                               batch_size=32,
                               shuffle=True)
val_data = mx.io.NDArrayIter(data={'data': images[ntrain:]},
                             label={'softmax_label': digits[ntrain:]},
                             batch_size=32)
print(train_data.provide_data)
print(train_data.provide_label)

mod = mx.mod.Module(symbol=sym, context=mx.gpu(0))
mod.bind(data_shapes=train_data.provide_data,
         label_shapes=train_data.provide_label)
mod.init_params()
mod.init_optimizer()
eval_metric = mx.metric.create('acc')
for epoch in range(3):
    end_of_batch = False
    eval_metric.reset()
    data_iter = iter(train_data)
    next_data_batch = next(data_iter)
    while not end_of_batch:
        data_batch = next_data_batch
        mod.forward(data_batch)
        mod.backward()
        mod.update()
        mod.update_metric(eval_metric, labels=data_batch.label)
        try:
            next_data_batch = next(data_iter)
            mod.prepare(next_data_batch)
        except StopIteration:
            end_of_batch = True
    eval_name_vals = eval_metric.get_name_value()
    print("Epoch:{} Train_Acc:{:.4f}".format(epoch, eval_name_vals[0][1]))
    arg_params, aux_params = mod.get_params()
    mod.set_params(arg_params, aux_params)
    train_data.reset()
""")

md(en=r"""
## The same with `fit`: listing 3-2

Listing 3-2 replaces everything from `bind` on with one `fit` call. We also validate after each
epoch and raise the learning rate to 0.1; ten epochs take about a second.
""", zh=r"""
## 用 `fit` 做同样的事：代码清单 3-2

代码清单 3-2 用一次 `fit` 调用替换了从 `bind` 开始的全部代码。我们还在每轮结束后做验证，并把学习率提高到
0.1；训练十轮大约只需一秒。
""")

code(r"""
train_data.reset()
mod = mx.mod.Module(symbol=sym, context=mx.gpu(0))
mod.fit(train_data=train_data, eval_data=val_data, num_epoch=10,
        optimizer_params={'learning_rate': 0.1})
""")

md(en=r"""
## Stepping through one batch

`mx.viz.step_through` runs one batch forward and backward through the trained module and keeps
what every operator received and produced: on the way forward the inputs and outputs of each node,
on the way back the gradient arriving at each output and the gradient sent to each input. In
Jupyter it is an explorer — *Prev*/*Next*, a slider and a play button walk through the twelve
steps, the current node is outlined in the graph (red forward, blue backward), and each tensor
shows its shape, statistics, a histogram and a small heat map, with the operator's numpy code
next to it. (Only the batch's gradients are computed; nothing is updated, and BatchNorm's moving
statistics are put back as they were.)
""", zh=r"""
## 单步追踪一批数据

`mx.viz.step_through` 让一批数据在训练好的模块中前向、反向各走一遍，并记下每个算子收到和产生的一切：
前向时是每个节点的输入和输出，反向时是到达每个输出的梯度以及传给每个输入的梯度。在 Jupyter 中它是一个浏览器——
用 *Prev*/*Next*、滑块和播放按钮逐一查看这十二步，当前节点在图中用方框标出（前向为红色，反向为蓝色），
每个张量都显示形状、统计量、直方图和一张小热力图，旁边还有这个算子的 numpy 代码。（这里只计算这一批的梯度，
不更新任何参数，BatchNorm 的滑动统计量也会恢复原状。）
""")

code(r"""
val_data.reset()
walk = mx.viz.step_through(mod, next(val_data))
walk
""")

md(en=r"""
Outside Jupyter — in a script, or on this page — each step prints as text, and `walk.html(i)`
renders one step as a page fragment. Step 6 is the first backward step: `SoftmaxOutput` ignores
the gradient from above and sends $p - \mathrm{onehot}(y)$ to `fc1` (lesson 2).
""", zh=r"""
在 Jupyter 之外——在脚本里，或者在本页面上——每一步都可以打印成文本，`walk.html(i)` 则把某一步渲染成一段网页。
第 6 步是反向传播的第一步：`SoftmaxOutput` 忽略上方传来的梯度，把 $p - \mathrm{onehot}(y)$ 传给 `fc1`（第 2 课）。
""")

code(r"""
print(walk[0])
print(walk[6])
""")

code(r"""
from IPython.display import HTML
HTML(walk.html(6))
""")

md(en=r"""
## What BatchNorm keeps

BatchNorm normalises each channel with the mean and variance **of the current batch** while
training. A prediction may be for a single image, so it cannot rely on a batch: BatchNorm also
keeps running averages of those statistics, `moving_mean` and `moving_var`, updated at every
training step (new = 0.9 · old + 0.1 · batch) and used when `is_train=False`. They are not
learned by gradients, so they are *auxiliary states* — the `aux:` entries of a checkpoint
(lesson 3).
""", zh=r"""
## BatchNorm 保存了什么

训练时，BatchNorm 用**当前这一批**的均值和方差对每个通道做归一化。而预测时可能只有一张图，不能依赖一批数据：
因此 BatchNorm 还维护着这些统计量的滑动平均 `moving_mean` 和 `moving_var`，每个训练步都会更新
（新值 = 0.9 · 旧值 + 0.1 · 本批统计量），并在 `is_train=False` 时使用。它们不是靠梯度学出来的，所以属于
*辅助状态*——也就是检查点里那些 `aux:` 条目（第 3 课）。
""")

code(r"""
arg_params, aux_params = mod.get_params()
print('parameters:', list(arg_params))
print('aux states:', {k: v.shape for k, v in aux_params.items()})
print('moving_mean of the first 4 channels:', aux_params['bn1_moving_mean'].asnumpy()[:4].round(3))

val_data.reset()
batch = next(val_data)
mod.forward(batch, is_train=True)
with_batch_stats = mod.get_outputs()[0].asnumpy()
mod.forward(batch, is_train=False)
with_moving_stats = mod.get_outputs()[0].asnumpy()
print('largest difference in a probability:', np.abs(with_batch_stats - with_moving_stats).max())
""")

md(en=r"""
## Inside the network

The 16 learned filters of `conv1`, each 3 × 3. Red weights add the pixel under them, blue ones
subtract it: many filters are small edge and stroke detectors.
""", zh=r"""
## 网络内部

下面是 `conv1` 学到的 16 个 3 × 3 卷积核。红色的权重把对应像素加进来，蓝色的则减去：
不少卷积核是小小的边缘和笔画检测器。
""")

code(r"""
weights = arg_params['conv1_weight'].asnumpy()[:, 0]
limit = np.abs(weights).max()
fig, axes = plt.subplots(2, 8, figsize=(8, 2.4))
for index, (ax, w) in enumerate(zip(axes.flat, weights)):
    ax.imshow(w, cmap='RdBu_r', vmin=-limit, vmax=limit)
    ax.set_title(f'#{index}', fontsize=9)
    ax.axis('off')
fig.suptitle('conv1 filters / conv1 的卷积核')
fig.tight_layout()
""")

md(en=r"""
To see what the filters do to an image, cut the network after `relu1` (lesson 1's
`get_internals`), give the cut network the trained parameters — `allow_extra=True` lets it ignore
those of `fc1`, which it no longer has — and run one validation digit through it.
""", zh=r"""
为了看看卷积核对图像做了什么，我们在 `relu1` 之后把网络剪断（第 1 课的 `get_internals`），
把训练好的参数交给剪断后的网络——`allow_extra=True` 让它忽略已经不存在的 `fc1` 的参数——
然后让一张验证集中的数字图片通过它。
""")

code(r"""
features = mx.mod.Module(sym.get_internals()['relu1_output'], label_names=None,
                         context=mx.cpu())
features.bind(data_shapes=[('data', (1, 1, 8, 8))], for_training=False)
features.set_params(arg_params, aux_params, allow_extra=True)

example = images[ntrain:ntrain + 1]
features.forward(mx.io.DataBatch([mx.nd.array(example)]), is_train=False)
maps = features.get_outputs()[0].asnumpy()[0]

fig, axes = plt.subplots(2, 9, figsize=(9, 3))
axes[0, 0].imshow(example[0, 0], cmap='gray_r')
axes[0, 0].set_title('input / 输入', fontsize=9)
axes[1, 0].set_visible(False)
for index, (ax, feature_map) in enumerate(zip(np.delete(axes.flat, [0, 9]), maps)):
    ax.imshow(feature_map, cmap='viridis')
    ax.set_title(f'#{index}', fontsize=9)
for ax in axes.flat:
    ax.axis('off')
fig.suptitle(f'Feature maps after relu1 for a {digits[ntrain]} / 数字 {digits[ntrain]} 经过 relu1 后的特征图')
fig.tight_layout()
""")

md(en=r"""
## Where it goes wrong

`predict` gives the probabilities for the validation images; the confusion matrix counts, for each
true digit (row), which digit was predicted (column). Everything off the diagonal is a mistake.
""", zh=r"""
## 错在哪里

`predict` 给出验证集图像的各类概率；混淆矩阵统计了每个真实数字（行）被预测成了哪个数字（列）。
对角线以外的都是错误。
""")

code(r"""
predicted = mod.predict(val_data).asnumpy().argmax(axis=1)
truth = digits[ntrain:]
print('validation accuracy:', (predicted == truth).mean())

confusion = np.zeros((10, 10), dtype=int)
np.add.at(confusion, (truth, predicted), 1)

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2), width_ratios=[1, 1.2])
left.imshow(confusion, cmap='Blues')
for (row, col), count in np.ndenumerate(confusion):
    if count:
        left.text(col, row, count, ha='center', va='center',
                  color='white' if count > confusion.max() / 2 else 'black', fontsize=8)
left.set(xticks=range(10), yticks=range(10), xlabel='predicted / 预测', ylabel='true / 真实',
         title='Confusion matrix / 混淆矩阵')

wrong = np.flatnonzero(predicted != truth)
right.axis('off')
right.set_title('Mistakes: true → predicted / 错例：真实 → 预测')
for slot, index in enumerate(wrong[:8]):
    inset = right.inset_axes([(slot % 4) * 0.25, 0.5 - (slot // 4) * 0.5, 0.22, 0.42])
    inset.imshow(images[ntrain + index, 0], cmap='gray_r')
    inset.set_title(f'{truth[index]} → {predicted[index]}', fontsize=9)
    inset.axis('off')
fig.tight_layout()
""")

md(en=r"""
## Summary and exercises

- `Convolution`, `BatchNorm`, `Activation`, `Pooling` and `FullyConnected` compose like the
  dense layers of lessons 1–4; `plot_network` and `print_summary` show the shapes they produce.
- The book's hand-written loop and `fit` are the same loop; `fit` adds logging, validation and
  callbacks.
- BatchNorm normalises with batch statistics while training and with its moving averages — the
  auxiliary states — when predicting.

Try: use the book's 128 filters; how do the parameter count and the accuracy change? Remove the
BatchNorm layer and train again with the defaults of listing 3-1. Add a second convolution block
before `fc1` (what spatial size is left after a second pooling?).

Next: [Lesson 6 · How an operator works](06_operators.ipynb).
""", zh=r"""
## 小结与练习

- `Convolution`、`BatchNorm`、`Activation`、`Pooling` 和 `FullyConnected` 可以像第 1–4 课中的全连接层一样组合；
  `plot_network` 和 `print_summary` 会显示它们产生的形状。
- 书中手写的循环和 `fit` 是同一个循环；`fit` 只是多了日志、验证和回调。
- BatchNorm 训练时用本批统计量归一化，预测时用它的滑动平均——也就是辅助状态。

动手试试：改用书中的 128 个卷积核，参数个数和准确率有什么变化？去掉 BatchNorm 层，再用代码清单 3-1
的默认设置训练一次。在 `fc1` 之前再加一个卷积块（第二次池化之后还剩多大的空间尺寸？）。

下一课：[第 6 课 · 算子是怎样工作的](06_operators.ipynb)。
""")
