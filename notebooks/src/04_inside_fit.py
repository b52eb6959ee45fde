# Lesson 4 -- Inside fit. md(en=..., zh=...) and code(...): see notebooks/build.py.

md(en=r"""
# Lesson 4 · Inside `fit`: the training loop of `base_module.py`, rebuilt

*[阅读中文版](../zh/04_inside_fit.ipynb)*

`fit` is not magic. In MXNet it lives in `python/mxnet/module/base_module.py`, in a class that
implements none of the computation itself: `BaseModule.fit` only calls the intermediate methods of
lesson 2, which `Module` implements. teachmod keeps the same split in
`teachmod/module/base_module.py`. In this lesson we

- follow a module through its **states**,
- rewrite `fit` ourselves, line by line, and check that it trains *exactly* like the real one,
- meet `BatchEndParam`, the record every batch callback receives,
- write our own callbacks: a learning curve, a best-model keeper, early stopping.
""", zh=r"""
# 第 4 课 · 深入 `fit`：亲手重写 `base_module.py` 的训练循环

*[English version](../en/04_inside_fit.ipynb)*

`fit` 并不神秘。在 MXNet 中它位于 `python/mxnet/module/base_module.py`，所在的类自己不做任何计算：
`BaseModule.fit` 只调用第 2 课介绍的那些中层方法，而这些方法由 `Module` 实现。teachmod 在
`teachmod/module/base_module.py` 中保持了同样的分工。本课我们将：

- 跟踪一个模块经历的各个**状态**；
- 自己逐行重写 `fit`，并验证它和真正的 `fit` 训练结果*完全*一致；
- 认识 `BatchEndParam`——每个批次回调收到的那条记录；
- 编写自己的回调：学习曲线、保留最佳模型、提前停止。
""")

md(en=r"""
## Module states

A module moves through four states, and each method checks the state it needs. The docstring of
`base_module.py` draws the path:
""", zh=r"""
## 模块的状态

模块会依次经历四个状态，每个方法都会检查自己需要的状态。`base_module.py` 的文档字符串画出了这条路径：
""")

code(r"""
import logging
import sys
import time
import numpy as np
import teachmod as mx

logging.basicConfig(level=logging.INFO, stream=sys.stdout)  # fit's log lines, as in lesson 3
print(mx.mod.base_module.__doc__)
""")

code(r"""
data, label = mx.test_utils.get_letters()
ntrain = 16000

net = mx.sym.Variable('data')
net = mx.sym.FullyConnected(net, name='fc1', num_hidden=64)
net = mx.sym.Activation(net, name='relu1', act_type="relu")
net = mx.sym.FullyConnected(net, name='fc2', num_hidden=26)
net = mx.sym.SoftmaxOutput(net, name='softmax')

def iterators(seed):
    # the same seed gives the same initial weights and the same shuffling
    np.random.seed(seed)
    mx.random.seed(seed)
    train = mx.io.NDArrayIter(data[:ntrain], label[:ntrain], 32, shuffle=True)
    val = mx.io.NDArrayIter(data[ntrain:], label[ntrain:], 32)
    return train, val

def states(mod):
    return {s: getattr(mod, s) for s in
            ('binded', 'for_training', 'params_initialized', 'optimizer_initialized')}

train_iter, val_iter = iterators(0)
mod = mx.mod.Module(net)
print('created         ', states(mod))
mod.bind(data_shapes=train_iter.provide_data, label_shapes=train_iter.provide_label)
print('bind            ', states(mod))
mod.init_params()
print('init_params     ', states(mod))
mod.init_optimizer()
print('init_optimizer  ', states(mod))
""", tags=["nbval-check-output"])

md(en=r"""
A module bound with `for_training=False` allocates no gradients and can only predict — the
first example of the book *MXNet深度学习实战* (§3.3) does this, on `mx.gpu(0)`. teachmod accepts
`mx.gpu(0)` so that book code runs, computes on the CPU, and says so once in a warning. Asking
such a module for a backward pass is an error that names the state:
""", zh=r"""
以 `for_training=False` 绑定的模块不分配梯度，只能做预测——《MXNet深度学习实战》第 3.3
节的第一个例子就是这样做的，而且用的是 `mx.gpu(0)`。为了让书中的代码能够运行，teachmod 接受
`mx.gpu(0)`，但实际在 CPU 上计算，并用一条警告说明这一点。对这样的模块要求反向传播会报错，错误信息会指出所处的状态：
""")

