# Lesson 1 -- Symbols. Cells in order; md(en=..., zh=...) and code(...): see notebooks/build.py.

md(en=r"""
# Lesson 1 · Symbols: describing a network before computing it

*[阅读中文版](../zh/01_symbols.ipynb)*

MXNet's Module API trains networks that are written down first and computed later. The written-down
network is a **Symbol**: a graph of operators whose inputs are named placeholders. In this lesson
you will

- build a small graph and evaluate it,
- build the multilayer perceptron (MLP) of the Module tutorial and see where its names come from,
- let `infer_shape` work out the shape of every weight from the shape of the data,
- draw the graph with `mx.viz.plot_network` and count its parameters with `mx.viz.print_summary`,
- look at the JSON text that a saved network really is.

Everything runs on teachmod, a plain-numpy re-implementation of MXNet 1.x: `import teachmod as mx`
and MXNet code runs unchanged.
""", zh=r"""
# 第 1 课 · 符号（Symbol）：先描述网络，再做计算

*[English version](../en/01_symbols.ipynb)*

MXNet 的 Module 接口训练的网络是“先写出来、后计算”的。写出来的网络叫作 **Symbol（符号）**：
一张由算子组成的计算图，图的输入是一个个有名字的占位符。本课你将会：

- 搭一张小计算图并求值；
- 搭出 Module 教程里的多层感知机（MLP），弄清各个名字从何而来；
- 用 `infer_shape` 从数据的形状推出每个权重的形状；
- 用 `mx.viz.plot_network` 画出计算图，用 `mx.viz.print_summary` 统计参数个数；
- 看一看保存下来的网络究竟是什么样的 JSON 文本。

所有代码都运行在 teachmod 上——一个用纯 numpy 重写的 MXNet 1.x。只要 `import teachmod as mx`，
MXNet 的代码便可原样运行。
""")

md(en=r"""
## A graph is a recipe, not a result

`mx.sym.Variable` makes a named input. Arithmetic on symbols does not compute anything: it adds
a node to a graph. Printing `c` shows a symbol, not numbers.
""", zh=r"""
## 计算图是“菜谱”，不是“菜”

`mx.sym.Variable` 创建一个有名字的输入。对符号做算术并不会真的算出什么，只是往图里添了一个节点。
所以打印 `c` 看到的是一个符号，而不是数字。
""")

code(r"""
import numpy as np
import teachmod as mx

a = mx.sym.Variable('a')
b = mx.sym.Variable('b')
c = a + 2 * b
print(c)
print('arguments:', c.list_arguments())
print('outputs:  ', c.list_outputs())
""", tags=["nbval-check-output"])

md(en=r"""
To get numbers, give every argument a value. `eval` does it in one call; `bind` creates an
**executor**, the object that holds the arrays and runs the graph forward and backward. Because
the graph knows every operation, it also knows the derivatives: with an output gradient of ones,
the gradient of `a + 2*b` is 1 for `a` and 2 for `b`.
""", zh=r"""
要得到数字，就得给每个参数一个值。`eval` 一步完成；`bind` 则创建一个**执行器（executor）**，
它持有所有数组，负责把图向前（forward）和向后（backward）跑一遍。计算图记得每一步运算，
因此也知道导数：输出梯度全为 1 时，`a + 2*b` 对 `a` 的梯度是 1，对 `b` 的梯度是 2。
""")

code(r"""
x = mx.nd.array([[1, 2, 3], [4, 5, 6]])
print(c.eval(ctx=mx.cpu(), a=mx.nd.ones((2, 3)), b=x)[0])

executor = c.bind(mx.cpu(),
                  args={'a': mx.nd.ones((2, 3)), 'b': x},
                  args_grad={'a': mx.nd.zeros((2, 3)), 'b': mx.nd.zeros((2, 3))})
executor.forward(is_train=True)
executor.backward(out_grads=mx.nd.ones((2, 3)))
print('d c / d a =', executor.grad_dict['a'].asnumpy().tolist())
print('d c / d b =', executor.grad_dict['b'].asnumpy().tolist())
""", tags=["nbval-check-output"])

md(en=r"""
## The Module tutorial's network

The same idea scales to a neural network. Here is the MLP that the MXNet Module tutorial trains
on the UCI letters (16 numbers per handwritten capital letter, 26 classes): a hidden layer of 64
ReLU units and a softmax over the 26 letters.
""", zh=r"""
## Module 教程中的网络

同样的思路可以用来搭神经网络。下面是 MXNet Module 教程在 UCI 字母数据集上训练的 MLP
（每个手写大写字母用 16 个数描述，共 26 类）：一个含 64 个 ReLU 单元的隐藏层，外加一个覆盖
26 个字母的 softmax 输出层。
""")

