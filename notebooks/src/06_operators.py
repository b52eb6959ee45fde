# Lesson 6 -- How an operator works. md(en=..., zh=...) and code(...): see notebooks/build.py.

md(en=r"""
# Lesson 6 · How an operator works — and how to write one

*[阅读中文版](../zh/06_operators.ipynb)*

Every layer of lessons 1–5 is an **operator**: a small class that knows its parameters, how to
infer shapes, and how to compute forward and backward. In teachmod each operator is one short
numpy file in `teachmod/ops/`, and the executor calls them all through the same interface, never
by name. In this lesson you will

- open the operator registry and read a whole operator,
- redo the forward and backward passes of `FullyConnected`, `Convolution` and `BatchNorm` in
  numpy and compare with teachmod,
- see where an operator's plain reference code ends and its optional fast path begins,
- check gradients with finite differences, by hand and with `mx.test_utils.check_numeric_gradient`,
- write a new operator, register it, test it, and train a network with it.
""", zh=r"""
# 第 6 课 · 算子是怎样工作的——以及如何自己写一个

*[English version](../en/06_operators.ipynb)*

第 1–5 课中的每一层都是一个**算子（operator）**：一个小小的类，知道自己有哪些参数、如何推断形状、
如何做前向和反向计算。在 teachmod 中，每个算子都是 `teachmod/ops/` 下的一个简短的 numpy 文件，
执行器通过同一套接口调用所有算子，从不按名字区别对待。本课你将会：

- 打开算子注册表，完整地读一个算子；
- 用 numpy 重做 `FullyConnected`、`Convolution` 和 `BatchNorm` 的前向与反向计算，并与 teachmod 对比；
- 看清一个算子朴素的参考代码在哪里结束、可选的快速路径从哪里开始；
- 用有限差分检查梯度：先手算，再用 `mx.test_utils.check_numeric_gradient`；
- 编写一个新算子，注册它、测试它，并用它训练一个网络。
""")

md(en=r"""
## The registry

`teachmod/ops/registry.py` defines the `Operator` base class and a dictionary from names to
operator classes. `mx.sym.FullyConnected` and `mx.nd.FullyConnected` are made on demand from that
dictionary. Here is the whole of one operator:
""", zh=r"""
## 注册表

`teachmod/ops/registry.py` 定义了 `Operator` 基类，以及一个从名字到算子类的字典。
`mx.sym.FullyConnected` 和 `mx.nd.FullyConnected` 都是按需从这个字典生成的。下面是一个算子的全部代码：
""")

code(r"""
import inspect
import numpy as np
import teachmod as mx
from teachmod.ops import registry

print(len(registry.all_names()), 'operator names, e.g.', registry.all_names()[:6])
FullyConnected = registry.get('FullyConnected')
print(inspect.getsource(inspect.getmodule(FullyConnected)))
""")

md(en=r"""
The pieces every operator has:

- `name` (as in MXNet's JSON) and `params`: each `Param` parses the value — from Python or from
  the strings of a JSON file — and has a default and one line of documentation;
- `list_arguments()`: the inputs, which become the variables `fc1_weight`, `fc1_bias` of lesson 1;
- `infer_shape`: from the known input shapes, all input shapes and the output shapes;
- `forward(is_train, inputs, aux)` and `backward(out_grads, inputs, outputs, aux)`, on plain numpy
  arrays. `backward` receives the gradient of the loss with respect to each output and returns the
  gradient with respect to each input (the chain rule, one node at a time);
- optionally `backward_reads`, the inputs and outputs that `backward` reads (relu's says
  `('output',)`): the executor lets every other tensor go as soon as the forward pass is done
  with it, so a training batch holds only what backward needs. Without it, everything is kept.
""", zh=r"""
每个算子都有这几部分：

- `name`（与 MXNet 的 JSON 中一致）和 `params`：每个 `Param` 负责解析取值——无论来自 Python 还是来自
  JSON 文件中的字符串——并带有默认值和一行说明；
- `list_arguments()`：输入，它们就是第 1 课中的变量 `fc1_weight`、`fc1_bias`；
- `infer_shape`：由已知的输入形状推出所有输入形状和输出形状；
- `forward(is_train, inputs, aux)` 和 `backward(out_grads, inputs, outputs, aux)`，操作的都是普通的 numpy
  数组。`backward` 接收损失对每个输出的梯度，返回损失对每个输入的梯度（链式法则，一次一个节点）；
- 可选的 `backward_reads`：`backward` 要读取的输入和输出（relu 的是 `('output',)`）。执行器会在前向
  传播用完其余张量后立即释放它们，这样训练一批数据时只保留反向传播需要的东西。不写的话，全部保留。
""")

