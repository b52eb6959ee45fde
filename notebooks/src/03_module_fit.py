# Lesson 3 -- Module, high level. md(en=..., zh=...) and code(...): see notebooks/build.py.

md(en=r"""
# Lesson 3 · `fit`, `predict`, `score` and checkpoints

*[阅读中文版](../zh/03_module_fit.ipynb)*

Lesson 2 wrote the training loop by hand. `Module` also has a *high-level* interface that runs
the same steps for you:

- `fit` trains for a number of epochs and reports training and validation scores,
- `predict` collects the network's outputs over a data set,
- `score` evaluates metrics over a data set,
- checkpoints save the network and its parameters after each epoch, and training can resume
  from one.

On the way we answer the second question from the class notes: *how does a checkpoint know which
arrays are parameters?*
""", zh=r"""
# 第 3 课 · `fit`、`predict`、`score` 与检查点

*[English version](../en/03_module_fit.ipynb)*

第 2 课我们亲手写了训练循环。`Module` 还提供了*高层接口*，替你完成同样的步骤：

- `fit` 按指定的轮数训练，并报告训练集和验证集上的得分；
- `predict` 收集网络在整个数据集上的输出；
- `score` 在数据集上计算评估指标；
- 检查点（checkpoint）在每一轮结束后保存网络和参数，训练也可以从检查点接着进行。

途中我们会回答课堂笔记中的第二个问题：*检查点怎么知道哪些数组是参数？*
""")

md(en=r"""
## Setting up

The data and network of lesson 2. `fit` reports through Python's `logging` at level `INFO`, as
MXNet does. MXNet's tutorial enables it with `logging.getLogger().setLevel(logging.INFO)`;
`logging.basicConfig(level=logging.INFO, stream=sys.stdout)` does the same and prints the lines as
ordinary output rather than on the error stream, in order with our own `print`s.
""", zh=r"""
## 准备工作

数据和网络与第 2 课相同。和 MXNet 一样，`fit` 通过 Python 的 `logging` 以 `INFO` 级别输出进度。
MXNet 的教程用 `logging.getLogger().setLevel(logging.INFO)` 打开它；
`logging.basicConfig(level=logging.INFO, stream=sys.stdout)` 效果相同，只是把日志作为普通输出而不是错误流打印出来，
并且和我们自己 `print` 的内容按先后顺序排列。
""")

code(r"""
import logging
import sys
logging.basicConfig(level=logging.INFO, stream=sys.stdout)
import numpy as np
import teachmod as mx

np.random.seed(7)
mx.random.seed(7)

data, label = mx.test_utils.get_letters()
batch_size = 32
ntrain = int(data.shape[0] * 0.8)
train_iter = mx.io.NDArrayIter(data[:ntrain, :], label[:ntrain], batch_size, shuffle=True)
val_iter = mx.io.NDArrayIter(data[ntrain:, :], label[ntrain:], batch_size)

net = mx.sym.Variable('data')
net = mx.sym.FullyConnected(net, name='fc1', num_hidden=64)
net = mx.sym.Activation(net, name='relu1', act_type="relu")
net = mx.sym.FullyConnected(net, name='fc2', num_hidden=26)
net = mx.sym.SoftmaxOutput(net, name='softmax')
""")

