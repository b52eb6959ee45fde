# Lesson 9 -- Recurrent networks: an LSTM step, unrolling, a language model with buckets.
# md(en=..., zh=...) and code(...): see notebooks/build.py.

md(en=r"""
# Lesson 9 · Recurrent networks: from one LSTM step to a language model

*[阅读中文版](../zh/09_rnn_language_model.ipynb)*

The networks of lessons 1–8 see their whole input at once. Text arrives one symbol after
another, and a **recurrent** network reads it that way: a *cell* takes the current input and a
few state arrays, and returns an output and the new states, which it reads again at the next
step. `mx.rnn` builds such cells out of ordinary symbols, and `unroll` repeats a cell over a
sequence, so the result is a plain graph that `Module` trains like any other. You will

- compute one LSTM step by hand in numpy and get the same numbers from `mx.rnn.LSTMCell`,
- unroll the cell over three steps and look at the graph: the same weights at every step,
- train a small character-level language model on the opening of *Alice's Adventures in
  Wonderland* with `mx.rnn.BucketSentenceIter` and `mx.mod.BucketingModule`, and watch its
  perplexity fall,
- let the trained model write, one character at a time, with the numpy step of the first part.
""", zh=r"""
# 第 9 课 · 循环神经网络：从一个 LSTM 时间步到语言模型

*[English version](../en/09_rnn_language_model.ipynb)*

第 1–8 课的网络一次就看到全部输入。文本却是一个符号接一个符号到来的，**循环**网络也正是这样读它的：
一个*单元（cell）*接收当前的输入和若干个状态数组，返回一个输出和新的状态，下一步再把这些状态读回去。
`mx.rnn` 用普通的符号搭出这样的单元，`unroll` 把单元沿着序列重复展开，得到的结果是一张普通的计算图，
`Module` 可以像训练其他网络一样训练它。本课你将会：

- 用 numpy 亲手算出一个 LSTM 时间步，并从 `mx.rnn.LSTMCell` 得到相同的数字；
- 把单元展开三步，观察计算图：每一步都使用同一组权重；
- 用 `mx.rnn.BucketSentenceIter` 和 `mx.mod.BucketingModule`，在《爱丽丝梦游仙境》的开头上训练一个
  小型的字符级语言模型，看着它的困惑度（perplexity）下降；
- 用第一部分写的 numpy 时间步，让训练好的模型一个字符一个字符地写出文字。
""")

md(en=r"""
## One LSTM step, by hand

An LSTM cell keeps two states: `h`, which it also outputs, and the *memory* `c`. One step
computes four groups of numbers from the input `x` and the previous `h`, with one weight matrix
for the input (`i2h`) and one for the state (`h2h`):

- `i`, the *input gate*, and `f`, the *forget gate* (sigmoids, between 0 and 1),
- `g`, the candidate new content (tanh, between −1 and 1),
- `o`, the *output gate* (a sigmoid).

The new memory keeps a fraction `f` of the old one and adds a fraction `i` of the new content:
`c' = σ(f)·c + σ(i)·tanh(g)`; the output shows a fraction `o` of it: `h' = σ(o)·tanh(c')`.
MXNet stacks the four groups in the order `i, f, g, o` in one matrix of `4 × num_hidden` rows, so
one matrix product computes all of them. Here is the step in numpy:
""", zh=r"""
## 亲手算一个 LSTM 时间步

LSTM 单元保存两个状态：`h`（它同时也是输出）和*记忆* `c`。一个时间步根据输入 `x` 和上一步的 `h`
计算四组数，输入用一个权重矩阵（`i2h`），状态用另一个（`h2h`）：

- `i` 是*输入门*，`f` 是*遗忘门*（经过 sigmoid，取值在 0 和 1 之间）；
- `g` 是候选的新内容（经过 tanh，取值在 −1 和 1 之间）；
- `o` 是*输出门*（经过 sigmoid）。

新的记忆保留旧记忆的 `f` 那么多，再加上新内容的 `i` 那么多：`c' = σ(f)·c + σ(i)·tanh(g)`；
输出则显示其中 `o` 那么多：`h' = σ(o)·tanh(c')`。MXNet 把这四组按 `i, f, g, o` 的顺序叠放在一个
`4 × num_hidden` 行的矩阵里，所以一次矩阵乘法就能把它们全部算出来。下面是用 numpy 写的一个时间步：
""")