md(en=r"""
## FullyConnected by hand

For $y = x W^\top + b$ with an incoming gradient $\partial L/\partial y = g$:

$$\frac{\partial L}{\partial x} = g\,W, \qquad \frac{\partial L}{\partial W} = g^\top x, \qquad
\frac{\partial L}{\partial b} = \textstyle\sum_\text{rows} g.$$

We bind the symbol with `simple_bind`, which allocates the arrays and their gradients, fill in
values, run forward and backward with our own $g$, and compare.
""", zh=r"""
## 手算 FullyConnected

对于 $y = x W^\top + b$，设传入的梯度为 $\partial L/\partial y = g$，则

$$\frac{\partial L}{\partial x} = g\,W, \qquad \frac{\partial L}{\partial W} = g^\top x, \qquad
\frac{\partial L}{\partial b} = \textstyle\sum_\text{行} g.$$

我们用 `simple_bind` 绑定符号（它会分配数组及其梯度），填入数值，用我们自己给定的 $g$ 跑一遍前向和反向，然后对比。
""")

code(r"""
rng = np.random.default_rng(0)
x = rng.normal(size=(4, 5)).astype(np.float32)
W = rng.normal(size=(3, 5)).astype(np.float32)
b = rng.normal(size=3).astype(np.float32)
g = rng.normal(size=(4, 3)).astype(np.float32)

y = x @ W.T + b
dx, dW, db = g @ W, g.T @ x, g.sum(axis=0)

fc = mx.sym.FullyConnected(mx.sym.Variable('data'), num_hidden=3, name='fc')
executor = fc.simple_bind(mx.cpu(), data=x.shape)
executor.arg_dict['data'][:] = x
executor.arg_dict['fc_weight'][:] = W
executor.arg_dict['fc_bias'][:] = b
executor.forward(is_train=True)
executor.backward(mx.nd.array(g))

print('output   ', np.allclose(executor.outputs[0].asnumpy(), y, atol=1e-5))
for name, ours in [('data', dx), ('fc_weight', dW), ('fc_bias', db)]:
    print(f'{name:9s}', np.allclose(executor.grad_dict[name].asnumpy(), ours, atol=1e-5))
""", tags=["nbval-check-output"])

md(en=r"""
## Convolution by hand

A convolution slides each filter over the (padded) input and takes a dot product with every
window. The plainest way to write it is a loop over output positions; `einsum` does the sum over
channels and the kernel for all images and all filters at once. The backward pass runs the same
loop: each window receives `g · W` and each filter collects `g · window`.

teachmod's own `Convolution` computes the same thing with *im2col* — all windows copied into one
matrix, then a single matrix product (`teachmod/ops/_im2col.py`). Our loops give the same numbers.
""", zh=r"""
## 手算 Convolution

卷积把每个卷积核在（填充后的）输入上滑动，与每个窗口做点积。最直白的写法是对输出位置做循环；
`einsum` 一次性对所有图像、所有卷积核完成通道和卷积窗口上的求和。反向传播也是同一个循环：
每个窗口得到 `g · W`，每个卷积核累加 `g · 窗口`。

teachmod 自己的 `Convolution` 用 *im2col* 计算同样的结果——先把所有窗口复制成一个矩阵，再做一次矩阵乘法
（`teachmod/ops/_im2col.py`）。我们的循环给出相同的数值。
""")