code(r"""
import warnings

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter('always')
    predictor = mx.mod.Module(symbol=net, context=mx.gpu(0))
print('warning:', *[str(w.message) for w in caught])
predictor.bind(data_shapes=[('data', (8, 16))], label_shapes=[('softmax_label', (8,))],
               for_training=False)
predictor.init_params()
predictor.forward(mx.io.DataBatch([mx.nd.random.uniform(0, 15, shape=(8, 16))]))
print(predictor.get_outputs()[0].shape, predictor.get_outputs()[0].context)
try:
    predictor.backward()
except mx.MXNetError as error:
    print('MXNetError:', error)
""")

md(en=r"""
## The loop of `fit`, as written in `base_module.py`

Here is the heart of the real `fit`, printed from the installed package. teachmod's version adds
two things to MXNet's loop: a check that warns about the first batch whose outputs are NaN or
infinite, and `stop_training` (used at the end of this lesson).
""", zh=r"""
## `fit` 的循环：`base_module.py` 中的写法

下面是真正的 `fit` 的核心部分，直接从已安装的包中打印出来。teachmod 在 MXNet 的循环上加了两样东西：
对输出出现 NaN 或无穷大的第一个批次发出警告，以及 `stop_training`（本课最后会用到）。
""")

code(r"""
import inspect

source = inspect.getsource(mx.mod.BaseModule.fit)
print(source[source.index('        for epoch in range'):])
""")

md(en=r"""
## Rebuilding it

Our `my_fit` keeps MXNet's structure and leaves out only what serves devices and debugging
(`kvstore`, `monitor`, sparse arrays). Follow the numbers in the comments:

1. **Set up**: bind for training, initialise parameters (unless given), install the optimizer,
   turn the metric name into a metric object.
2. **One epoch**: reset the metric, start the iterator, and fetch the first batch *before* the
   loop.
3. **One batch**: `forward_backward` then `update`, then add the batch to the metric.
4. **Look ahead**: fetch the *next* batch now and `prepare` it. That is how MXNet overlaps
   loading with computing (and how it notices the last batch: `StopIteration` here ends the
   epoch). The book's listing 3-1 writes the same `try`/`next`/`prepare` by hand.
5. **Batch callbacks** get a `BatchEndParam(epoch, nbatch, eval_metric, locals)`.
6. **End of epoch**: log the training metric and the time; copy the parameters out of the
   executors (`get_params`) and back (`set_params`) so that every device agrees; call the epoch
   callbacks with `(epoch, symbol, arg_params, aux_params)`.
7. **Validate** with `score`, which calls `eval_end_callback` with its own `BatchEndParam`;
   reset the training data for the next epoch.
""", zh=r"""
## 重写 `fit`

我们的 `my_fit` 保持 MXNet 的结构，只省去为多设备和调试服务的部分（`kvstore`、`monitor`、稀疏数组）。
请对照代码注释中的编号阅读：

1. **准备**：以训练模式绑定，初始化参数（若未给出），安装优化器，把指标名转换成指标对象。
2. **一轮**：重置指标，启动迭代器，并在循环*之前*取出第一批数据。
3. **一批**：先 `forward_backward` 再 `update`，然后把这一批计入指标。
4. **预取**：此时就取出*下一*批数据并对它调用 `prepare`。MXNet 借此让数据读取与计算重叠，
   同时也借此发现最后一批：这里抛出 `StopIteration` 就意味着一轮结束。书中代码清单 3-1 手写的
   `try`/`next`/`prepare` 正是这一段。
5. **批次回调**收到一个 `BatchEndParam(epoch, nbatch, eval_metric, locals)`。
6. **一轮结束**：记录训练指标和耗时；把参数从执行器中取出（`get_params`）再放回去（`set_params`），
   让所有设备上的参数保持一致；以 `(epoch, symbol, arg_params, aux_params)` 调用轮末回调。
7. **验证**：调用 `score`，它会用自己的 `BatchEndParam` 调用 `eval_end_callback`；
   最后重置训练数据，准备下一轮。
""")