code(r"""
import logging
import random
import re
import importlib.resources
import numpy as np
import teachmod as mx

logging.getLogger().setLevel(logging.WARNING)

N, I, H = 2, 3, 4                      # batch, input size, hidden size
rng = np.random.RandomState(0)
x, h, c = rng.randn(N, I), rng.randn(N, H), rng.randn(N, H)
Wx, bx = 0.5 * rng.randn(4 * H, I), 0.1 * rng.randn(4 * H)
Wh, bh = 0.5 * rng.randn(4 * H, H), 0.1 * rng.randn(4 * H)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def lstm_step(x, h, c, Wx, bx, Wh, bh):
    z = x @ Wx.T + bx + h @ Wh.T + bh           # (N, 4H): all four gates at once
    i, f, g, o = np.split(z, 4, axis=1)
    c_next = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    h_next = sigmoid(o) * np.tanh(c_next)
    return h_next, c_next


h1, c1 = lstm_step(x, h, c, Wx, bx, Wh, bh)
print('h1 =\n', h1.round(4))
""")

md(en=r"""
`mx.rnn.LSTMCell(num_hidden)` is the same step written with symbols. Calling the cell on an input
symbol and a list of state symbols returns the output and the new states. We give it our own
state variables `h` and `c`, so that we can feed them; its parameters are named after its prefix:
`lstm_i2h_weight`, `lstm_i2h_bias`, `lstm_h2h_weight`, `lstm_h2h_bias`.
""", zh=r"""
`mx.rnn.LSTMCell(num_hidden)` 是用符号写出的同一个时间步。用一个输入符号和一组状态符号调用单元，
它返回输出和新的状态。这里我们给它自己的状态变量 `h` 和 `c`，以便传入数值；它的参数以前缀命名：
`lstm_i2h_weight`、`lstm_i2h_bias`、`lstm_h2h_weight`、`lstm_h2h_bias`。
""")

code(r"""
cell = mx.rnn.LSTMCell(num_hidden=H, prefix='lstm_')
out, (h_sym, c_sym) = cell(mx.sym.Variable('x'), [mx.sym.Variable('h'), mx.sym.Variable('c')])
step = mx.sym.Group([h_sym, c_sym])
print(step.list_arguments())

arrays = {'x': x, 'h': h, 'c': c, 'lstm_i2h_weight': Wx, 'lstm_i2h_bias': bx,
          'lstm_h2h_weight': Wh, 'lstm_h2h_bias': bh}
got_h, got_c = step.eval(**{k: mx.nd.array(v) for k, v in arrays.items()})
print('largest difference, h:', np.abs(got_h.asnumpy() - h1).max())
print('largest difference, c:', np.abs(got_c.asnumpy() - c1).max())
""")

md(en=r"""
The differences are float32 rounding (teachmod computes in float32, numpy above in float64):
the cell is exactly these few lines. Two details of `LSTMCell` that the numpy version does not
show: the output `out` *is* the new `h` (the same symbol), and its `forget_bias=1.0` makes the
initializer start the forget part of `i2h_bias` at 1, so that a new cell tends to remember.
""", zh=r"""
这些差别只是 float32 的舍入误差（teachmod 用 float32 计算，上面的 numpy 用 float64）：这个单元就是这几行代码。
有两个细节在 numpy 版本里看不出来：输出 `out` *就是*新的 `h`（同一个符号）；`forget_bias=1.0`
让初始化器把 `i2h_bias` 中遗忘门的部分初始化为 1，这样新单元一开始倾向于记住过去。
""")