code(r"""
def conv_forward(x, W, b, pad):
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    kh, kw = W.shape[2:]
    out = np.zeros((x.shape[0], W.shape[0], xp.shape[2] - kh + 1, xp.shape[3] - kw + 1), x.dtype)
    for i in range(out.shape[2]):
        for j in range(out.shape[3]):
            window = xp[:, :, i:i + kh, j:j + kw]
            out[:, :, i, j] = np.einsum('nchw,fchw->nf', window, W)
    return out + b.reshape(1, -1, 1, 1)

def conv_backward(x, W, g, pad):
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    kh, kw = W.shape[2:]
    dxp, dW = np.zeros_like(xp), np.zeros_like(W)
    for i in range(g.shape[2]):
        for j in range(g.shape[3]):
            window = xp[:, :, i:i + kh, j:j + kw]
            dW += np.einsum('nf,nchw->fchw', g[:, :, i, j], window)
            dxp[:, :, i:i + kh, j:j + kw] += np.einsum('nf,fchw->nchw', g[:, :, i, j], W)
    return dxp[:, :, pad:-pad, pad:-pad], dW, g.sum(axis=(0, 2, 3))

x = rng.normal(size=(2, 3, 5, 5)).astype(np.float32)
W = rng.normal(size=(4, 3, 3, 3)).astype(np.float32)
b = rng.normal(size=4).astype(np.float32)
y = conv_forward(x, W, b, pad=1)
g = rng.normal(size=y.shape).astype(np.float32)

conv = mx.sym.Convolution(mx.sym.Variable('data'), kernel=(3, 3), pad=(1, 1), num_filter=4,
                          name='conv')
executor = conv.simple_bind(mx.cpu(), data=x.shape)
for name, value in [('data', x), ('conv_weight', W), ('conv_bias', b)]:
    executor.arg_dict[name][:] = value
executor.forward(is_train=True)
executor.backward(mx.nd.array(g))

print('output     ', np.allclose(executor.outputs[0].asnumpy(), y, atol=1e-4))
for name, ours in zip(['data', 'conv_weight', 'conv_bias'], conv_backward(x, W, g, pad=1)):
    print(f'{name:11s}', np.allclose(executor.grad_dict[name].asnumpy(), ours, atol=1e-4))
""", tags=["nbval-check-output"])

md(en=r"""
## BatchNorm by hand

In training, per channel: $\hat x = (x - \mu)/\sqrt{\sigma^2 + \epsilon}$ with the batch mean $\mu$
and (biased) variance $\sigma^2$, then $y = \gamma \hat x + \beta$. Because $\mu$ and $\sigma^2$
depend on every element, the gradient of the input has two correction terms (with means over the
batch and spatial positions of each channel):

$$\frac{\partial L}{\partial x} = \frac{1}{\sqrt{\sigma^2+\epsilon}}\left(\gamma g
- \overline{\gamma g} - \hat x\,\overline{\gamma g\,\hat x}\right),\qquad
\frac{\partial L}{\partial \gamma} = \textstyle\sum g\,\hat x,\qquad
\frac{\partial L}{\partial \beta} = \textstyle\sum g.$$

Two things to know about MXNet's BatchNorm: `fix_gamma=True` **is the default** (γ stays 1 and
gets no gradient; lesson 5's network used it), so we pass `fix_gamma=False`; and the moving
statistics move towards the batch's with `momentum=0.9`.
""", zh=r"""
## 手算 BatchNorm

训练时，对每个通道：用本批的均值 $\mu$ 和（有偏）方差 $\sigma^2$ 计算 $\hat x = (x - \mu)/\sqrt{\sigma^2 + \epsilon}$，
再得到 $y = \gamma \hat x + \beta$。由于 $\mu$ 和 $\sigma^2$ 依赖于每一个元素，输入的梯度多出两个修正项
（横线表示在每个通道内对批次和空间位置求平均）：

$$\frac{\partial L}{\partial x} = \frac{1}{\sqrt{\sigma^2+\epsilon}}\left(\gamma g
- \overline{\gamma g} - \hat x\,\overline{\gamma g\,\hat x}\right),\qquad
\frac{\partial L}{\partial \gamma} = \textstyle\sum g\,\hat x,\qquad
\frac{\partial L}{\partial \beta} = \textstyle\sum g.$$

关于 MXNet 的 BatchNorm 有两点要知道：`fix_gamma=True` **是默认值**（γ 固定为 1，没有梯度；第 5 课的网络就是这样），
所以这里传入 `fix_gamma=False`；另外，滑动统计量以 `momentum=0.9` 向本批的统计量靠拢。
""")