code(r"""
from teachmod.model import BatchEndParam

def as_list(x):
    return x if isinstance(x, list) else [x]

def my_fit(mod, train_data, eval_data=None, eval_metric='acc',
           epoch_end_callback=None, batch_end_callback=None, eval_end_callback=None,
           optimizer='sgd', optimizer_params=(('learning_rate', 0.01),),
           initializer=mx.init.Uniform(0.01), arg_params=None, aux_params=None,
           begin_epoch=0, num_epoch=None):
    # (1) set up
    mod.bind(data_shapes=train_data.provide_data, label_shapes=train_data.provide_label,
             for_training=True)
    mod.init_params(initializer=initializer, arg_params=arg_params, aux_params=aux_params)
    mod.init_optimizer(optimizer=optimizer, optimizer_params=optimizer_params)
    validation_metric = eval_metric
    if not isinstance(eval_metric, mx.metric.EvalMetric):
        eval_metric = mx.metric.create(eval_metric)

    for epoch in range(begin_epoch, num_epoch):
        # (2) one epoch
        tic = time.time()
        eval_metric.reset()
        nbatch = 0
        data_iter = iter(train_data)
        end_of_batch = False
        next_data_batch = next(data_iter)
        while not end_of_batch:
            # (3) one batch
            data_batch = next_data_batch
            mod.forward_backward(data_batch)
            mod.update()
            mod.update_metric(eval_metric, data_batch.label)
            # (4) look ahead
            try:
                next_data_batch = next(data_iter)
                mod.prepare(next_data_batch)
            except StopIteration:
                end_of_batch = True
            if end_of_batch:
                eval_name_vals = eval_metric.get_global_name_value()
            # (5) batch callbacks
            if batch_end_callback is not None:
                params = BatchEndParam(epoch=epoch, nbatch=nbatch, eval_metric=eval_metric,
                                       locals=locals())
                for callback in as_list(batch_end_callback):
                    callback(params)
            nbatch += 1

        # (6) end of epoch
        for name, value in eval_name_vals:
            mod.logger.info('Epoch[%d] Train-%s=%f', epoch, name, value)
        mod.logger.info('Epoch[%d] Time cost=%.3f', epoch, time.time() - tic)
        arg_params, aux_params = mod.get_params()
        mod.set_params(arg_params, aux_params)
        if epoch_end_callback is not None:
            for callback in as_list(epoch_end_callback):
                callback(epoch, mod.symbol, arg_params, aux_params)

        # (7) validate, and rewind the training data
        if eval_data:
            results = mod.score(eval_data, validation_metric,
                                score_end_callback=eval_end_callback, epoch=epoch)
            for name, value in results:
                mod.logger.info('Epoch[%d] Validation-%s=%f', epoch, name, value)
        train_data.reset()
""")

md(en=r"""
Now train one module with `my_fit` and another with the real `fit`, from the same seed. If our
reading of `base_module.py` is right, every parameter comes out bit for bit the same.
""", zh=r"""
现在从同一个随机种子出发，一个模块用 `my_fit` 训练，另一个用真正的 `fit` 训练。
如果我们对 `base_module.py` 的理解没错，每个参数都应该一位不差地相同。
""")

code(r"""
train_iter, val_iter = iterators(1)
ours = mx.mod.Module(net)
my_fit(ours, train_iter, val_iter, optimizer_params={'learning_rate': 0.1}, num_epoch=2)

train_iter, val_iter = iterators(1)
real = mx.mod.Module(net)
real.fit(train_iter, val_iter, optimizer_params={'learning_rate': 0.1}, num_epoch=2)

mine, theirs = ours.get_params()[0], real.get_params()[0]
print('identical parameters:',
      all(np.array_equal(mine[k].asnumpy(), theirs[k].asnumpy()) for k in mine))
""")

md(en=r"""
## `BatchEndParam`

A batch callback is any function of one argument. It receives a named tuple with the epoch, the
batch number, the metric (still accumulating over the epoch) and `locals`: the dictionary of
`fit`'s local variables at that moment — the module itself is `locals['self']`, the batch just
trained is `locals['data_batch']`. That gives a callback access to anything `fit` can see.
""", zh=r"""
## `BatchEndParam`

批次回调就是任何只接受一个参数的函数。它收到一个具名元组：轮次、批次编号、评估指标（在本轮内持续累加），以及
`locals`——此刻 `fit` 的局部变量字典：模块本身是 `locals['self']`，刚训练完的那一批是
`locals['data_batch']`。因此回调可以访问 `fit` 能看到的一切。
""")

