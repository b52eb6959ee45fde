# Lesson 2 -- Module, intermediate level. md(en=..., zh=...) and code(...): see notebooks/build.py.

md(en=r"""
# Lesson 2 · Module, step by step: bind, initialise, forward, backward, update

*[阅读中文版](../zh/02_module_intermediate.ipynb)*

A `Module` wraps a symbol with everything training needs: memory for the arrays, parameter values,
an optimizer. Its *intermediate-level* methods do one step each, and training is a loop over them:

| method | what it does |
|---|---|
| `bind` | allocate the arrays for the given data and label shapes |
| `init_params` | give every parameter a starting value |
| `init_optimizer` | choose how parameters move (SGD by default) |
| `forward` | compute the outputs of one batch |
| `backward` | compute the gradient of every parameter |
| `update` | move the parameters a step against their gradients |
| `update_metric` | add the batch's predictions to a running score |

We follow MXNet's Module tutorial on the UCI letters and stop at every step to look inside —
including at the question students ask most: *where is the loss?*
""", zh=r"""
# 第 2 课 · 一步一步使用 Module：绑定、初始化、前向、反向、更新

*[English version](../en/02_module_intermediate.ipynb)*

`Module` 把一个符号和训练所需的一切包装在一起：存放数组的内存、参数的取值、优化器。它的*中层接口*
每个方法只做一步，训练就是把这些方法放进循环里：

| 方法 | 作用 |
|---|---|
| `bind` | 按给定的数据和标签形状分配数组 |
| `init_params` | 给每个参数一个初始值 |
| `init_optimizer` | 决定参数如何更新（默认是 SGD） |
| `forward` | 计算一批数据的输出 |
| `backward` | 计算每个参数的梯度 |
| `update` | 让参数沿梯度的反方向走一步 |
| `update_metric` | 把这一批的预测结果累加到评估指标中 |

我们沿着 MXNet 的 Module 教程，在 UCI 字母数据集上逐步操作，每一步都停下来看看里面发生了什么——
包括同学们问得最多的那个问题：*损失函数到底在哪里？*
""")

md(en=r"""
## The data

The tutorial downloads `letter-recognition.data` from the UCI repository; teachmod ships the same
file, and `mx.test_utils.get_letters()` returns it already split into 20 000 rows of 16 features
and the letter as a number 0–25. (`mx.test_utils.download` with the tutorial's URL also works, and
falls back to the bundled copy when there is no network.) The first 80 % trains, the rest
validates; the iterators hand out batches of 32.
""", zh=r"""
## 数据

教程从 UCI 网站下载 `letter-recognition.data`；teachmod 自带了同一个文件，
`mx.test_utils.get_letters()` 直接返回拆好的两部分：20 000 行、每行 16 个特征，以及用 0–25
表示的字母。（用教程里的网址调用 `mx.test_utils.download` 也可以，没有网络时会退回到自带的副本。）
前 80% 用于训练，其余用于验证；迭代器每次给出 32 个样本。
""")

code(r"""
import logging
import numpy as np
import teachmod as mx

np.random.seed(42)      # the iterator's shuffling
mx.random.seed(42)      # teachmod's initializers

data, label = mx.test_utils.get_letters()
print(data.shape, label.shape, data[0], chr(ord('A') + label[0]))

batch_size = 32
ntrain = int(data.shape[0] * 0.8)
train_iter = mx.io.NDArrayIter(data[:ntrain, :], label[:ntrain], batch_size, shuffle=True)
val_iter = mx.io.NDArrayIter(data[ntrain:, :], label[ntrain:], batch_size)
print(train_iter.provide_data)
print(train_iter.provide_label)
""")

md(en=r"""
`provide_data` and `provide_label` describe each input by name and batch shape. The names matter:
the data is fed to the network's argument `data`, the labels to `softmax_label`. One batch is a
`DataBatch` holding a list of data arrays and a list of label arrays:
""", zh=r"""
`provide_data` 和 `provide_label` 用名字和批形状描述每个输入。名字很重要：数据会送进网络中名为
`data` 的参数，标签送进 `softmax_label`。一批数据是一个 `DataBatch`，里面有一个数据数组的列表和一个标签数组的列表：
""")

code(r"""
batch = next(iter(train_iter))
print(batch)
print('labels of the first 8 rows:', batch.label[0].asnumpy()[:8])
""")

md(en=r"""
## The network and the module

The MLP of lesson 1, and a module for it. A fresh module is in its first state: nothing allocated,
no parameters, no optimizer. teachmod checks the order of the steps and says what is missing.
""", zh=r"""
## 网络与模块

还是第 1 课的 MLP，再为它建一个模块。刚创建的模块处在最初的状态：没有分配内存，没有参数，也没有优化器。
teachmod 会检查调用的先后顺序，并告诉你缺了哪一步。
""")

