"""The Module examples of 《MXNet深度学习实战》 (MXNet Deep Learning in Action), section 3.3.

Three pieces of the book's code, each in a function, in the book's order:

- ``prediction()``: bind a Module for inference, ``init_params()``, ``forward`` one random batch
  and print the ``(8, 2)`` softmax output (the network is the one section 3.2 defines);
- ``listing_3_1()``: train with the hand-written loop (``forward``, ``backward``, ``update``,
  ``update_metric``, ``prepare``, ``get_params``/``set_params``), printing each epoch's accuracy;
- ``listing_3_2()``: the same training with ``fit``, which logs accuracy and time per epoch.

The code is the book's, unchanged except ``import mxnet as mx`` -> ``import teachmod as mx``
(the two imports the listings begin with sit at the top of this file) and the data size: the
listings train on 1000 random 3 x 224 x 224 images, here ``NUM_IMAGES`` images of
3 x ``IMAGE_SIZE`` x ``IMAGE_SIZE``. The labels are random, so what the network learns is to
memorise them; the book's run climbs 0.51, 0.70, 0.96, 0.99, 0.995.

Run ``python -m teachmod.tutorials.book_listings`` for a quick run on 64 images of
3 x 128 x 128 (``SHRUNK``; they too are memorised within the five epochs), or add ``--full``
for the book's data (``FULL``; several minutes per listing). ``mx.gpu(0)`` is accepted:
teachmod computes on the CPU and warns once.
"""
import argparse
import sys

import teachmod as mx
import logging

FULL = (1000, 224)    # the book's data: 1000 images of 3 x 224 x 224
SHRUNK = (64, 128)    # the quick run: 64 images of 3 x 128 x 128
NUM_IMAGES, IMAGE_SIZE = SHRUNK


def prediction() -> None:
    """Section 3.3's prediction snippet, on the network of section 3.2."""
    data = mx.sym.Variable('data')
    conv = mx.sym.Convolution(data=data, num_filter=128, kernel=(3,3), pad=(1,1),
                              name='conv1')
    bn = mx.sym.BatchNorm(data=conv, name='bn1')
    relu = mx.sym.Activation(data=bn, act_type='relu', name='relu1')
    pool = mx.sym.Pooling(data=relu, kernel=(2,2), stride=(2,2), pool_type='max',
                          name='pool1')
    fc = mx.sym.FullyConnected(data=pool, num_hidden=2, name='fc1')
    sym = mx.sym.SoftmaxOutput(data=fc, name='softmax')

    mod = mx.mod.Module(symbol=sym, context=mx.gpu(0))
    mod.bind(data_shapes=[('data',(8,3,28,28))],
             label_shapes=[('softmax_label',(8,))],
             for_training=False)
    mod.init_params()

    data = mx.nd.random.uniform(0,1,shape=(8,3,28,28))
    mod.forward(mx.io.DataBatch([data]))
    print(mod.get_outputs()[0])


def listing_3_1() -> None:
    """Listing 3-1: training with Module's intermediate-level methods."""
    data = mx.sym.Variable('data')
    conv = mx.sym.Convolution(data=data, num_filter=128, kernel=(3,3), pad=(1,1),
                              name='conv1')
    bn = mx.sym.BatchNorm(data=conv, name='bn1')
    relu = mx.sym.Activation(data=bn, act_type='relu', name='relu1')
    pool = mx.sym.Pooling(data=relu, kernel=(2,2), stride=(2,2), pool_type='max',
                          name='pool1')
    fc = mx.sym.FullyConnected(data=pool, num_hidden=2, name='fc1')
    sym = mx.sym.SoftmaxOutput(data=fc, name='softmax')

    data = mx.nd.random.uniform(0,1,shape=(NUM_IMAGES,3,IMAGE_SIZE,IMAGE_SIZE))
    label = mx.nd.round(mx.nd.random.uniform(0,1,shape=(NUM_IMAGES)))
    train_data = mx.io.NDArrayIter(data={'data':data},
                                   label={'softmax_label':label},
                                   batch_size=8,
                                   shuffle=True)

    print(train_data.provide_data)
    print(train_data.provide_label)
    mod = mx.mod.Module(symbol=sym,context=mx.gpu(0))
    mod.bind(data_shapes=train_data.provide_data,
             label_shapes=train_data.provide_label)
    mod.init_params()
    mod.init_optimizer()
    eval_metric = mx.metric.create('acc')
    for epoch in range(5):
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


def listing_3_2() -> None:
    """Listing 3-2: the same training with ``fit``."""
    data = mx.sym.Variable('data')
    conv = mx.sym.Convolution(data=data, num_filter=128, kernel=(3,3), pad=(1,1),
                              name='conv1')
    bn = mx.sym.BatchNorm(data=conv, name='bn1')
    relu = mx.sym.Activation(data=bn, act_type='relu', name='relu1')
    pool = mx.sym.Pooling(data=relu, kernel=(2,2), stride=(2,2), pool_type='max',
                          name='pool1')
    fc = mx.sym.FullyConnected(data=pool, num_hidden=2, name='fc1')
    sym = mx.sym.SoftmaxOutput(data=fc, name='softmax')

    data = mx.nd.random.uniform(0,1,shape=(NUM_IMAGES,3,IMAGE_SIZE,IMAGE_SIZE))
    label = mx.nd.round(mx.nd.random.uniform(0,1,shape=(NUM_IMAGES)))
    train_data = mx.io.NDArrayIter(data={'data':data},
                                   label={'softmax_label':label},
                                   batch_size=8,
                                   shuffle=True)

    print(train_data.provide_data)
    print(train_data.provide_label)
    mod = mx.mod.Module(symbol=sym,context=mx.gpu(0))

    logger = logging.getLogger()
    logger.setLevel(logging.INFO)
    mod.fit(train_data=train_data, num_epoch=5)


def main(argv: list[str] | None = None) -> None:
    """Run the three examples; ``--full`` uses the book's 1000 images of 3 x 224 x 224."""
    global NUM_IMAGES, IMAGE_SIZE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true",
                        help="the book's data size: 1000 images of 3 x 224 x 224 (minutes)")
    args = parser.parse_args(argv)
    if args.full:
        NUM_IMAGES, IMAGE_SIZE = FULL
    print(f"# {NUM_IMAGES} random images of 3 x {IMAGE_SIZE} x {IMAGE_SIZE}", flush=True)
    print("# prediction (section 3.3)", flush=True)
    prediction()
    print("# listing 3-1", flush=True)
    listing_3_1()
    print("# listing 3-2", flush=True)
    listing_3_2()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
