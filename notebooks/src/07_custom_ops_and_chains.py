# Lesson 7 -- Operators in Python (CustomOp) and chains of modules. See notebooks/build.py.

md(en=r"""
# Lesson 7 · Operators written in Python, and chains of modules

*[阅读中文版](../zh/07_custom_ops_and_chains.ipynb)*

In lesson 6 you wrote an operator inside teachmod. MXNet itself taught another way, which needs
no access to the framework's source: **`mx.operator.CustomOp`**. You describe the operator in one
class (`CustomOpProp`: inputs, outputs, shapes) and compute it in another (`CustomOp`: forward and
backward, in numpy), register it under a name, and use it as `mx.sym.Custom(..., op_type=name)`.
The same code runs on MXNet 1.9.1. In this lesson you will

- write `scale * tanh(x)` as a CustomOp and check its gradient numerically,
- write the softmax loss as a CustomOp and train the letters MLP with it — to the same numbers
  as `SoftmaxOutput`,
- chain modules with `mx.mod.SequentialModule` and put a loss written in numpy at the end with
  `mx.mod.PythonLossModule`.
""", zh=r"""
# 第 7 课 · 用 Python 写的算子，以及模块的串联

*[English version](../en/07_custom_ops_and_chains.ipynb)*

第 6 课中你在 teachmod 内部写了一个算子。MXNet 自己还教过另一种方法，完全不需要改动框架的源码：
**`mx.operator.CustomOp`**。用一个类（`CustomOpProp`：输入、输出、形状）描述算子，用另一个类
（`CustomOp`：用 numpy 写前向和反向）完成计算，以一个名字注册它，然后像
`mx.sym.Custom(..., op_type=名字)` 这样使用。同样的代码在 MXNet 1.9.1 上也能运行。本课你将会：

- 把 `scale * tanh(x)` 写成 CustomOp，并用数值方法检查它的梯度；
- 把 softmax 损失写成 CustomOp，用它训练字母识别的 MLP——得到与 `SoftmaxOutput` 完全相同的数字；
- 用 `mx.mod.SequentialModule` 串联模块，并用 `mx.mod.PythonLossModule` 在末尾放一个用 numpy 写的损失。
""")

md(en=r"""
## A first CustomOp: `scale * tanh(x)`

`forward` reads `in_data` and writes `out_data`; `backward` reads `out_grad` (the gradient
arriving from above) and writes `in_grad`. Both write through `self.assign(dst, req, value)`,
which honours the request of the executor: `'write'`, `'add'` (accumulate) or `'null'` (not
needed). Keyword arguments of `mx.sym.Custom` reach the prop's constructor as strings.
""", zh=r"""
## 第一个 CustomOp：`scale * tanh(x)`

`forward` 读取 `in_data`，写入 `out_data`；`backward` 读取 `out_grad`（从上层传来的梯度），
写入 `in_grad`。两者都通过 `self.assign(dst, req, value)` 写入，它遵循执行器的请求：
`'write'`（写入）、`'add'`（累加）或 `'null'`（不需要）。传给 `mx.sym.Custom` 的关键字参数会以字符串的
形式到达 prop 的构造函数。
""")

code(r"""
import logging
import numpy as np
import teachmod as mx

logging.getLogger().setLevel(logging.WARNING)


class ScaledTanh(mx.operator.CustomOp):
    def __init__(self, scale):
        self.scale = scale

    def forward(self, is_train, req, in_data, out_data, aux):
        self.assign(out_data[0], req[0], self.scale * mx.nd.tanh(in_data[0]))

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        y = out_data[0] / self.scale                      # tanh(x), saved by forward
        self.assign(in_grad[0], req[0], out_grad[0] * self.scale * (1 - y * y))


@mx.operator.register("scaled_tanh")
class ScaledTanhProp(mx.operator.CustomOpProp):
    def __init__(self, scale="1.0"):
        super().__init__(need_top_grad=True)
        self.scale = float(scale)

    def create_operator(self, ctx, in_shapes, in_dtypes):
        return ScaledTanh(self.scale)


x = mx.sym.Variable("x")
y = mx.sym.Custom(x, op_type="scaled_tanh", scale=2.0, name="act")
print(y.list_arguments(), y.list_outputs(), y.infer_shape(x=(2, 3))[1])
print(mx.nd.Custom(mx.nd.array([[-1.0, 0.0, 1.0]]), op_type="scaled_tanh", scale=2.0))
""")

md(en=r"""
The defaults of `CustomOpProp` (one input `data`, one output, output shaped like the input) suit
this operator, so the prop only creates it. Now check the backward against finite differences:
""", zh=r"""
`CustomOpProp` 的默认设置（一个输入 `data`、一个输出、输出形状与输入相同）正好适合这个算子，
所以 prop 只需要创建它。现在用有限差分检查反向计算：
""")