code(r"""
net = mx.sym.Variable('data')
net = mx.sym.FullyConnected(net, name='fc1', num_hidden=64)
net = mx.sym.Activation(net, name='relu1', act_type="relu")
net = mx.sym.FullyConnected(net, name='fc2', num_hidden=26)
net = mx.sym.SoftmaxOutput(net, name='softmax')

mod = mx.mod.Module(symbol=net,
                    context=mx.cpu(),
                    data_names=['data'],
                    label_names=['softmax_label'])
print('binded:', mod.binded, ' params_initialized:', mod.params_initialized,
      ' optimizer_initialized:', mod.optimizer_initialized)
try:
    mod.forward(batch)
except mx.MXNetError as error:
    print('MXNetError:', error)
""", tags=["nbval-check-output"])

md(en=r"""
## `bind`: memory for one batch

`bind` runs the shape inference of lesson 1 with the iterator's shapes and allocates every array:
inputs, parameters, their gradients and the outputs. (In MXNet on a GPU this is when the memory is
taken; teachmod allocates numpy arrays.)
""", zh=r"""
## `bind`：为一批数据分配内存

`bind` 用迭代器给出的形状执行第 1 课讲过的形状推断，并分配所有数组：输入、参数、参数的梯度以及输出。
（在 GPU 上运行 MXNet 时，显存正是在这一步被占用的；teachmod 分配的是 numpy 数组。）
""")

code(r"""
mod.bind(data_shapes=train_iter.provide_data, label_shapes=train_iter.provide_label)
print(mod.data_shapes)
print(mod.label_shapes)
print(mod.output_shapes)
""")

md(en=r"""
## `init_params`: starting values

`Uniform(0.1)` draws every weight from [−0.1, 0.1]. Biases start at zero whatever the
initializer: MXNet's initializers decide by the end of the name (`_weight`, `_bias`, `_gamma`,
...). `get_params()` returns copies of the values as two dictionaries, the arguments and the
auxiliary states (this network has none; BatchNorm in lesson 5 does).
""", zh=r"""
## `init_params`：初始值

`Uniform(0.1)` 从 [−0.1, 0.1] 中均匀抽取每个权重。无论用哪种初始化器，偏置都从 0 开始：
MXNet 的初始化器根据名字的结尾（`_weight`、`_bias`、`_gamma`……）来决定怎么初始化。
`get_params()` 以两个字典的形式返回参数值的副本：普通参数（arg）和辅助状态（aux）。
这个网络没有辅助状态，第 5 课的 BatchNorm 才有。
""")

code(r"""
mod.init_params(initializer=mx.init.Uniform(scale=.1))
arg_params, aux_params = mod.get_params()
for name, value in arg_params.items():
    v = value.asnumpy()
    print(f'{name:11s} {str(v.shape):9s} min {v.min():+.3f}  max {v.max():+.3f}')
print('aux_params:', aux_params)
""")

md(en=r"""
## `init_optimizer`: how to step

Plain SGD with learning rate 0.1. Note `rescale_grad`: `Module` sets it to 1 / batch size, so
the optimizer works with the *average* gradient over the batch. We will need this in a moment.
""", zh=r"""
## `init_optimizer`：怎样迈步

学习率为 0.1 的普通 SGD。留意 `rescale_grad`：`Module` 把它设为 1 / 批大小，所以优化器用的是一批样本的
*平均*梯度。稍后就会用到这一点。
""")

code(r"""
mod.init_optimizer(optimizer='sgd', optimizer_params=(('learning_rate', 0.1), ))
print(mod._optimizer, 'rescale_grad =', mod._optimizer.rescale_grad, '= 1 /', batch_size)
""")

md(en=r"""
## `forward`: probabilities

The output of `SoftmaxOutput` is a probability for each of the 26 letters, in each row. Before
training they are all close to 1/26 ≈ 0.038.
""", zh=r"""
## `forward`：得到概率

`SoftmaxOutput` 的输出是每一行对 26 个字母各自的概率。训练之前，这些概率都接近 1/26 ≈ 0.038。
""")

code(r"""
mod.forward(batch, is_train=True)
prob = mod.get_outputs()[0].asnumpy()
print(prob.shape, 'row sums:', prob.sum(axis=1)[:4].round(4))
print('first row:', prob[0].round(3))
""")