md(en=r"""
## `fit`

One call replaces the whole of lesson 2: `fit` binds, initialises the parameters and the optimizer,
then for every epoch runs each batch forward, backward and through `update`, logs the training
metric and the time, and scores `eval_data`. Its defaults are `eval_metric='acc'`,
`optimizer='sgd'` with learning rate 0.01 and `initializer=Uniform(0.01)`; we pass a larger
learning rate, as the tutorial does, and ask for the cross-entropy loss as well as the accuracy.

`mx.callback.LiveMetrics` draws the curves while `fit` runs. It is a callback (lesson 4 shows how
callbacks work) that we make for our module and give to `fit` twice: `live` after every batch for
the training curves, and `live.eval_end` after every validation for the validation points. In
Jupyter it shows curves that the browser redraws a few times a second and a **Stop** button that
ends training cleanly after the current batch; when the cell ends the curves stay as an ordinary
image.
""", zh=r"""
## `fit`

一次调用就取代了第 2 课的全部内容：`fit` 先绑定、初始化参数和优化器，然后在每一轮里让每批数据依次经过
前向、反向和 `update`，记录训练指标和耗时，再在 `eval_data` 上评估。它的默认值是
`eval_metric='acc'`、学习率为 0.01 的 `optimizer='sgd'`，以及 `initializer=Uniform(0.01)`；
我们和教程一样传入更大的学习率，并且除了准确率之外，还要求给出交叉熵损失。

`mx.callback.LiveMetrics` 会在 `fit` 运行时实时绘制曲线。它是一个回调（第 4 课会讲回调的原理），
我们为自己的模块创建它，并交给 `fit` 两次：`live` 在每批结束后调用，用来画训练曲线；`live.eval_end`
在每次验证后调用，用来画验证点。在 Jupyter 中，浏览器每秒重画几次曲线，旁边还有一个**停止**按钮，
点击后会在当前批次结束时干净利落地停止训练；单元格运行结束后，曲线作为普通图片保留下来。
""")

code(r"""
mod = mx.mod.Module(symbol=net,
                    context=mx.cpu(),
                    data_names=['data'],
                    label_names=['softmax_label'])
live = mx.callback.LiveMetrics(mod)
mod.fit(train_iter,
        eval_data=val_iter,
        optimizer='sgd',
        optimizer_params={'learning_rate': 0.1},
        eval_metric=['acc', 'ce'],
        num_epoch=8,
        batch_end_callback=live,
        eval_end_callback=live.eval_end)
""")

md(en=r"""
Each epoch logs the training metrics accumulated while the parameters were still changing, the
time, and the validation metrics measured with the parameters at the end of the epoch. The lines
follow the metric over the batches of the epoch so far (noisy at an epoch's start, when it has seen
few batches), so each ends at the epoch's training value, the circle; squares are the validation
values. Everything is also kept as plain lists in `live.history`:
""", zh=r"""
每一轮的日志包括：训练指标（在参数不断变化的过程中累计得到）、耗时，以及用这一轮结束时的参数测得的验证指标。
图中的线是本轮到目前为止各批次的累计指标（每轮开头只看过很少几批，所以波动较大），因此每条线都终止于
这一轮的训练值，即圆点；方块是验证值。
所有数据也都以普通列表的形式保存在 `live.history` 中：
""")

code(r"""
epochs = live.history['epoch']
for i in range(len(epochs['epoch'])):
    print(f"epoch {epochs['epoch'][i]}  train acc {epochs['train-accuracy'][i]:.3f}"
          f"  val acc {epochs['val-accuracy'][i]:.3f}  val loss {epochs['val-cross-entropy'][i]:.3f}")
""")

md(en=r"""
## `predict`

`predict` runs the network over an iterator and concatenates the outputs: 4000 validation rows,
26 probabilities each. The most probable letter is the prediction.
""", zh=r"""
## `predict`

`predict` 让网络在迭代器上跑一遍，并把各批输出拼接起来：4000 行验证数据，每行 26 个概率。
概率最大的字母就是预测结果。
""")

code(r"""
y = mod.predict(val_iter)
assert y.shape == (4000, 26)

predicted = y.asnumpy().argmax(axis=1)
truth = label[ntrain:]
letters = lambda codes: ''.join(chr(ord('A') + int(c)) for c in codes)
print('predicted:', letters(predicted[:30]))
print('truth:    ', letters(truth[:30]))
""")