md(en=r"""
## Unrolling

`cell.unroll(length, inputs)` calls the cell `length` times, feeding each step the states of the
previous one; the first states come from `begin_state()` (zeros). With `layout='NTC'` the input is
one symbol of shape (batch, time, channels), which `unroll` splits into steps. Every step
gets its own node names (`lstm_t0_…`, `lstm_t1_…`), but all of them use the *same* four
parameters: the unrolled graph has no more weights than a single step.
""", zh=r"""
## 展开

`cell.unroll(length, inputs)` 调用单元 `length` 次，每一步都接收上一步的状态；最初的状态来自
`begin_state()`（全零）。使用 `layout='NTC'` 时，输入是一个形状为（批量，时间，通道）的符号，
`unroll` 会把它切分成各个时间步。每一步的节点都有自己的名字（`lstm_t0_…`、`lstm_t1_…`），
但它们全都使用*同样的*四个参数：展开后的计算图并不比单个时间步多出任何权重。
""")

code(r"""
cell.reset()                              # start the step counter again (t0, t1, ...)
outputs, states = cell.unroll(3, inputs=mx.sym.Variable('data'), layout='NTC',
                              merge_outputs=False)
unrolled = mx.sym.Group(outputs)
print(unrolled.list_arguments())
print(unrolled.list_outputs())
""")

md(en=r"""
The graph, read from the bottom: `data` is split into three steps; each step is two
`FullyConnected` layers (input and state, 16 = 4 × 4 rows), their sum, the slice into four gates,
three sigmoids and a tanh, and the products that make `c'` (`lstm_tN_state`) and `h'`
(`lstm_tN_out`). The long edges carry `h` and `c` from one step to the next. The numbers on the
edges are the shapes without the batch axis.
""", zh=r"""
从下往上读这张图：`data` 被切成三步；每一步都是两个 `FullyConnected` 层（分别作用于输入和状态，
16 = 4 × 4 行）、它们的和、切成四个门的切片、三个 sigmoid 和一个 tanh，以及得到 `c'`（`lstm_tN_state`）
和 `h'`（`lstm_tN_out`）的乘法。那些长长的边把 `h` 和 `c` 从一步传到下一步。边上的数字是去掉批量维度后的形状。
""")

code(r"""
mx.viz.plot_network(unrolled, shape={'data': (N, 3, I)}, node_attrs={'fixedsize': 'false'})
""")

md(en=r"""
## A text, cut into sentences

teachmod ships the opening of Lewis Carroll's *Alice's Adventures in Wonderland* (1865, in the
public domain; see `teachmod/data/README.md`). For a character-level model each "sentence" is a
list of characters. We cut the text after punctuation, so that the pieces have different
lengths — which is what buckets are for.
""", zh=r"""
teachmod 附带了刘易斯·卡罗尔《爱丽丝梦游仙境》（1865 年，已进入公有领域；见 `teachmod/data/README.md`）
的开头部分。对字符级模型来说，每个“句子”就是一个字符列表。我们在标点之后切开文本，让各段长短不一——
这正是分桶（bucket）要处理的情况。
""")

code(r"""
text = importlib.resources.files('teachmod').joinpath('data/alice-chapter1.txt').read_text('utf-8')
body = ' '.join(text.split('Rabbit-Hole', 1)[1].split())     # the chapter, on one line
pieces = [p for p in re.split(r'(?<=[.!?;:,])\s+', body) if p]
print(len(pieces), 'pieces,', len(body), 'characters')
for p in pieces[:4]:
    print(repr(p))
""")