md(en=r"""
## Where is the loss? `SoftmaxOutput`'s backward

Nothing in the network computes a loss value — and still the network learns. The loss lives in the
**backward pass of `SoftmaxOutput`**. For probabilities $p = \mathrm{softmax}(z)$ of the scores
$z$ (the output of `fc2`) and the true class $y$, the cross-entropy loss of one row is

$$L = -\log p_y, \qquad \frac{\partial L}{\partial z_k} = p_k - [k = y].$$

`SoftmaxOutput.backward` returns exactly $p - \mathrm{onehot}(y)$ for every row, ignoring any
gradient coming from above: it *is* the gradient of the cross-entropy loss, without ever computing
$L$. Let us check it on the batch. The executor that `Module` bound (MXNet has the same attribute,
`mod._exec_group.execs`) normally lets go of every tensor its backward pass will not read, as soon
as it is done with it — that is how frameworks keep memory down. Asked to keep them, it holds every
tensor of the pass and the gradient that reached each one.
""", zh=r"""
## 损失在哪里？在 `SoftmaxOutput` 的反向传播里

网络中没有任何一步计算损失值——可它照样能学会。损失藏在 **`SoftmaxOutput` 的反向传播** 里。
设打分 $z$（`fc2` 的输出）经 softmax 得到概率 $p = \mathrm{softmax}(z)$，真实类别为 $y$，
则一行样本的交叉熵损失及其梯度为

$$L = -\log p_y, \qquad \frac{\partial L}{\partial z_k} = p_k - [k = y].$$

`SoftmaxOutput.backward` 对每一行返回的正是 $p - \mathrm{onehot}(y)$，并且忽略从上方传来的梯度：
它*就是*交叉熵损失的梯度，只是从不把 $L$ 本身算出来。我们在这一批数据上验证一下。
`Module` 绑定的执行器（MXNet 中同名的属性是 `mod._exec_group.execs`）平时一用完就释放反向传播
不再读取的张量——框架正是这样节省内存的。让它保留时，它会留下这一遍计算中的每个张量，以及到达每个张量的梯度。
""")

code(r"""
executor = mod._exec_group.execs[0]
executor.keep_intermediates = True   # keep every tensor of the next pass, to look at them
mod.forward(batch, is_train=True)
mod.backward()
grad_scores = executor.gradients_by_name()['fc2_output'].asnumpy()

y = batch.label[0].asnumpy().astype(int)
onehot = np.eye(26)[y]
print('max |gradient - (p - onehot)| =', np.abs(grad_scores - (prob - onehot)).max())
print('cross-entropy of this batch:', -np.log(prob[np.arange(batch_size), y]).mean())
""")

md(en=r"""
So *the loss is defined by the gradient that the output layer sends back*. That is MXNet's design
for all its output layers: `LinearRegressionOutput` sends back $z - y$ (squared error),
`LogisticRegressionOutput` $\sigma(z) - y$. To watch the loss value during training, ask a metric
for it: `mx.metric.create('ce')` computes the mean $-\log p_y$ from the outputs.

The gradient is summed over the 32 rows, not averaged — that is why `rescale_grad` is 1/32:
""", zh=r"""
所以，*损失是由输出层送回的梯度定义的*。这是 MXNet 对所有输出层的统一设计：`LinearRegressionOutput`
送回 $z - y$（平方误差），`LogisticRegressionOutput` 送回 $\sigma(z) - y$。
如果想在训练时看到损失值，就向评估指标要：`mx.metric.create('ce')` 会根据输出计算平均的 $-\log p_y$。

梯度是对 32 行求和而不是求平均——这正是 `rescale_grad` 取 1/32 的原因：
""")

code(r"""
grad_bias = executor.grad_dict['fc2_bias'].asnumpy()
print('fc2_bias gradient == sum over rows of (p - onehot):',
      np.allclose(grad_bias, (prob - onehot).sum(axis=0), atol=1e-6))
""")

md(en=r"""
## `update`: one SGD step

`update` applies $w \leftarrow w - \eta \cdot \text{rescale\_grad} \cdot \nabla w$ to every
parameter. We predict the new `fc2_bias` by hand and compare.
""", zh=r"""
## `update`：走一步 SGD

`update` 对每个参数执行 $w \leftarrow w - \eta \cdot \text{rescale\_grad} \cdot \nabla w$。
我们先手算出新的 `fc2_bias`，再和实际结果比较。
""")

code(r"""
before = mod.get_params()[0]['fc2_bias'].asnumpy()
mod.update()
after = mod.get_params()[0]['fc2_bias'].asnumpy()
print('as predicted:', np.allclose(after, before - 0.1 * grad_bias / batch_size, atol=1e-7))
""")