code(r"""
def peek(param):
    if param.nbatch % 200 == 0:
        print(f'epoch {param.epoch} batch {param.nbatch:3d} {param.eval_metric.get()}')
        print('    locals["self"] is mod:', param.locals['self'] is mod,
              '  locals["data_batch"]:', param.locals['data_batch'])

train_iter, val_iter = iterators(2)
mod = mx.mod.Module(net)
mod.fit(train_iter, optimizer_params={'learning_rate': 0.1}, num_epoch=1, batch_end_callback=peek)
""")

md(en=r"""
The built-in callbacks are small functions of the same kind. `mx.callback.Speedometer` logs the
speed and the metric every `frequent` batches (and, with `auto_reset=True`, restarts the
metric so each line covers only the last stretch):
""", zh=r"""
内置的回调也是这样的小函数。`mx.callback.Speedometer` 每隔 `frequent` 个批次记录一次速度和指标
（`auto_reset=True` 时还会重置指标，于是每一行只反映最近这一段）：
""")

code(r"""
train_iter, val_iter = iterators(2)
mod = mx.mod.Module(net)
mod.fit(train_iter, optimizer_params={'learning_rate': 0.1}, num_epoch=1,
        batch_end_callback=mx.callback.Speedometer(batch_size=32, frequent=100))
""")

md(en=r"""
## Your own callbacks

**A learning curve.** A batch callback records the running training accuracy every 25 batches,
and an `eval_end_callback` records the validation accuracy after each epoch. A class with
`__call__` keeps the history in its attributes.
""", zh=r"""
## 编写自己的回调

**学习曲线。** 一个批次回调每 25 个批次记录一次累计的训练准确率，一个 `eval_end_callback`
在每轮结束后记录验证准确率。带 `__call__` 的类可以把历史记录保存在自己的属性里。
""")

code(r"""
class Recorder:
    def __init__(self, every):
        self.every, self.points = every, []

    def __call__(self, param):
        if param.nbatch % self.every == 0:
            steps = param.epoch * batches_per_epoch + param.nbatch
            self.points.append((steps, param.eval_metric.get()[1]))

batches_per_epoch = ntrain // 32
train_curve = Recorder(every=25)
val_curve = []
record_validation = lambda param: val_curve.append(((param.epoch + 1) * batches_per_epoch,
                                                    param.eval_metric.get()[1]))

train_iter, val_iter = iterators(3)
mod = mx.mod.Module(net)
mod.fit(train_iter, val_iter, optimizer_params={'learning_rate': 0.1}, num_epoch=6,
        batch_end_callback=train_curve, eval_end_callback=record_validation)
""")

code(r"""
import matplotlib.pyplot as plt

plt.rcParams['font.sans-serif'] = mx.viz.chinese_fonts()
plt.rcParams['axes.unicode_minus'] = False

fig, ax = plt.subplots(figsize=(8, 3.4))
ax.plot(*zip(*train_curve.points), label='training, running / 训练（累计）', alpha=0.8)
ax.plot(*zip(*val_curve), 'o-', label='validation / 验证', color='tab:red')
for epoch in range(1, 6):
    ax.axvline(epoch * batches_per_epoch, color='grey', linewidth=0.5)
ax.set(xlabel='batches trained / 已训练批次', ylabel='accuracy / 准确率',
       title='Learning curve from callbacks / 由回调记录的学习曲线')
ax.legend(loc='lower right')
fig.tight_layout()
""")

md(en=r"""
The saw-tooth of the training curve is the metric being reset at the start of every epoch: early
in an epoch the running accuracy averages only a few batches.

**Keeping the best model.** `fit` calls the epoch callback (with the parameters) *before* it
validates. An object with two methods can therefore hold on to each epoch's parameters and keep
them if the validation score that follows is the best so far.
""", zh=r"""
训练曲线呈锯齿状，是因为指标在每轮开始时被重置：一轮刚开始时，累计准确率只平均了寥寥几批。

**保留最佳模型。** `fit` 先调用轮末回调（并传入参数），*然后*才做验证。因此，一个有两个方法的对象可以先记住每一轮的参数，
如果随后的验证得分是迄今最好的，就把它们保留下来。
""")