code(r"""
x = rng.normal(2, 3, size=(8, 3, 4, 4)).astype(np.float32)
gamma = rng.normal(size=3).astype(np.float32)
beta = rng.normal(size=3).astype(np.float32)
g = rng.normal(size=x.shape).astype(np.float32)
eps, axes = 1e-3, (0, 2, 3)

mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
x_hat = (x - mean) / np.sqrt(var + eps)
y = gamma.reshape(1, -1, 1, 1) * x_hat + beta.reshape(1, -1, 1, 1)
gg = gamma.reshape(1, -1, 1, 1) * g
dx = (gg - gg.mean(axis=axes, keepdims=True)
      - x_hat * (gg * x_hat).mean(axis=axes, keepdims=True)) / np.sqrt(var + eps)
dgamma, dbeta = (g * x_hat).sum(axis=axes), g.sum(axis=axes)

bn = mx.sym.BatchNorm(mx.sym.Variable('data'), fix_gamma=False, eps=eps, name='bn')
print(bn.list_arguments(), bn.list_auxiliary_states())
executor = bn.simple_bind(mx.cpu(), data=x.shape)
for name, value in [('data', x), ('bn_gamma', gamma), ('bn_beta', beta)]:
    executor.arg_dict[name][:] = value
executor.aux_dict['bn_moving_var'][:] = 1      # how a fresh BatchNorm starts: mean 0, var 1
executor.forward(is_train=True)
executor.backward(mx.nd.array(g))

print('output     ', np.allclose(executor.outputs[0].asnumpy(), y, atol=1e-5))
for name, ours in [('data', dx), ('bn_gamma', dgamma), ('bn_beta', dbeta)]:
    print(f'{name:11s}', np.allclose(executor.grad_dict[name].asnumpy(), ours, atol=1e-4))
print('moving_mean', np.allclose(executor.aux_dict['bn_moving_mean'].asnumpy(),
                                 0.9 * 0 + 0.1 * mean.ravel(), atol=1e-5))
""", tags=["nbval-check-output"])

md(en=r"""
## Reference code first, fast paths beside it

What you just wrote is also what `teachmod/ops/batch_norm.py` shows first: its `normalise` and
`gradients` methods are these formulas in plain numpy, one line per step. Every operator file is
written this way, so that reading it top to bottom explains the operator.
""", zh=r"""
## 先是参考代码，快速路径放在旁边

你刚才写的，也正是 `teachmod/ops/batch_norm.py` 开头展示的内容：它的 `normalise` 和 `gradients`
方法就是上面这些公式的普通 numpy 写法，每一步一行。每个算子文件都是这样写的，从上往下读一遍，就能读懂这个算子。
""")

code(r"""
BatchNorm = registry.get('BatchNorm')
print(inspect.getsource(BatchNorm.normalise))
print(inspect.getsource(BatchNorm.gradients))
""")