md(en=r"""
`mx.rnn.encode_sentences` turns the characters into integer ids and builds the vocabulary. We
keep id 0 for padding (`invalid_label=0`), so the characters get ids from 1; the vocabulary
also lists the padding itself, under the key `'\n'`. Every fourth piece is held out for
validation.
""", zh=r"""
`mx.rnn.encode_sentences` 把字符变成整数编号，并建立词表。我们把编号 0 留给填充（`invalid_label=0`），
所以字符的编号从 1 开始；词表里也记着填充本身，键为 `'\n'`。每四段留出一段用于验证。
""")

code(r"""
random.seed(0)
np.random.seed(0)
mx.random.seed(0)

encoded, vocab = mx.rnn.encode_sentences([list(p) for p in pieces],
                                         invalid_label=0, start_label=1)
train_sentences = [s for k, s in enumerate(encoded) if k % 4 != 0]
val_sentences = [s for k, s in enumerate(encoded) if k % 4 == 0]
V = len(vocab)                          # the characters, and 0 for padding
print(V - 1, 'characters:', ''.join(sorted(ch for ch in vocab if ch != '\n')))
""")

md(en=r"""
## Buckets

Padding every piece to the longest one would waste most of the work on padding. A
`BucketSentenceIter` sorts the sentences into *buckets* by length: each sentence is padded to
the smallest bucket length that holds it (longer ones are dropped, with a printed warning), and
every batch comes from one bucket. Its `bucket_key` is that length. The label of each step is
the next character; after the last one it is the padding id 0.
""", zh=r"""
## 分桶

如果把每一段都填充到最长那段的长度，大部分计算都会浪费在填充上。`BucketSentenceIter` 按长度把句子分进
不同的*桶*：每个句子被填充到能容纳它的最小桶长度（更长的句子会被丢弃，并打印一条警告），每个批次都来自同一个桶。
批次的 `bucket_key` 就是这个长度。每一步的标签是下一个字符；最后一个字符之后的标签是填充编号 0。
""")

code(r"""
buckets = [16, 32, 48, 64, 96]
batch_size = 4
train_iter = mx.rnn.BucketSentenceIter(train_sentences, batch_size, buckets=buckets,
                                       invalid_label=0)
val_iter = mx.rnn.BucketSentenceIter(val_sentences, batch_size, buckets=buckets,
                                     invalid_label=0)
print('buckets:', train_iter.buckets, ' default key:', train_iter.default_bucket_key)
print(len(train_iter.idx), 'training batches,', len(val_iter.idx), 'validation batches')

inverse = {i: ch for ch, i in vocab.items() if i != 0}
batch = next(iter(train_iter))
print('bucket_key:', batch.bucket_key, ' data:', batch.data[0].shape)
print('data :', repr(''.join(inverse.get(int(i), '_') for i in batch.data[0].asnumpy()[0])))
print('label:', repr(''.join(inverse.get(int(i), '_') for i in batch.label[0].asnumpy()[0])))
""")

md(en=r"""
(`_` marks the padding.) The label row is the data row moved one place to the left.

## The network for one bucket, and `BucketingModule`

`BucketingModule` takes a function `sym_gen(bucket_key)` that returns the network unrolled to
that length, with its data and label names. It builds one `Module` per bucket as batches of
that bucket arrive, and all of them share one set of parameters — possible because, as we saw,
unrolling adds no weights. Our network: an `Embedding` turns each character id into a vector of
16 numbers, the LSTM reads the sequence (64 hidden units), and a `FullyConnected` layer scores
the next character at every step. `SoftmaxOutput` with `use_ignore=True, ignore_label=0` gives no
gradient at the padding, and `mx.metric.Perplexity(ignore_label=0)` does not count it.
""", zh=r"""
（`_` 表示填充。）标签行就是数据行向左移动一位。

## 一个桶的网络，以及 `BucketingModule`

`BucketingModule` 接收一个函数 `sym_gen(bucket_key)`，它返回展开到这个长度的网络，以及数据和标签的名字。
每当某个桶的批次到来，它就为这个桶建一个 `Module`，所有这些模块共享同一组参数——之所以可以这样做，
正是因为我们前面看到的：展开不会增加权重。我们的网络是：`Embedding` 把每个字符编号变成 16 个数的向量，
LSTM（64 个隐藏单元）读入序列，`FullyConnected` 层在每一步给下一个字符打分。`SoftmaxOutput` 加上
`use_ignore=True, ignore_label=0` 后，填充位置不产生梯度；`mx.metric.Perplexity(ignore_label=0)` 也不统计它们。
""")