code(r"""
net = mx.sym.Variable('data')
net = mx.sym.FullyConnected(net, name='fc1', num_hidden=64)
net = mx.sym.Activation(net, name='relu1', act_type="relu")
net = mx.sym.FullyConnected(net, name='fc2', num_hidden=26)
net = mx.sym.SoftmaxOutput(net, name='softmax')
net.list_arguments()
""", tags=["nbval-check-output"])

md(en=r"""
We only created one variable, `data`, yet the network has six arguments. Each operator creates a
variable for every input you do not pass: `FullyConnected` named `fc1` asks for `fc1_weight`
and `fc1_bias`, and `SoftmaxOutput` named `softmax` asks for `softmax_label`. The rule is always
*node name + `_` + input name*.

These names are not decoration. `Module` feeds a batch into the arguments called `data` and
`softmax_label`, treats every *other* argument as a parameter to learn, and a checkpoint stores
the parameters under these names (lesson 3 opens one).
""", zh=r"""
我们只创建了一个变量 `data`，网络却有六个参数（argument）。每个算子都会为你没有传入的输入自动创建变量：
名为 `fc1` 的 `FullyConnected` 需要 `fc1_weight` 和 `fc1_bias`，名为 `softmax` 的
`SoftmaxOutput` 需要 `softmax_label`。命名规则始终是 *节点名 + `_` + 输入名*。

这些名字可不只是装饰。`Module` 会把一批数据送进名为 `data` 和 `softmax_label` 的参数，
把**其余**参数都当作要学习的模型参数；检查点（checkpoint）也按这些名字保存参数（第 3 课会打开一个看看）。
""")

md(en=r"""
When you leave `name` out, a counter per operator type makes one up (`fullyconnected0`,
`fullyconnected1`, ...). `mx.name.Prefix` puts a prefix in front of every name made inside a
`with` block, which is handy when one network contains two copies of a block.
""", zh=r"""
如果不写 `name`，每种算子各有一个计数器替你起名（`fullyconnected0`、`fullyconnected1`……）。
`mx.name.Prefix` 会给 `with` 块中产生的每个名字加上前缀；当一个网络里要放同一个模块的两份拷贝时，这很方便。
""")

code(r"""
x = mx.sym.Variable('x')
h = mx.sym.FullyConnected(x, num_hidden=8)
h = mx.sym.FullyConnected(h, num_hidden=8)
print(h.list_arguments())

with mx.name.Prefix('encoder_'):
    e = mx.sym.FullyConnected(x, num_hidden=8)
print(e.list_arguments())
""")

md(en=r"""
## Shapes: give the data, get everything else

A symbol holds no arrays, so it has no shapes of its own. `infer_shape` takes the shape of the
input — a batch of 32 rows of 16 features — and walks the graph, asking each operator what it
needs. `fc1` sees 16 input features and 64 hidden units, so its weight must be `(64, 16)`:
MXNet stores a dense layer's weight as *(outputs, inputs)* and computes `data @ weight.T + bias`.
""", zh=r"""
## 形状：给出数据的形状，其余自动推出

符号里没有数组，所以本身没有形状。`infer_shape` 接收输入的形状——一批 32 行、每行 16 个特征——
然后沿着计算图逐个询问算子需要什么。`fc1` 看到 16 个输入特征、64 个隐藏单元，于是它的权重必须是
`(64, 16)`：MXNet 中全连接层的权重按 *(输出数, 输入数)* 存放，计算的是 `data @ weight.T + bias`。
""")

code(r"""
arg_shapes, out_shapes, aux_shapes = net.infer_shape(data=(32, 16))
for name, shape in zip(net.list_arguments(), arg_shapes):
    print(f'{name:14s} {shape}')
print('output        ', out_shapes[0])
""", tags=["nbval-check-output"])

md(en=r"""
Even the label shape `(32,)` was inferred: `SoftmaxOutput` expects one class index per row.
If two pieces of information disagree, inference stops and names the node and the input that
do not fit:
""", zh=r"""
连标签的形状 `(32,)` 也是推出来的：`SoftmaxOutput` 要求每一行对应一个类别编号。
如果两处信息互相矛盾，推断就会停下，并指出是哪个节点的哪个输入对不上：
""")

code(r"""
try:
    net.infer_shape(data=(32, 16), fc2_weight=(26, 100))
except mx.MXNetError as error:
    print('MXNetError:', error)
""", tags=["nbval-check-output"])

md(en=r"""
## Drawing the graph

`mx.viz.plot_network` returns a Graphviz drawing. Given the data shape, it writes the shape of
the array on every edge. Variables such as weights are hidden, as in MXNet, so you see the
layers and what flows between them.
""", zh=r"""
## 画出计算图

`mx.viz.plot_network` 返回一张 Graphviz 图。给出数据形状后，每条边上都会标出流过的数组形状。
和 MXNet 一样，权重之类的变量不画出来，你看到的是各层以及层与层之间流动的数据。
""")

