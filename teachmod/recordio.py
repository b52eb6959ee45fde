"""``mx.recordio``: MXNet's RecordIO file format, read and written in plain Python.

A ``.rec`` file is a sequence of records. Each record on disk is::

    u32 magic 0xced7230a | u32 lrec = cflag << 29 | length | length bytes | zero padding to 4

all little-endian. ``cflag`` 0 marks a whole record. A payload that itself contains the magic
number at a 4-byte-aligned offset is cut there into pieces (cflag 1 = first, 2 = middle,
3 = last) and the magic bytes are left out, so that a reader that lost its place can find the
next record by scanning for the magic number; reading puts them back. This is dmlc-core's
``RecordIOWriter``, so files written here and by MXNet are the same bytes.

An ``.idx`` file beside it has one line ``key<TAB>byte offset`` per record, which gives random
access (``MXIndexedRecordIO``). An image record's payload starts with an ``IRHeader`` (``pack``
and ``unpack``), then optional float32 labels, then the encoded image (``pack_img``).

Writing appends each record with a single write and only then its index line, so a write that
is interrupted leaves every earlier record intact; a reader reports the cut record by its
number and the file name.
"""
from __future__ import annotations

import numbers
import os
import struct
from collections import namedtuple
from typing import Any, Callable

import numpy as np

from .base import MXNetError

__all__ = ["MXRecordIO", "MXIndexedRecordIO", "IRHeader", "pack", "unpack", "pack_img",
           "unpack_img"]

MAGIC = 0xCED7230A
_MAGIC_BYTES = struct.pack("<I", MAGIC)
_LENGTH_MASK = (1 << 29) - 1


def _encode_record(buf: bytes) -> bytes:
    """The on-disk bytes of one record (pieces, headers and padding), as dmlc-core writes it."""
    length = len(buf)
    if length > _LENGTH_MASK:
        raise MXNetError(f"MXRecordIO: a record holds at most {_LENGTH_MASK} bytes, "
                         f"got {length}")
    parts = []
    start = 0  # start of the piece not yet written
    position = buf.find(_MAGIC_BYTES)
    while position != -1:
        if position % 4 == 0:  # only aligned occurrences are cut out
            cflag = 1 if start == 0 else 2
            parts.append(struct.pack("<II", MAGIC, cflag << 29 | (position - start)))
            parts.append(buf[start:position])
            start = position + 4
        position = buf.find(_MAGIC_BYTES, position + 1)
    cflag = 3 if start else 0
    parts.append(struct.pack("<II", MAGIC, cflag << 29 | (length - start)))
    parts.append(buf[start:])
    parts.append(b"\0" * (-length % 4))
    return b"".join(parts)