md(en=r"""
Two operators also keep a **fast path**: the same numbers computed with fewer passes over
memory. A fast path stays only where a benchmark showed that it saves at least 10% of a training
epoch: BatchNorm and Pooling, which together take most of the time of lesson 5's network on
large images (`docs/fast_paths.md` has the measurements, `benchmarks/bench_fast_paths.py`
reproduces them). It lives at the end of the operator's file, under the heading
`# --- fast path (TEACHMOD_REFERENCE=1 switches it off) ---`, and the operator picks it with one
`fast_paths()` test. To run the reference code only, start Python with the environment variable
`TEACHMOD_REFERENCE=1`, or wrap a block in `reference_mode()`. The tests run both and compare them:
max pooling's fast path must agree bit for bit, sums (BatchNorm's statistics) to float rounding,
because they add the same numbers in another order.
""", zh=r"""
有两个算子还保留了一条**快速路径（fast path）**：用更少的内存遍历算出同样的数值。只有当基准测试表明
它能节省至少 10% 的训练轮次（epoch）时间时，快速路径才会保留：BatchNorm 和 Pooling 就是这样，在大尺寸图像上，
它们合起来占了第 5 课网络的大部分时间（测量结果见 `docs/fast_paths.md`，用 `benchmarks/bench_fast_paths.py`
可以复现）。快速路径放在算子文件的末尾，标题是 `# --- fast path (TEACHMOD_REFERENCE=1 switches it off) ---`，
算子只用一处 `fast_paths()` 判断来选择它。若只想运行参考代码，启动 Python 前设置环境变量
`TEACHMOD_REFERENCE=1`，或者把一段代码放进 `reference_mode()` 中。测试会把两者都运行一遍并加以比较：
最大池化的快速路径必须逐位一致；求和（BatchNorm 的统计量）只需在浮点舍入误差内一致，因为它们以不同的顺序把同样的数加起来。
""")

code(r"""
from teachmod.reference import fast_paths, reference_mode

source = inspect.getsource(inspect.getmodule(BatchNorm))
print([line.strip() for line in source.splitlines() if 'fast_paths()' in line or '# ---' in line])


def bn_and_pool(x):
    executor.arg_dict['data'][:] = x
    executor.forward(is_train=True)
    executor.backward(mx.nd.array(g))
    pooled = mx.nd.Pooling(mx.nd.relu(mx.nd.array(x)), kernel=(2, 2), stride=(2, 2))
    return executor.outputs[0].asnumpy(), executor.grad_dict['data'].asnumpy(), pooled.asnumpy()


fast = bn_and_pool(x)
with reference_mode():
    print('fast paths inside reference_mode():', fast_paths())
    reference = bn_and_pool(x)
print('BatchNorm output  ', np.allclose(fast[0], reference[0], rtol=1e-5, atol=1e-5))
print('BatchNorm gradient', np.allclose(fast[1], reference[1], rtol=1e-5, atol=1e-5))
print('max pooling, bit for bit', np.array_equal(fast[2], reference[2]))
""", tags=["nbval-check-output"])

md(en=r"""
## Gradient checking

How do we know a `backward` is right without deriving it twice? Compare it with **finite
differences**. Turn the outputs into one number $s = \sum y \cdot P$ with random weights $P$ — its
gradient is exactly what `backward(out_grads=P)` computes — then nudge each input element by
$\pm\varepsilon$ and measure how $s$ changes:

$$\frac{\partial s}{\partial x_i} \approx \frac{s(x + \varepsilon e_i) - s(x - \varepsilon e_i)}{2\varepsilon}.$$

By hand, for the weight of our `FullyConnected` (float64, so that rounding does not blur the
comparison):
""", zh=r"""
## 梯度检验

不把导数推两遍，怎么知道 `backward` 写对了？答案是和**有限差分**比较。用随机权重 $P$ 把输出变成一个数
$s = \sum y \cdot P$——它的梯度恰好就是 `backward(out_grads=P)` 算出的结果——然后把每个输入元素分别加减
$\varepsilon$，观察 $s$ 的变化：

$$\frac{\partial s}{\partial x_i} \approx \frac{s(x + \varepsilon e_i) - s(x - \varepsilon e_i)}{2\varepsilon}.$$

下面手工检验 `FullyConnected` 的权重（使用 float64，以免舍入误差干扰比较）：
""")