code(r"""
mx.viz.plot_network(net, shape={'data': (32, 16)})
""")

md(en=r"""
`print_summary` gives the same graph as a table with the number of parameters per layer:
`fc1` has 64 × 16 weights and 64 biases, 1088 in all; `fc2` has 26 × 64 + 26 = 1690.
""", zh=r"""
`print_summary` 把同一张图列成表格，并给出每层的参数个数：`fc1` 有 64 × 16 个权重加 64 个偏置，
共 1088 个；`fc2` 有 26 × 64 + 26 = 1690 个。
""")

code(r"""
mx.viz.print_summary(net, shape={'data': (32, 16)})
""", tags=["nbval-check-output"])

md(en=r"""
## Every intermediate result has a name

`get_internals()` turns every node's output into an output of one big group. Indexing it by name
cuts the graph there: `relu1_output` is a new symbol that stops after the hidden layer, which
is how features are extracted from a trained network. `mx.sym.Group` bundles several symbols into
one with several outputs.
""", zh=r"""
## 每个中间结果都有名字

`get_internals()` 把每个节点的输出都变成一个大组合的输出。按名字取出其中一个，就相当于在那里把图剪断：
`relu1_output` 是一个在隐藏层之后就结束的新符号——从训练好的网络中提取特征就是这么做的。
`mx.sym.Group` 则把几个符号合成一个多输出的符号。
""")

code(r"""
internals = net.get_internals()
print(internals.list_outputs())

features = internals['relu1_output']
print(features.list_arguments())
print(features.infer_shape(data=(32, 16))[1])

both = mx.sym.Group([net, features])
print(both.list_outputs())
""", tags=["nbval-check-output"])

md(en=r"""
## A network is a JSON document

`tojson()` writes the graph in MXNet's own format; a checkpoint's `-symbol.json` file holds
exactly this text, so a network saved by teachmod loads in MXNet and the other way round.
There are three lists: `nodes` (variables have `"op": "null"`), `arg_nodes` (which nodes are
variables) and `heads` (the outputs). Every input is `[node index, output index, version]`.
""", zh=r"""
## 网络就是一份 JSON 文档

`tojson()` 以 MXNet 自己的格式写出计算图；检查点中的 `-symbol.json` 文件存的正是这段文本，
因此 teachmod 保存的网络可以在 MXNet 中加载，反之亦然。它有三个列表：`nodes`（变量的
`"op"` 为 `"null"`）、`arg_nodes`（哪些节点是变量）和 `heads`（输出）。每个输入都写作
`[节点编号, 输出编号, 版本]`。
""")

code(r"""
import json

graph = json.loads(net.tojson())
for index, node in enumerate(graph['nodes']):
    print(index, node['op'], node['name'], node.get('attrs', {}), node['inputs'])
print('arg_nodes:', graph['arg_nodes'])
print('heads:    ', graph['heads'])
""", tags=["nbval-check-output"])

md(en=r"""
Reading the text back gives the same network:
""", zh=r"""
把这段文本读回来，得到的是同一个网络：
""")

code(r"""
again = mx.sym.load_json(net.tojson())
print(again.tojson() == net.tojson(), again.list_arguments() == net.list_arguments())
""", tags=["nbval-check-output"])

md(en=r"""
## Summary and exercises

- A `Symbol` is a graph; nothing is computed until it is bound to arrays.
- Operators create their weight, bias and label variables as *node name_input name*; `Module`
  and checkpoints rely on those names.
- `infer_shape` derives every shape from the data shape; `plot_network` and `print_summary` show
  the result.
- The saved form of a network is MXNet's JSON.

Try: add a second hidden layer of 32 units and predict the new total of parameters before running
`print_summary`. Replace `act_type="relu"` by `"tanh"` and compare the JSON. Where in the
teachmod source is `fc1_weight` named? (Hint: `teachmod/symbol/symbol.py`.)

Next: [Lesson 2 · Module, step by step](02_module_intermediate.ipynb).
""", zh=r"""
## 小结与练习

- `Symbol` 是一张计算图，只有绑定（bind）到数组后才会计算。
- 算子以 *节点名_输入名* 的方式自动创建权重、偏置和标签变量；`Module` 和检查点都依赖这些名字。
- `infer_shape` 从数据形状推出所有形状；`plot_network` 和 `print_summary` 把结果展示出来。
- 网络保存下来的形式就是 MXNet 的 JSON。

动手试试：再加一个 32 个单元的隐藏层，先自己算出参数总数，再用 `print_summary` 验证。把
`act_type="relu"` 换成 `"tanh"`，对比前后的 JSON。`fc1_weight` 这个名字是在 teachmod 源码的哪里起的？
（提示：`teachmod/symbol/symbol.py`。）

下一课：[第 2 课 · 一步一步使用 Module](02_module_intermediate.ipynb)。
""")