md(en=r"""
## `score`

`score` does the same pass but feeds the outputs to metrics instead of keeping them. It accepts a
metric name, a list of names or metric objects: here accuracy, top-3 accuracy (is the true letter
among the three most probable?) and the cross-entropy loss.
""", zh=r"""
## `score`

`score` 同样把数据过一遍，但不保留输出，而是交给评估指标。它接受指标名、指标名列表或指标对象：
这里用到准确率、top-3 准确率（真实字母是否在概率最高的三个之中？）以及交叉熵损失。
""")

code(r"""
score = mod.score(val_iter, ['acc'])
print("Accuracy score is %f" % (score[0][1]))
assert score[0][1] > 0.77, "Achieved accuracy (%f) is less than expected (0.77)" % score[0][1]

for name, value in mod.score(val_iter, ['acc', mx.metric.TopKAccuracy(top_k=3), 'ce']):
    print(f'{name:18s} {value:.4f}')
""")

md(en=r"""
Accuracy over all letters hides differences between them. Per letter, from the predictions above:
""", zh=r"""
总体准确率掩盖了字母之间的差别。下面用上面的预测结果按字母分别统计：
""")

code(r"""
import matplotlib.pyplot as plt

plt.rcParams['font.sans-serif'] = mx.viz.chinese_fonts()
plt.rcParams['axes.unicode_minus'] = False

per_letter = [(predicted[truth == k] == k).mean() for k in range(26)]
fig, ax = plt.subplots(figsize=(9, 3))
ax.bar(list(letters(range(26))), per_letter, color='tab:blue')
ax.axhline(score[0][1], color='tab:red', linestyle='--', label='overall / 总体')
ax.set(title='Validation accuracy per letter / 各字母的验证准确率', ylim=(0, 1))
ax.legend(loc='lower right')
fig.tight_layout()
""")

md(en=r"""
## Checkpoints

`mx.callback.do_checkpoint(prefix)` is an *epoch-end callback*: `fit` calls it after every epoch
with the epoch number, the symbol and the parameters, and it writes two kinds of file —
`prefix-symbol.json` (the network, lesson 1's JSON) and `prefix-NNNN.params` after epoch *NNNN*.
""", zh=r"""
## 检查点

`mx.callback.do_checkpoint(prefix)` 是一个*轮末回调（epoch-end callback）*：每一轮结束时，`fit`
用轮次编号、符号和参数调用它，它写出两种文件——`prefix-symbol.json`（网络本身，也就是第 1 课的 JSON）
和第 *NNNN* 轮之后的 `prefix-NNNN.params`。
""")

code(r"""
model_prefix = 'mx_mlp'
checkpoint = mx.callback.do_checkpoint(model_prefix)

mod = mx.mod.Module(symbol=net)
mod.fit(train_iter, num_epoch=5, epoch_end_callback=checkpoint)
""")

code(r"""
import glob
print(sorted(glob.glob(model_prefix + '-*')))
""", tags=["nbval-check-output"])

md(en=r"""
## How does a checkpoint know which arrays are parameters?

Open a `.params` file with `mx.nd.load`: it is a dictionary of arrays whose keys start with
`arg:` or `aux:`.
""", zh=r"""
## 检查点怎么知道哪些数组是参数？

用 `mx.nd.load` 打开一个 `.params` 文件：它是一个数组字典，键名都以 `arg:` 或 `aux:` 开头。
""")

code(r"""
saved = mx.nd.load('mx_mlp-0003.params')
for key, value in saved.items():
    print(f'{key:15s} {value.shape}')
""", tags=["nbval-check-output"])