code(r"""
class KeepBest:
    def __init__(self):
        self.best_score, self.best_epoch, self.best_params, self._last = -1.0, None, None, None

    def epoch_end(self, epoch, symbol, arg_params, aux_params):
        self._last = ({k: v.copy() for k, v in arg_params.items()},
                      {k: v.copy() for k, v in aux_params.items()})

    def eval_end(self, param):
        score = param.eval_metric.get()[1]
        if score > self.best_score:
            self.best_score, self.best_epoch, self.best_params = score, param.epoch, self._last

keeper = KeepBest()
train_iter, val_iter = iterators(4)
mod = mx.mod.Module(net)
mod.fit(train_iter, val_iter, optimizer_params={'learning_rate': 0.1}, num_epoch=8,
        epoch_end_callback=keeper.epoch_end, eval_end_callback=keeper.eval_end)
print('best epoch:', keeper.best_epoch, 'validation accuracy:', keeper.best_score)

mod.set_params(*keeper.best_params)
print('restored:', mod.score(val_iter, 'acc'))
""")

md(en=r"""
**Stopping early** (a teachmod addition — MXNet 1.x's `fit` always runs every epoch). A callback
may set `module.stop_training = True`; `fit` finishes the current batch, logs, runs the epoch
callbacks and validation, and stops. Here we stop when the validation accuracy has not improved
for three epochs.
""", zh=r"""
**提前停止**（teachmod 新增的功能——MXNet 1.x 的 `fit` 总会跑完所有轮次）。回调可以设置
`module.stop_training = True`；`fit` 会完成当前批次，记录日志，运行轮末回调和验证，然后停止。
下面的例子在验证准确率连续三轮没有提高时停止训练。
""")

code(r"""
def early_stopping(mod, patience):
    scores = []
    def callback(param):
        scores.append(param.eval_metric.get()[1])
        if len(scores) > patience and max(scores[-patience:]) <= max(scores[:-patience]):
            print(f'no improvement for {patience} epochs: stopping after epoch {param.epoch}')
            mod.stop_training = True
    return callback

train_iter, val_iter = iterators(4)
mod = mx.mod.Module(net)
mod.fit(train_iter, val_iter, optimizer_params={'learning_rate': 0.1}, num_epoch=30,
        eval_end_callback=early_stopping(mod, patience=3))
""")

md(en=r"""
## Summary and exercises

- `BaseModule.fit` is a loop over the intermediate API: bind, init_params, init_optimizer, then
  per batch forward_backward, update, update_metric, with the next batch fetched ahead.
- Modules move through the states binded → params_initialized → optimizer_initialized, and
  every method checks the state it needs.
- Batch callbacks receive `BatchEndParam(epoch, nbatch, eval_metric, locals)`; epoch callbacks
  receive `(epoch, symbol, arg_params, aux_params)`; `eval_end_callback` runs after validation.

Try: add a `monitor` argument to `my_fit` the way `base_module.py` does (`mx.monitor.Monitor`).
Write a batch callback that prints the norm of `fc1_weight`'s gradient every 100 batches
(hint: `param.locals['self']._exec_group.execs[0].grad_dict`). Why does `fit` fetch the next batch
*before* calling the batch callbacks?

Next: [Lesson 5 · Convolutional networks on handwritten digits](05_cnn_digits.ipynb).
""", zh=r"""
## 小结与练习

- `BaseModule.fit` 就是一个围绕中层接口的循环：bind、init_params、init_optimizer，然后对每一批执行
  forward_backward、update、update_metric，并提前取出下一批。
- 模块依次经历 binded → params_initialized → optimizer_initialized 这几个状态，每个方法都会检查自己需要的状态。
- 批次回调收到 `BatchEndParam(epoch, nbatch, eval_metric, locals)`；轮末回调收到
  `(epoch, symbol, arg_params, aux_params)`；`eval_end_callback` 在验证之后运行。

动手试试：仿照 `base_module.py`，给 `my_fit` 加上 `monitor` 参数（`mx.monitor.Monitor`）。
写一个批次回调，每 100 个批次打印一次 `fc1_weight` 梯度的范数（提示：
`param.locals['self']._exec_group.execs[0].grad_dict`）。为什么 `fit` 要在调用批次回调*之前*取出下一批数据？

下一课：[第 5 课 · 用卷积网络识别手写数字](05_cnn_digits.ipynb)。
""")