code(r"""
x = rng.normal(size=(4, 5))
W = rng.normal(size=(3, 5))
b = rng.normal(size=3)
P = rng.random(size=(4, 3))

def s(W):
    return (mx.nd.FullyConnected(mx.nd.array(x, dtype=np.float64), mx.nd.array(W, dtype=np.float64),
                                 mx.nd.array(b, dtype=np.float64), num_hidden=3).asnumpy() * P).sum()

numeric = np.zeros_like(W)
for index in np.ndindex(W.shape):
    step = np.zeros_like(W)
    step[index] = 1e-6
    numeric[index] = (s(W + step) - s(W - step)) / 2e-6

analytic = P.T @ x        # dW = g^T x with g = P
print('largest difference:', np.abs(numeric - analytic).max())
""")

md(en=r"""
`mx.test_utils.check_numeric_gradient` does this for every argument of a symbol and raises an
`AssertionError` if any element disagrees beyond the tolerance. It is how teachmod's tests check
its operators (as MXNet's do):
""", zh=r"""
`mx.test_utils.check_numeric_gradient` 对符号的每个参数都做这样的检验，只要有任何一个元素的差异超出容差，
就抛出 `AssertionError`。teachmod 的测试（和 MXNet 的测试一样）就是这样检查算子的：
""")

code(r"""
check = mx.test_utils.check_numeric_gradient
np.random.seed(0)  # its random output weights: the same every run
check(fc, [rng.normal(size=(4, 5)), rng.normal(size=(3, 5)), rng.normal(size=3)],
      dtype=np.float64, numeric_eps=1e-4)
check(conv, {'data': rng.normal(size=(2, 3, 5, 5)), 'conv_weight': rng.normal(size=(4, 3, 3, 3)),
             'conv_bias': rng.normal(size=4)}, dtype=np.float64, numeric_eps=1e-4)
check(bn, {'data': rng.normal(size=(8, 3, 4, 4)), 'bn_gamma': rng.normal(size=3),
           'bn_beta': rng.normal(size=3)},
      aux_states={'bn_moving_mean': np.zeros(3), 'bn_moving_var': np.ones(3)},
      dtype=np.float64, numeric_eps=1e-4)
print('FullyConnected, Convolution and BatchNorm pass')
""", tags=["nbval-check-output"])

md(en=r"""
One kind of operator cannot be checked this way: output layers such as `SoftmaxOutput` ignore
`out_grads` — their backward *defines* the loss's gradient, $p - \mathrm{onehot}(y)$ (lesson 2) —
so $P$ has no effect on what they return.

## Writing an operator: Swish

Swish, $y = x\,\sigma(\beta x)$, is a smooth cousin of ReLU. Its derivative, using $y$ from the
forward pass, is $\sigma(\beta x) + \beta\,y\,(1 - \sigma(\beta x))$. To add it to teachmod,
subclass `Operator` and decorate the class with `@register`:

- `params` declares `beta` with a default;
- the default `infer_shape` of `Operator` suits an elementwise operator (output shape = input
  shape), so there is nothing to write;
- `forward` and `backward` are the two formulas.

(Running this cell a second time is fine: the new definition of `Swish` replaces the old one,
with a warning that says so. A *different* class that claims a name already taken raises
`RuntimeError: operator name ... registered twice`, so no operator is replaced by accident.)
""", zh=r"""
有一类算子无法这样检验：`SoftmaxOutput` 这样的输出层会忽略 `out_grads`——它们的反向传播本身就*定义*了损失的梯度
$p - \mathrm{onehot}(y)$（第 2 课）——所以 $P$ 对它们的返回值毫无影响。

## 编写算子：Swish

Swish，即 $y = x\,\sigma(\beta x)$，是 ReLU 的一个平滑的“近亲”。借助前向传播得到的 $y$，它的导数是
$\sigma(\beta x) + \beta\,y\,(1 - \sigma(\beta x))$。要把它加入 teachmod，只需继承 `Operator`，并用
`@register` 装饰这个类：

- `params` 声明参数 `beta` 及其默认值；
- `Operator` 默认的 `infer_shape` 适用于逐元素算子（输出形状 = 输入形状），所以无需另写；
- `forward` 和 `backward` 就是上面的两个公式。

（把这个单元格再运行一次没有问题：新的 `Swish` 定义会替换旧的，并给出一条警告说明这一点。
如果是*另一个*类想占用已被使用的名字，则会抛出 `RuntimeError: operator name ... registered twice`，
这样算子不会被意外替换。）
""")