code(r"""
mx.test_utils.check_numeric_gradient(y, [np.random.RandomState(0).uniform(-2, 2, (3, 4))])
print("backward agrees with finite differences")
""")

md(en=r"""
## The softmax loss as a CustomOp

A loss computes its own gradient: `need_top_grad=False` tells the executor that backward does
not read `out_grad`. The op takes two inputs, the scores and the labels, and its `infer_shape`
says that the labels are one number per sample. Its backward is the famous `softmax - one_hot`.
""", zh=r"""
## 把 softmax 损失写成 CustomOp

损失层自己计算梯度：`need_top_grad=False` 告诉执行器反向计算不读取 `out_grad`。这个算子有两个输入——
分数和标签，它的 `infer_shape` 说明每个样本的标签是一个数。它的反向计算就是著名的 `softmax - one_hot`。
""")

code(r"""
class Softmax(mx.operator.CustomOp):
    def forward(self, is_train, req, in_data, out_data, aux):
        x = in_data[0].asnumpy()
        e = np.exp(x - x.max(axis=1, keepdims=True))
        self.assign(out_data[0], req[0], mx.nd.array(e / e.sum(axis=1, keepdims=True)))

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        label = in_data[1].asnumpy().astype(int)
        grad = out_data[0].asnumpy().copy()
        grad[np.arange(len(label)), label] -= 1.0
        self.assign(in_grad[0], req[0], mx.nd.array(grad))


@mx.operator.register("np_softmax")
class SoftmaxProp(mx.operator.CustomOpProp):
    def __init__(self):
        super().__init__(need_top_grad=False)

    def list_arguments(self):
        return ["data", "label"]

    def infer_shape(self, in_shape):
        data_shape = in_shape[0]
        return [data_shape, (data_shape[0],)], [data_shape], []

    def create_operator(self, ctx, in_shapes, in_dtypes):
        return Softmax()
""")

md(en=r"""
Train the letters MLP of lessons 2–4 twice from the same seeds: once with `SoftmaxOutput`,
once with the CustomOp. Naming the op `softmax` gives its label input the name `softmax_label`,
which is what `Module` expects.
""", zh=r"""
用相同的随机种子训练第 2–4 课的字母 MLP 两次：一次用 `SoftmaxOutput`，一次用这个 CustomOp。
把算子命名为 `softmax`，它的标签输入就叫 `softmax_label`，这正是 `Module` 期望的名字。
""")

code(r"""
data, label = mx.test_utils.get_letters()


def train(loss):
    mx.random.seed(1)
    np.random.seed(1)
    train_iter = mx.io.NDArrayIter(data[:4000], label[:4000], 32, shuffle=True)
    net = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=64, name="fc1")
    net = mx.sym.Activation(net, act_type="relu", name="relu1")
    net = mx.sym.FullyConnected(net, num_hidden=26, name="fc2")
    if loss == "custom":
        net = mx.sym.Custom(net, mx.sym.Variable("softmax_label"), op_type="np_softmax",
                            name="softmax")
    else:
        net = mx.sym.SoftmaxOutput(net, name="softmax")
    mod = mx.mod.Module(net)
    mod.fit(train_iter, optimizer_params={"learning_rate": 0.1}, num_epoch=3)
    val_iter = mx.io.NDArrayIter(data[16000:], label[16000:], 100)
    return mod.score(val_iter, "acc")[0][1], mod.get_params()[0]


acc_builtin, params_builtin = train("builtin")
acc_custom, params_custom = train("custom")
print(f"SoftmaxOutput {acc_builtin:.6f}   CustomOp {acc_custom:.6f}")
print("largest weight difference:",
      max(np.abs(params_builtin[k].asnumpy() - params_custom[k].asnumpy()).max()
          for k in params_builtin))
""")

md(en=r"""
The same accuracy, and weights equal to float32 rounding: the two losses compute the same
numbers, one in teachmod's SoftmaxOutput operator, one in your numpy. A custom op takes part in
everything a built-in one does — it is saved in the symbol JSON with its `op_type` (loading the
JSON needs the registration, and says so if it is missing) and appears in `plot_network`.
""", zh=r"""
准确率相同，权重在 float32 舍入误差内相等：两个损失计算出相同的数字，一个来自 teachmod 的算子代码，
一个来自你写的 numpy。自定义算子参与内置算子所参与的一切——它连同 `op_type` 一起保存在符号的
JSON 中（加载 JSON 时需要先注册，缺少注册时会明确报错），也会出现在 `plot_network` 中。
""")

code(r"""
json_text = mx.sym.Custom(mx.sym.Variable("x"), op_type="scaled_tanh", scale=3).tojson()
try:
    mx.sym.load_json(json_text.replace("scaled_tanh", "not_registered"))
except mx.MXNetError as err:
    print(err)
""")