class MXRecordIO:
    """Read or write a RecordIO file sequentially.

    Parameters
    ----------
    uri : str
        Path of the ``.rec`` file.
    flag : {'r', 'w'}
        'r' to read, 'w' to write (an existing file is replaced).

    Examples
    --------
    >>> record = mx.recordio.MXRecordIO('tmp.rec', 'w')
    >>> for i in range(3):
    ...     record.write(b'record_%d' % i)
    >>> record.close()
    >>> mx.recordio.MXRecordIO('tmp.rec', 'r').read()
    b'record_0'
    """

    def __init__(self, uri: str, flag: str) -> None:
        if flag not in ("r", "w"):
            raise ValueError(f"Invalid flag {flag}")
        self.uri = os.fspath(uri)
        self.flag = flag
        self.writable = flag == "w"
        self.is_open = False
        self._file: Any = None
        self._record = 0  # number of the next record read or written
        self.open()

    def open(self) -> None:
        """Open the file (reading starts at the first record; writing empties the file)."""
        try:
            self._file = open(self.uri, "wb" if self.writable else "rb")
        except OSError as err:
            raise MXNetError(f"MXRecordIO: cannot open {self.uri!r} for "
                             f"{'writing' if self.writable else 'reading'}: "
                             f"{err.strerror}") from err
        self._record = 0
        self.is_open = True

    def close(self) -> None:
        """Close the file (a writer's data is then on disk)."""
        if self.is_open:
            self._file.close()
            self.is_open = False

    def __del__(self) -> None:
        if getattr(self, "is_open", False):
            self.close()

    def __enter__(self) -> MXRecordIO:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def reset(self) -> None:
        """Go back to the first record (a writer starts the file again, empty)."""
        self.close()
        self.open()

    def _check_open(self, writing: bool) -> None:
        if not self.is_open:
            raise MXNetError(f"MXRecordIO: {self.uri!r} is closed")
        if writing != self.writable:
            raise MXNetError(f"MXRecordIO: {self.uri!r} was opened with flag {self.flag!r}; "
                             f"{'writing' if writing else 'reading'} needs "
                             f"{'w' if writing else 'r'!r}")

    def write(self, buf: bytes) -> None:
        """Append ``buf`` (bytes) as one record."""
        self._check_open(writing=True)
        if not isinstance(buf, (bytes, bytearray, memoryview)):
            raise TypeError(f"MXRecordIO.write: a record is bytes, got {type(buf).__name__}")
        self._file.write(_encode_record(bytes(buf)))  # one write: nothing half-written
        self._record += 1

    def _read_exact(self, size: int, what: str) -> bytes:
        data = self._file.read(size)
        if len(data) != size:
            raise MXNetError(f"MXRecordIO: {self.uri!r} is truncated: record {self._record} "
                             f"(at byte {self._file.tell() - len(data)}) needs {size} bytes "
                             f"of {what}, the file has {len(data)} left")
        return data

    def read(self) -> bytes | None:
        """The next record as bytes, or None at the end of the file."""
        self._check_open(writing=False)
        pieces = []
        while True:
            head = self._file.read(8)
            if not head and not pieces:
                return None
            if len(head) != 8:
                head += self._read_exact(8 - len(head), "record header")
            magic, lrec = struct.unpack("<II", head)
            if magic != MAGIC:
                raise MXNetError(f"MXRecordIO: {self.uri!r} is not a valid RecordIO file: "
                                 f"record {self._record} (at byte {self._file.tell() - 8}) "
                                 f"starts with 0x{magic:08x}, not the magic number "
                                 f"0x{MAGIC:08x}")
            cflag, length = lrec >> 29, lrec & _LENGTH_MASK
            data = self._read_exact(length + (-length % 4), "data")
            pieces.append(data[:length])
            if cflag in (0, 3):
                break
        self._record += 1
        return _MAGIC_BYTES.join(pieces)

    def seek_offset(self, offset: int, number: int) -> None:
        """Move the reader to byte ``offset``, where record ``number`` (for messages) starts."""
        self._check_open(writing=False)
        self._file.seek(offset)
        self._record = number

    def tell(self) -> int:
        """The current byte offset in the file (where the next record goes or comes from)."""
        if not self.is_open:
            raise MXNetError(f"MXRecordIO: {self.uri!r} is closed")
        return self._file.tell()


def record_offsets(uri: str) -> list[int]:
    """The byte offset of every record in a ``.rec`` file, found by walking its headers.

    It checks the whole file on the way: a wrong magic number or a truncated record is an
    MXNetError naming the file and the record's number.
    """
    offsets = []
    size = os.path.getsize(uri)
    with open(uri, "rb") as file:
        position, whole = 0, True  # whole: the next header starts a record
        while position < size:
            if whole:
                offsets.append(position)
            number = len(offsets) - 1
            head = file.read(8)
            if len(head) != 8:
                raise MXNetError(f"MXRecordIO: {uri!r} is truncated: record {number} "
                                 f"(at byte {position}) has an incomplete header")
            magic, lrec = struct.unpack("<II", head)
            if magic != MAGIC:
                raise MXNetError(f"MXRecordIO: {uri!r} is not a valid RecordIO file: record "
                                 f"{number} (at byte {position}) starts with 0x{magic:08x}, "
                                 f"not the magic number 0x{MAGIC:08x}")
            length = lrec & _LENGTH_MASK
            position += 8 + length + (-length % 4)
            if position > size:
                raise MXNetError(f"MXRecordIO: {uri!r} is truncated: record {number} needs "
                                 f"{position - size} more bytes than the file has")
            whole = lrec >> 29 in (0, 3)
            file.seek(position)
    return offsets