code(r"""
from teachmod.ops.registry import Operator, Param, parse_float, register

@register
class Swish(Operator):
    # y = x * sigmoid(beta * x)
    name = 'Swish'
    params = {'beta': Param(parse_float, 1.0, doc='slope inside the sigmoid')}

    def forward(self, is_train, inputs, aux):
        (x,) = inputs
        return [x / (1 + np.exp(-self.beta * x))]

    def backward(self, out_grads, inputs, outputs, aux):
        (g,), (x,), (y,) = out_grads, inputs, outputs
        sig = 1 / (1 + np.exp(-self.beta * x))
        return [g * (sig + self.beta * y * (1 - sig))]

print(mx.nd.Swish(mx.nd.array([-2, 0, 2]), beta=1.0))
swish = mx.sym.Swish(mx.sym.Variable('data'), beta=2.0, name='swish')
print(swish.list_arguments(), swish.infer_shape(data=(3, 4))[1])
check(swish, [rng.normal(size=(3, 4))], dtype=np.float64, numeric_eps=1e-4)
print('Swish passes the gradient check')
""")

md(en=r"""
Registered once, the operator is everywhere: `mx.sym.Swish` and `mx.nd.Swish` exist, the symbol
saves to and loads from JSON, and `plot_network` draws it. The gradient check also catches
mistakes. Here is a version that forgets the second term of the derivative:
""", zh=r"""
一经注册，这个算子就无处不在：`mx.sym.Swish` 和 `mx.nd.Swish` 都有了，符号可以保存为 JSON 再读回来，
`plot_network` 也能画出它。梯度检验还能发现错误。下面这个版本漏掉了导数的第二项：
""")

code(r"""
@register
class BadSwish(Swish):
    name = 'BadSwish'

    def backward(self, out_grads, inputs, outputs, aux):
        (g,), (x,) = out_grads, inputs
        return [g / (1 + np.exp(-self.beta * x))]     # the term beta*y*(1 - sigmoid) is missing

try:
    check(mx.sym.BadSwish(mx.sym.Variable('data')), [rng.normal(size=(3, 4))],
          dtype=np.float64, numeric_eps=1e-4)
except AssertionError as error:
    print('AssertionError:', str(error).strip().splitlines()[1])
""")

md(en=r"""
## Training with the new operator

The letters MLP of lessons 2–4 with Swish in place of ReLU — only the activation line changes.
""", zh=r"""
## 用新算子训练

把第 2–4 课字母识别 MLP 中的 ReLU 换成 Swish——只改动激活函数那一行。
""")

