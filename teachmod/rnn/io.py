"""Text for recurrent language models: words to integer ids, and a bucketing iterator.

``BucketSentenceIter`` pads each sentence to the smallest bucket length that holds it and
serves batches of one bucket at a time; each batch's ``bucket_key`` is its sequence length,
which is how a ``BucketingModule`` picks (or builds) the network unrolled to that length.
The label of each step is the next word; the last step's label is ``invalid_label``.
"""
from __future__ import annotations

import bisect
import random
from typing import Any

import numpy as np

from .. import ndarray
from ..io import DataBatch, DataDesc, DataIter


def encode_sentences(sentences: list[list[str]], vocab: dict[str, int] | None = None,
                     invalid_label: int = -1, invalid_key: str = "\n", start_label: int = 0,
                     unknown_token: str | None = None) -> tuple[list[list[int]], dict[str, int]]:
    """Encode tokenized sentences as ids, building (or extending) the vocabulary.

    Parameters
    ----------
    sentences : list of list of str
    vocab : dict of str to int, optional
        An existing vocabulary. Without one, a new vocabulary starts as
        ``{invalid_key: invalid_label}`` and every new word gets the next free id.
    invalid_label : int, default -1
        Id of the padding/end-of-sentence key; never given to a word.
    invalid_key : str, default '\\n'
    start_label : int, default 0
        The first id given out.
    unknown_token : str, optional
        With a given ``vocab``, words not in it map to this token (which gets an id the first
        time); without ``unknown_token`` an unknown word is an error.

    Returns
    -------
    (encoded sentences, vocabulary)
    """
    new_vocab = vocab is None
    if vocab is None:
        vocab = {invalid_key: invalid_label}
    next_id = start_label
    encoded = []
    for sentence in sentences:
        ids = []
        for word in sentence:
            if word not in vocab:
                if not (new_vocab or unknown_token):
                    raise ValueError(f"encode_sentences: unknown token {word!r} (pass "
                                     f"unknown_token= to map unknown words to one token)")
                if next_id == invalid_label:
                    next_id += 1
                if unknown_token:
                    word = unknown_token
                vocab[word] = next_id
                next_id += 1
            ids.append(vocab[word])
        encoded.append(ids)
    return encoded, vocab


class BucketSentenceIter(DataIter):
    """Batches of equally long (padded) sentences for a language model.

    Parameters
    ----------
    sentences : list of list of int
        Encoded sentences.
    batch_size : int
    buckets : list of int, optional
        Bucket lengths; default: every sentence length that occurs at least ``batch_size``
        times. Sentences longer than the largest bucket are discarded.
    invalid_label : int, default -1
        Padding value, also the label after a sentence's last word.
    data_name, label_name : str
    dtype : str, default 'float32'
    layout : str, default 'NT'
        'NT' gives (batch, length) batches, 'TN' (length, batch).
    """

    def __init__(self, sentences: list[list[int]], batch_size: int,
                 buckets: list[int] | None = None, invalid_label: int = -1,
                 data_name: str = "data", label_name: str = "softmax_label",
                 dtype: str = "float32", layout: str = "NT") -> None:
        super().__init__(batch_size)
        if not buckets:
            counts = np.bincount([len(s) for s in sentences])
            buckets = [length for length, count in enumerate(counts) if count >= batch_size]
        buckets = sorted(buckets)
        rows: list[list[np.ndarray]] = [[] for _ in buckets]
        used = [False] * len(buckets)
        discarded = 0
        for sentence in sentences:
            bucket = bisect.bisect_left(buckets, len(sentence))
            if bucket == len(buckets):
                discarded += 1
                continue
            used[bucket] = True
            row = np.full((buckets[bucket],), invalid_label, dtype=dtype)
            row[:len(sentence)] = sentence
            rows[bucket].append(row)
        # MXNet prints this line (it is not a logging message)
        print(f"WARNING: discarded {discarded} sentences longer than the largest bucket.")
        self.buckets = [length for length, keep in zip(buckets, used) if keep]
        self.data = [np.asarray(r, dtype=dtype) for r in rows if r]
        self.data_name, self.label_name = data_name, label_name
        self.dtype, self.invalid_label, self.layout = dtype, invalid_label, layout
        self.major_axis = layout.find("N")
        if self.major_axis not in (0, 1) or sorted(layout) != ["N", "T"]:
            raise ValueError(f"BucketSentenceIter: invalid layout {layout!r}: must be 'NT' "
                             f"(batch major) or 'TN' (time major)")
        self.default_bucket_key = max(self.buckets)
        shape = self._shape(batch_size, self.default_bucket_key)
        self.provide_data = [DataDesc(data_name, shape, layout=layout)]
        self.provide_label = [DataDesc(label_name, shape, layout=layout)]
        # (bucket, first row) of every full batch; a bucket's last rows that don't fill a
        # batch are left out of the epoch
        self.idx = [(i, j) for i, bucket in enumerate(self.data)
                    for j in range(0, len(bucket) - batch_size + 1, batch_size)]
        self.curr_idx = 0
        self.nddata: list[Any] = []
        self.ndlabel: list[Any] = []
        self.reset()

    def _shape(self, batch: int, length: int) -> tuple[int, int]:
        return (batch, length) if self.major_axis == 0 else (length, batch)

    def reset(self) -> None:
        """Shuffle the batches and the sentences within each bucket (Python's ``random``
        and numpy's global generator, as MXNet does) and start again."""
        self.curr_idx = 0
        random.shuffle(self.idx)
        for bucket in self.data:
            np.random.shuffle(bucket)
        self.nddata, self.ndlabel = [], []
        for bucket in self.data:
            label = np.empty_like(bucket)
            label[:, :-1] = bucket[:, 1:]  # predict the next word
            label[:, -1] = self.invalid_label
            self.nddata.append(ndarray.array(bucket, dtype=self.dtype))
            self.ndlabel.append(ndarray.array(label, dtype=self.dtype))

    def next(self) -> DataBatch:
        """The next batch, with ``bucket_key`` = its sequence length."""
        if self.curr_idx == len(self.idx):
            raise StopIteration
        i, j = self.idx[self.curr_idx]
        self.curr_idx += 1
        data = self.nddata[i][j:j + self.batch_size]
        label = self.ndlabel[i][j:j + self.batch_size]
        if self.major_axis == 1:
            data, label = data.T, label.T
        return DataBatch([data], [label], pad=0, bucket_key=self.buckets[i],
                         provide_data=[DataDesc(self.data_name, data.shape,
                                                layout=self.layout)],
                         provide_label=[DataDesc(self.label_name, label.shape,
                                                 layout=self.layout)])