class MXIndexedRecordIO(MXRecordIO):
    """Read or write a RecordIO file with an index, for random access by key.

    Parameters
    ----------
    idx_path : str
        Path of the ``.idx`` file (lines ``key<TAB>offset``).
    uri : str
        Path of the ``.rec`` file.
    flag : {'r', 'w'}
        'r' to read, 'w' to write.
    key_type : type, default int
        Type of the keys.

    Examples
    --------
    >>> record = mx.recordio.MXIndexedRecordIO('tmp.idx', 'tmp.rec', 'w')
    >>> for i in range(5):
    ...     record.write_idx(i, b'record_%d' % i)
    >>> record.close()
    >>> mx.recordio.MXIndexedRecordIO('tmp.idx', 'tmp.rec', 'r').read_idx(3)
    b'record_3'
    """

    def __init__(self, idx_path: str, uri: str, flag: str,
                 key_type: Callable[[str], Any] = int) -> None:
        self.idx_path = os.fspath(idx_path)
        self.idx: dict[Any, int] = {}
        self.keys: list[Any] = []
        self.key_type = key_type
        self.fidx: Any = None
        super().__init__(uri, flag)

    def open(self) -> None:
        """Open both files; for reading, load the index and check it against the ``.rec``."""
        super().open()
        self.idx = {}
        self.keys = []
        self._numbers: dict[Any, int] = {}  # key -> its line in the index, for messages
        try:
            self.fidx = open(self.idx_path, self.flag)
        except OSError as err:
            super().close()
            raise MXNetError(f"MXIndexedRecordIO: cannot open the index {self.idx_path!r}: "
                             f"{err.strerror}") from err
        if not self.writable:
            self._load_index()

    def _load_index(self) -> None:
        rec_size = os.path.getsize(self.uri)
        for number, line in enumerate(self.fidx, 1):
            fields = line.strip().split("\t")
            if fields == [""]:
                continue
            try:
                key, offset = self.key_type(fields[0]), int(fields[1])
                if len(fields) != 2:
                    raise ValueError
            except (ValueError, IndexError):
                self.close()
                raise MXNetError(f"MXIndexedRecordIO: line {number} of the index "
                                 f"{self.idx_path!r} is {line.strip()!r}, expected "
                                 f"'key<TAB>offset'") from None
            if not 0 <= offset <= rec_size - 8:
                self.close()
                raise MXNetError(f"MXIndexedRecordIO: the index {self.idx_path!r} does not "
                                 f"match {self.uri!r}: record {key} (line {number}) is at "
                                 f"byte {offset}, but the .rec file has {rec_size} bytes")
            self.idx[key] = offset
            self._numbers[key] = len(self.keys)
            self.keys.append(key)

    def close(self) -> None:
        """Close both files."""
        if self.is_open:
            super().close()
            self.fidx.close()

    def seek(self, idx: Any) -> None:
        """Move the reader to the record with key ``idx``."""
        self._check_open(writing=False)
        if idx not in self.idx:
            raise KeyError(f"MXIndexedRecordIO: no record with key {idx!r} in "
                           f"{self.idx_path!r}")
        self.seek_offset(self.idx[idx], self._numbers[idx])

    def read_idx(self, idx: Any) -> bytes:
        """The record with key ``idx``."""
        self.seek(idx)
        return self.read()

    def write_idx(self, idx: Any, buf: bytes) -> None:
        """Append ``buf`` as a record with key ``idx`` and add it to the index.

        The record is flushed before its index line is written, so the index never names a
        record that is not (yet) in the ``.rec`` file.
        """
        key = self.key_type(idx)
        position = self.tell()
        self.write(buf)
        self._file.flush()
        self.fidx.write(f"{key}\t{position}\n")
        self.idx[key] = position
        self.keys.append(key)