code(r"""
num_embed, num_hidden = 16, 64
lm_cell = mx.rnn.LSTMCell(num_hidden, prefix='lstm_')


def sym_gen(seq_len):
    data = mx.sym.Variable('data')
    label = mx.sym.Variable('softmax_label')
    embed = mx.sym.Embedding(data, input_dim=V, output_dim=num_embed, name='embed')
    lm_cell.reset()
    output, _ = lm_cell.unroll(seq_len, inputs=embed, layout='NTC', merge_outputs=True)
    pred = mx.sym.Reshape(output, shape=(-1, num_hidden))          # (batch * time, hidden)
    pred = mx.sym.FullyConnected(pred, num_hidden=V, name='pred')
    label = mx.sym.Reshape(label, shape=(-1,))
    net = mx.sym.SoftmaxOutput(pred, label, name='softmax', use_ignore=True, ignore_label=0)
    return net, ('data',), ('softmax_label',)


net, _, _ = sym_gen(16)
print(net.infer_shape(data=(batch_size, 16), softmax_label=(batch_size, 16))[1][-1])
""")

md(en=r"""
## Training, with the perplexity live

Perplexity is `exp` of the mean negative log-probability the model gives the right next
character. A model that guesses uniformly among the characters has a perplexity equal to their
number; a perfect model has 1. We train for 12 epochs with Adam and draw the training and
validation perplexity with `mx.callback.LiveMetrics`, as in lesson 3.
""", zh=r"""
困惑度是模型给正确的下一个字符的负对数概率取平均后再取 `exp`。在所有字符中均匀乱猜的模型，
困惑度等于字符的个数；完美的模型困惑度为 1。我们用 Adam 训练 12 轮，并像第 3 课那样用
`mx.callback.LiveMetrics` 实时画出训练和验证的困惑度。
""")

code(r"""
import matplotlib.pyplot as plt

plt.rcParams['font.sans-serif'] = mx.viz.chinese_fonts()
plt.rcParams['axes.unicode_minus'] = False
logging.getLogger().setLevel(logging.INFO)

model = mx.mod.BucketingModule(sym_gen, default_bucket_key=train_iter.default_bucket_key,
                               context=mx.cpu())
live = mx.callback.LiveMetrics(model)
model.fit(train_iter, eval_data=val_iter,
          eval_metric=mx.metric.Perplexity(ignore_label=0),
          optimizer='adam', optimizer_params={'learning_rate': 0.01},
          initializer=mx.init.Xavier(), num_epoch=12,
          batch_end_callback=live, eval_end_callback=live.eval_end)
logging.getLogger().setLevel(logging.WARNING)
""")

md(en=r"""
The model started near the uniform guess and ends far below it: it has learnt which letters
follow which, where spaces go, and some short words. With a few kilobytes of text the
validation perplexity falls more slowly than the training perplexity and soon levels off: the
model begins to memorise the sentences it trains on (train for 25 epochs and the validation
perplexity rises again while the training perplexity keeps falling). `score` below gives a
slightly different figure from the last logged one because `reset` reshuffles the sentences, and
the few that do not fill a last batch of their bucket are left out, a different few each time.
""", zh=r"""
模型一开始接近均匀乱猜，最后远远低于它：它学会了哪些字母跟在哪些字母后面、空格应该出现在哪里，
以及一些短单词。由于只有几千字节的文本，验证困惑度比训练困惑度下降得慢，而且很快就趋于平稳：模型开始背诵它训练用的句子了
（如果训练 25 轮，训练困惑度继续下降，验证困惑度却会重新上升）。下面 `score` 给出的数字与最后一次记录的略有不同，因为 `reset` 会重新打乱句子，
而每个桶里凑不满最后一批的那几句会被略过，每次略过的都不一样。
""")