md(en=r"""
The answer is in the names, and it is decided by the **module**, not by the file:

1. The symbol lists its arguments (`list_arguments()`) and its auxiliary states
   (`list_auxiliary_states()`).
2. The module was told which arguments are inputs: `data_names=['data']`,
   `label_names=['softmax_label']`. **Every other argument is a parameter** — it gets initialised,
   updated, and returned by `get_params()`.
3. Auxiliary states are arrays the network updates itself, without gradients, such as BatchNorm's
   running mean and variance. They are returned separately.
4. `save_checkpoint` writes the parameters as `arg:NAME` and the auxiliary states as `aux:NAME`;
   `load_checkpoint` splits them back by that prefix. Inputs are never saved.
""", zh=r"""
答案就在名字里，而且是由**模块**决定的，而不是文件：

1. 符号能列出它的参数（`list_arguments()`）和辅助状态（`list_auxiliary_states()`）。
2. 模块被告知了哪些参数是输入：`data_names=['data']`、`label_names=['softmax_label']`。
   **其余的参数都是模型参数**——它们会被初始化、被更新，并由 `get_params()` 返回。
3. 辅助状态是网络自己更新、不需要梯度的数组，例如 BatchNorm 的滑动均值和方差，它们单独返回。
4. `save_checkpoint` 把模型参数写成 `arg:名字`，把辅助状态写成 `aux:名字`；`load_checkpoint`
   再按这个前缀把它们分开。输入数据从来不会被保存。
""")

code(r"""
inputs = set(mod.data_names) | set(mod.label_names)
print('inputs:    ', sorted(inputs))
print('parameters:', [name for name in net.list_arguments() if name not in inputs])
print('aux states:', net.list_auxiliary_states())
""", tags=["nbval-check-output"])

md(en=r"""
This MLP has no auxiliary states. A network with BatchNorm (lesson 5) shows both kinds:
""", zh=r"""
这个 MLP 没有辅助状态。换一个带 BatchNorm 的网络（第 5 课会用到），两种数组就都出现了：
""")

code(r"""
x = mx.sym.Variable('data')
bn_net = mx.sym.FullyConnected(x, num_hidden=8, name='fc')
bn_net = mx.sym.BatchNorm(bn_net, name='bn')
bn_net = mx.sym.SoftmaxOutput(bn_net, name='softmax')

bn_mod = mx.mod.Module(bn_net)
bn_mod.bind(data_shapes=[('data', (4, 16))], label_shapes=[('softmax_label', (4,))])
bn_mod.init_params()
bn_mod.save_checkpoint('bn_demo', 1)
print(list(mx.nd.load('bn_demo-0001.params')))
""", tags=["nbval-check-output"])

md(en=r"""
## Loading a checkpoint

`load_checkpoint(prefix, epoch)` returns the symbol and the two dictionaries. `set_params` puts
them into a module; the scores are those of the network after three epochs.
""", zh=r"""
## 加载检查点

`load_checkpoint(prefix, epoch)` 返回符号和两个字典。`set_params` 把它们装进模块；
这时得到的分数就是网络训练三轮之后的水平。
""")

code(r"""
sym, arg_params, aux_params = mx.model.load_checkpoint(model_prefix, 3)
assert sym.tojson() == net.tojson()

# assign the loaded parameters to the module
mod.set_params(arg_params, aux_params)
print(mod.score(val_iter, ['acc']))
""")

md(en=r"""
## Resuming training

To continue training from the checkpoint, pass the parameters to `fit` instead of calling
`set_params`, and set `begin_epoch`. The file numbers count *finished* epochs:
`mx_mlp-0003.params` was saved after epochs 0, 1 and 2, so training resumes with epoch 3, and the
log continues the numbering.
""", zh=r"""
## 接着训练

要从检查点继续训练，不必调用 `set_params`，而是把参数直接传给 `fit`，并设置 `begin_epoch`。
文件编号数的是*已经完成*的轮数：`mx_mlp-0003.params` 是在第 0、1、2 轮之后保存的，
所以训练从第 3 轮继续，日志中的编号也接着往下数。
""")

code(r"""
mod = mx.mod.Module(symbol=sym)
mod.fit(train_iter,
        num_epoch=8,
        arg_params=arg_params,
        aux_params=aux_params,
        begin_epoch=3)
""")