# ================================================================================================
# Image records: header, labels, encoded image
# ================================================================================================
IRHeader = namedtuple("HEADER", ["flag", "label", "id", "id2"])
IRHeader.__doc__ = """The header of an image record.

Parameters
----------
flag : int
    0 for one float label in ``label``; otherwise the number of float32 labels that follow
    the header (``pack`` sets it).
label : float or array of float
    The label(s).
id : int
    Usually the record's index.
id2 : int
    Higher bits of the id, usually 0.
"""
_IR_FORMAT = "IfQQ"
_IR_SIZE = struct.calcsize(_IR_FORMAT)


def pack(header: Any, s: bytes) -> bytes:
    """Pack ``s`` behind an ``IRHeader`` into one record's payload.

    Parameters
    ----------
    header : IRHeader or tuple
        ``(flag, label, id, id2)``; a label that is not a number is stored as float32 array
        after the header, and ``flag`` becomes its length.
    s : bytes
        The payload, e.g. an encoded image.

    Examples
    --------
    >>> payload = mx.recordio.pack(mx.recordio.IRHeader(0, [1, 2], 7, 0), b'abc')
    """
    header = IRHeader(*header)
    if isinstance(header.label, numbers.Number):
        header = header._replace(flag=0)
    else:
        label = np.asarray(header.label, dtype=np.float32)
        header = header._replace(flag=label.size, label=0)
        s = label.tobytes() + s
    return struct.pack(_IR_FORMAT, *header) + s


def unpack(s: bytes) -> tuple[IRHeader, bytes]:
    """Split a record's payload into its ``IRHeader`` and the rest (see ``pack``)."""
    if len(s) < _IR_SIZE:
        raise MXNetError(f"recordio.unpack: a record needs at least {_IR_SIZE} bytes for its "
                         f"header, got {len(s)}")
    header = IRHeader(*struct.unpack(_IR_FORMAT, s[:_IR_SIZE]))
    s = s[_IR_SIZE:]
    if header.flag > 0:
        if len(s) < 4 * header.flag:
            raise MXNetError(f"recordio.unpack: the header announces {header.flag} labels "
                             f"({4 * header.flag} bytes) but only {len(s)} bytes follow")
        header = header._replace(label=np.frombuffer(s, np.float32, header.flag))
        s = s[header.flag * 4:]
    return header, s


def unpack_img(s: bytes, iscolor: int = -1) -> tuple[IRHeader, np.ndarray]:
    """Unpack a record into its header and the decoded image (numpy, HWC, BGR like OpenCV).

    Parameters
    ----------
    s : bytes
        A record's payload.
    iscolor : int, default -1
        1: colour (3 channels), 0: greyscale (2-D), -1: as stored.
    """
    from .image.image import _decode_bgr

    header, s = unpack(s)
    return header, _decode_bgr(s, iscolor)


def pack_img(header: Any, img: np.ndarray, quality: int = 95, img_fmt: str = ".jpg") -> bytes:
    """Encode ``img`` (numpy uint8, HWC in BGR order or 2-D grey, as OpenCV) and pack it.

    Parameters
    ----------
    header : IRHeader or tuple
        See ``pack``.
    img : numpy.ndarray
        The image.
    quality : int, default 95
        JPEG quality 1..100, or PNG compression level 0..9.
    img_fmt : {'.jpg', '.jpeg', '.png'}, default '.jpg'
        The encoding.
    """
    from .image.image import _encode_bgr

    return pack(header, _encode_bgr(img, quality, img_fmt))