code(r"""
print('validation perplexity:', round(model.score(val_iter, mx.metric.Perplexity(0))[0][1], 2))
print('uniform guess        :', V - 1)
""")

md(en=r"""
## Let the model write

The trained weights are ordinary arrays. `get_params()` returns them, and the `lstm_step` of
the first part runs the cell with them, one character at a time: embed the character, take one
LSTM step, score the next character, draw one from the softmax, and feed it back. The
temperature 0.5 sharpens the distribution a little.
""", zh=r"""
## 让模型写作

训练好的权重就是普通的数组。`get_params()` 返回它们，第一部分写的 `lstm_step` 用它们运行这个单元，
每次一个字符：把字符嵌入成向量，走一个 LSTM 时间步，给下一个字符打分，从 softmax 中抽取一个字符，
再把它送回去。温度 0.5 让分布稍微集中一些。
""")

code(r"""
arg_params, _ = model.get_params()
p = {k: v.asnumpy().astype(np.float64) for k, v in arg_params.items()}
sampler = np.random.RandomState(1)


def write(prompt, length=160, temperature=0.5):
    h = np.zeros((1, num_hidden))
    c = np.zeros((1, num_hidden))
    result = prompt
    for k in range(len(prompt) + length - 1):
        ch = result[k]
        x = p['embed_weight'][[vocab[ch]]]
        h, c = lstm_step(x, h, c, p['lstm_i2h_weight'], p['lstm_i2h_bias'],
                         p['lstm_h2h_weight'], p['lstm_h2h_bias'])
        if k + 1 < len(prompt):
            continue                    # still reading the prompt
        scores = (h @ p['pred_weight'].T + p['pred_bias'])[0] / temperature
        scores[0] = -np.inf             # never the padding
        prob = np.exp(scores - scores.max())
        result += inverse[sampler.choice(V, p=prob / prob.sum())]
    return result


print(write('Alice '))
""")

md(en=r"""
Not Carroll, but English-looking: words of the text, spaces and punctuation in plausible
places. A larger model, more text and more epochs (MXNet's `lstm_bucketing.py` example trains
two layers of 200 units on the Penn Treebank) write better; the code stays the same.

## What to remember

- An LSTM step is two matrix products, four gates and two lines of arithmetic; `mx.rnn.LSTMCell`
  builds exactly that from symbols.
- `unroll` repeats the cell over time; every step shares the same parameters.
- `BucketSentenceIter` groups sentences by length and sets each batch's `bucket_key`;
  `BucketingModule` builds the network for each key with `sym_gen` and shares the parameters.
- Perplexity (`mx.metric.Perplexity`, ignoring the padding) measures a language model: the
  number of characters it is, on average, choosing between.
""", zh=r"""
这不是卡罗尔的文笔，但看起来像英语：有原文中的单词，空格和标点也出现在说得过去的位置。
更大的模型、更多的文本和更多的轮次（MXNet 的 `lstm_bucketing.py` 示例在 Penn Treebank 上训练两层、每层
200 个单元的网络）会写得更好；代码还是同样的代码。

## 要点

- 一个 LSTM 时间步就是两次矩阵乘法、四个门和两行算术；`mx.rnn.LSTMCell` 用符号搭出的正是这些。
- `unroll` 沿时间重复这个单元；每一步共享同一组参数。
- `BucketSentenceIter` 按长度把句子分组，并设置每个批次的 `bucket_key`；`BucketingModule` 用 `sym_gen`
  为每个键建出网络，并共享参数。
- 困惑度（`mx.metric.Perplexity`，忽略填充）衡量语言模型的好坏：平均来说，它是在多少个字符之间做选择。
""")