code(r"""
import logging
import sys
logging.basicConfig(level=logging.INFO, stream=sys.stdout)
np.random.seed(1)
mx.random.seed(1)

data, label = mx.test_utils.get_letters()
train_iter = mx.io.NDArrayIter(data[:16000], label[:16000], 32, shuffle=True)
val_iter = mx.io.NDArrayIter(data[16000:], label[16000:], 32)

net = mx.sym.Variable('data')
net = mx.sym.FullyConnected(net, name='fc1', num_hidden=64)
net = mx.sym.Swish(net, name='swish1', beta=1.0)
net = mx.sym.FullyConnected(net, name='fc2', num_hidden=26)
net = mx.sym.SoftmaxOutput(net, name='softmax')

mod = mx.mod.Module(net)
mod.fit(train_iter, eval_data=val_iter, optimizer_params={'learning_rate': 0.1}, num_epoch=5)
""")

code(r"""
import matplotlib.pyplot as plt

plt.rcParams['font.sans-serif'] = mx.viz.chinese_fonts()
plt.rcParams['axes.unicode_minus'] = False

z = np.linspace(-4, 4, 201)
executor = mx.sym.Swish(mx.sym.Variable('data'), beta=1.0).simple_bind(mx.cpu(), data=z.shape)
executor.arg_dict['data'][:] = z
executor.forward(is_train=True)
executor.backward(mx.nd.ones(z.shape))

fig, ax = plt.subplots(figsize=(6, 3.4))
ax.plot(z, np.maximum(z, 0), '--', color='grey', label='ReLU')
ax.plot(z, executor.outputs[0].asnumpy(), label='Swish (forward / 前向)')
ax.plot(z, executor.grad_dict['data'].asnumpy(), label='dSwish/dx (backward / 反向)')
ax.axhline(0, color='black', linewidth=0.5)
ax.set(xlabel='x', title='Our operator, computed by teachmod / 我们的算子，由 teachmod 计算')
ax.legend()
fig.tight_layout()
""")

md(en=r"""
## Summary and exercises

- An operator is parameters + shape inference + forward + backward; the executor only ever calls
  that interface, so a new operator needs no change anywhere else.
- `backward` maps the gradients of the outputs to the gradients of the inputs; for a layer, those
  are a few lines of numpy (`g @ W`, `g.T @ x`, sums).
- Finite differences check any backward; `mx.test_utils.check_numeric_gradient` automates it.
- In MXNet itself operators are C++ registered with `NNVM_REGISTER_OP` (with the same pieces:
  parameters, `FInferShape`, `FCompute`, `FGradient`); from Python, MXNet offers
  `mx.operator.CustomOp`. teachmod's registry plays the part of the C++ one.

Try: write `Square` ($y = x^2$) and check it. Give Swish a learnable `beta` (hint: make it an
input in `list_arguments`, so it gets a gradient and becomes a parameter `swish1_beta`). Read
`teachmod/ops/pooling.py`: how does max pooling's backward route the gradient?
""", zh=r"""
## 小结与练习

- 算子 = 参数 + 形状推断 + 前向 + 反向；执行器只通过这套接口调用算子，所以新增算子时别处一行都不用改。
- `backward` 把输出的梯度映射成输入的梯度；对于一个层来说，这只是几行 numpy（`g @ W`、`g.T @ x`、求和）。
- 有限差分可以检验任何反向传播；`mx.test_utils.check_numeric_gradient` 把这件事自动化了。
- 在 MXNet 本身中，算子是用 `NNVM_REGISTER_OP` 注册的 C++ 代码（组成部分相同：参数、`FInferShape`、
  `FCompute`、`FGradient`）；在 Python 中，MXNet 提供 `mx.operator.CustomOp`。teachmod 的注册表扮演的是 C++ 注册表的角色。

动手试试：写一个 `Square`（$y = x^2$）并检验它。让 Swish 的 `beta` 可以学习（提示：在 `list_arguments`
中把它变成一个输入，这样它就有梯度，并成为参数 `swish1_beta`）。读一读 `teachmod/ops/pooling.py`：
最大池化的反向传播是怎样分配梯度的？
""")