md(en=r"""
## `update_metric`: keeping score

A metric accumulates over batches until `reset()`. `update_metric` hands it the labels and the
outputs of the last `forward`.
""", zh=r"""
## `update_metric`：记分

评估指标会跨批次累加，直到调用 `reset()`。`update_metric` 把标签和最近一次 `forward` 的输出交给它。
""")

code(r"""
metric = mx.metric.create('acc')
mod.update_metric(metric, batch.label)
print(metric.get(), ' = correct rows / 32:', (prob.argmax(axis=1) == y).sum(), '/ 32')
""")

md(en=r"""
## The training loop

Now the tutorial's loop: five passes over the training data. We add the cross-entropy to the
metric so that the loss becomes visible, and keep the values per epoch for a plot.
""", zh=r"""
## 训练循环

现在运行教程中的循环：把训练数据完整过五遍。我们在指标里加上交叉熵，让损失值可见，并记录每一轮的结果以便作图。
""")

code(r"""
metric = mx.metric.create(['acc', 'ce'])
history = []
for epoch in range(5):
    train_iter.reset()
    metric.reset()
    for batch in train_iter:
        mod.forward(batch, is_train=True)       # compute predictions
        mod.update_metric(metric, batch.label)  # accumulate accuracy and cross-entropy
        mod.backward()                          # compute gradients
        mod.update()                            # update parameters
    print('Epoch %d, Training %s' % (epoch, metric.get()))
    history.append(dict(metric.get_name_value()))
""")

md(en=r"""
A figure of the two curves. The first cell of every lesson that draws sets a font list with a
Chinese font, so that the Chinese words in the labels render: `mx.viz.chinese_fonts()` names the
system's CJK fonts, if any, and then the one that comes with teachmod.
""", zh=r"""
把两条曲线画出来。每节需要作图的课都会先设置一个含中文字体的字体列表，这样标签中的中文才能正常显示：
`mx.viz.chinese_fonts()` 先列出系统里已有的中文字体，再列出 teachmod 自带的那一个。
""")

code(r"""
import matplotlib.pyplot as plt

plt.rcParams['font.sans-serif'] = mx.viz.chinese_fonts()
plt.rcParams['axes.unicode_minus'] = False

epochs = range(1, len(history) + 1)
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2))
left.plot(epochs, [h['accuracy'] for h in history], 'o-')
left.set(title='Training accuracy / 训练准确率', xlabel='epoch / 轮次', xticks=list(epochs))
right.plot(epochs, [h['cross-entropy'] for h in history], 'o-', color='tab:red')
right.set(title='Cross-entropy loss / 交叉熵损失', xlabel='epoch / 轮次', xticks=list(epochs))
fig.tight_layout()
""")

md(en=r"""
## Summary and exercises

- `bind` → `init_params` → `init_optimizer` prepare the module; `forward` → `backward` →
  `update` train it one batch at a time; `update_metric` keeps score.
- The loss is defined by `SoftmaxOutput`'s backward, $p - \mathrm{onehot}(y)$: the gradient of
  the cross-entropy. Metrics such as `'ce'` report its value.
- Gradients are summed over the batch; `Module` sets `rescale_grad = 1/batch_size`.

Try: train with `learning_rate` 0.5 and 0.01 and compare the curves. Replace `SoftmaxOutput` by
`mx.sym.LinearRegressionOutput` on one-hot labels — what changes in the backward? Read
`teachmod/ops/softmax_output.py`: which lines compute $p - \mathrm{onehot}(y)$?

Next: [Lesson 3 · `fit`, `predict`, `score` and checkpoints](03_module_fit.ipynb).
""", zh=r"""
## 小结与练习

- `bind` → `init_params` → `init_optimizer` 做好准备；`forward` → `backward` → `update`
  每次用一批数据训练；`update_metric` 负责记分。
- 损失由 `SoftmaxOutput` 的反向传播定义，即 $p - \mathrm{onehot}(y)$——交叉熵的梯度。
  `'ce'` 这样的指标负责报告它的数值。
- 梯度在一批内求和；`Module` 把 `rescale_grad` 设为 `1/batch_size`。

动手试试：把 `learning_rate` 改成 0.5 和 0.01，比较曲线。把 `SoftmaxOutput` 换成作用在 one-hot
标签上的 `mx.sym.LinearRegressionOutput`，反向传播有什么变化？读一读 `teachmod/ops/softmax_output.py`：
哪几行在计算 $p - \mathrm{onehot}(y)$？

下一课：[第 3 课 · `fit`、`predict`、`score` 与检查点](03_module_fit.ipynb)。
""")