md(en=r"""
Plain SGD has no memory, so parameters are all it needs to resume. Optimizers with state —
SGD with momentum, Adam — also need that state, or the first steps after resuming differ.
`save_checkpoint(..., save_optimizer_states=True)` writes it to `prefix-NNNN.states`
(`mx.callback.module_checkpoint` does so after every epoch), and
`Module.load(prefix, epoch, load_optimizer_states=True)` brings it back. `fit` then finds the
parameters already initialised and keeps them, saying so in a warning that the cell below silences,
since keeping them is the point.
""", zh=r"""
普通 SGD 没有“记忆”，所以恢复训练只需要参数。带状态的优化器——带动量的 SGD、Adam——还需要它们的状态，
否则恢复后的头几步会走得不一样。`save_checkpoint(..., save_optimizer_states=True)` 会把状态写入
`prefix-NNNN.states`（`mx.callback.module_checkpoint` 每一轮都这样做），
`Module.load(prefix, epoch, load_optimizer_states=True)` 再把它读回来。随后 `fit`
发现参数已经初始化，便保留它们，并为此发出一条警告；保留参数正是我们的目的，所以下面的代码把这条警告关掉了。
""")

code(r"""
momentum_mod = mx.mod.Module(symbol=net)
momentum_mod.fit(train_iter, num_epoch=2, optimizer_params={'learning_rate': 0.01, 'momentum': 0.9},
                 epoch_end_callback=mx.callback.module_checkpoint(momentum_mod, 'mx_momentum',
                                                                  save_optimizer_states=True))
print(sorted(glob.glob('mx_momentum-*')))

import warnings

resumed = mx.mod.Module.load('mx_momentum', 2, load_optimizer_states=True)
with warnings.catch_warnings():
    warnings.simplefilter('ignore')  # "Parameters already initialized": yes, loaded on purpose
    resumed.fit(train_iter, begin_epoch=2, num_epoch=4,
                optimizer_params={'learning_rate': 0.01, 'momentum': 0.9})
""")

md(en=r"""
## Summary and exercises

- `fit` = lesson 2's loop plus logging, validation and callbacks; `predict` returns outputs,
  `score` returns metrics.
- A checkpoint is `prefix-symbol.json` plus `prefix-NNNN.params`; the parameters are the
  symbol's arguments that are not data or labels, saved as `arg:NAME`, and the auxiliary
  states are saved as `aux:NAME`.
- Resume with `fit(arg_params=..., aux_params=..., begin_epoch=N)` after loading epoch `N`;
  keep the optimizer state for optimizers that have one.

Try: use `eval_metric=['acc', 'ce']` in `fit`. Load `mx_mlp-0001.params` and `mx_mlp-0005.params`
and compare their validation scores. Which two letters are confused most often? (Count pairs of
`truth` and `predicted`.)

Next: [Lesson 4 · Inside `fit`](04_inside_fit.ipynb).
""", zh=r"""
## 小结与练习

- `fit` = 第 2 课的循环 + 日志、验证和回调；`predict` 返回输出，`score` 返回指标。
- 检查点由 `prefix-symbol.json` 和 `prefix-NNNN.params` 组成；模型参数就是符号中除数据和标签之外的参数，
  保存为 `arg:名字`，辅助状态保存为 `aux:名字`。
- 加载第 `N` 轮的检查点后，用 `fit(arg_params=..., aux_params=..., begin_epoch=N)` 继续训练；
  对于有状态的优化器，还要一并保存和恢复它的状态。

动手试试：在 `fit` 中使用 `eval_metric=['acc', 'ce']`。分别加载 `mx_mlp-0001.params` 和
`mx_mlp-0005.params`，比较它们的验证得分。哪两个字母最容易混淆？（统计 `truth` 与 `predicted` 的组合。）

下一课：[第 4 课 · 深入 `fit` 内部](04_inside_fit.ipynb)。
""")