md(en=r"""
## Chains of modules: `SequentialModule` and `PythonLossModule`

A `SequentialModule` runs modules one after another: the outputs of each are the data of the
next, and in backward the input gradients of each are the output gradients of the one before —
backpropagation done by hand, one module at a time. `take_labels=True` gives a module the
batch's labels; `auto_wiring=True` renames the previous outputs to the module's data names.

`PythonLossModule` is a loss with no symbol at all: its output is its input, and its backward is
any function `grad_func(scores, labels)`. Here it is again `softmax(scores) - one_hot`, so the
chain should train exactly as the single network with `SoftmaxOutput` did:
""", zh=r"""
## 模块的串联：`SequentialModule` 与 `PythonLossModule`

`SequentialModule` 依次运行多个模块：每个模块的输出是下一个模块的数据；反向时，每个模块的输入梯度
是前一个模块的输出梯度——这是手工完成的反向传播，一次一个模块。`take_labels=True` 把批次的标签交给
某个模块；`auto_wiring=True` 把前一个模块的输出改名为本模块的数据名。

`PythonLossModule` 是一个完全没有符号的损失：它的输出就是输入，它的反向计算可以是任意函数
`grad_func(scores, labels)`。这里用的仍是 `softmax(scores) - one_hot`，所以这条链应当与使用
`SoftmaxOutput` 的单个网络训练得完全一样：
""")

code(r"""
def softmax_grad(scores, labels):
    x = scores.asnumpy()
    grad = np.exp(x - x.max(axis=1, keepdims=True))
    grad /= grad.sum(axis=1, keepdims=True)
    grad[np.arange(grad.shape[0]), labels.asnumpy().astype(int)] -= 1.0
    return grad


body = mx.sym.Activation(mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=64,
                                               name="fc1"), act_type="relu", name="relu1")
head = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=26, name="fc2")
chain = mx.mod.SequentialModule()
chain.add(mx.mod.Module(body, label_names=None))
chain.add(mx.mod.Module(head, label_names=None), auto_wiring=True)
chain.add(mx.mod.PythonLossModule(grad_func=softmax_grad), take_labels=True, auto_wiring=True)

mx.random.seed(1)
np.random.seed(1)
train_iter = mx.io.NDArrayIter(data[:4000], label[:4000], 32, shuffle=True)
chain.fit(train_iter, optimizer_params={"learning_rate": 0.1}, num_epoch=3)
val_iter = mx.io.NDArrayIter(data[16000:], label[16000:], 100)
params_chain = chain.get_params()[0]
print(f"chain {chain.score(val_iter, 'acc')[0][1]:.6f}   SoftmaxOutput {acc_builtin:.6f}")
print("largest weight difference:",
      max(np.abs(params_builtin[k].asnumpy() - params_chain[k].asnumpy()).max()
          for k in params_builtin))
""")

md(en=r"""
If the shapes of two modules do not fit, `bind` says which module cannot take which outputs:
""", zh=r"""
如果两个模块的形状接不上，`bind` 会指出是哪个模块接不住哪些输出：
""")

code(r"""
narrow = mx.sym.FullyConnected(mx.sym.Variable("data"), mx.sym.Variable("w", shape=(26, 10)),
                               num_hidden=26, name="fc_narrow")
broken = mx.mod.SequentialModule()
broken.add(mx.mod.Module(body, label_names=None))
broken.add(mx.mod.Module(narrow, label_names=None), auto_wiring=True)
try:
    broken.bind([("data", (32, 16))])
except mx.MXNetError as err:
    print(err)
""")

md(en=r"""
## What you have seen

- `CustomOpProp` describes an operator (inputs, outputs, shapes, `need_top_grad`), `CustomOp`
  computes it with `assign`; `@mx.operator.register(name)` makes `mx.sym.Custom(op_type=name)`.
- `check_numeric_gradient` tests a custom backward like a built-in one.
- A numpy softmax loss trains exactly as `SoftmaxOutput`.
- `SequentialModule` chains modules and does backpropagation between them; `PythonLossModule`
  ends a chain with a loss written as a Python function.
""", zh=r"""
## 本课小结

- `CustomOpProp` 描述算子（输入、输出、形状、`need_top_grad`），`CustomOp` 用 `assign` 完成计算；
  `@mx.operator.register(name)` 让 `mx.sym.Custom(op_type=name)` 可用。
- `check_numeric_gradient` 可以像检查内置算子一样检查自定义的反向计算。
- 用 numpy 写的 softmax 损失与 `SoftmaxOutput` 训练出完全相同的结果。
- `SequentialModule` 串联模块并在它们之间做反向传播；`PythonLossModule` 用一个 Python 函数作为
  链条末尾的损失。
""")
