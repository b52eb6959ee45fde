"""mx.recordio: byte-compatibility with MXNet 1.9.1 both ways, the API, and bad files."""
from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path

import numpy as np
import pytest

import teachmod as mx
from teachmod.base import MXNetError

GOLDEN = Path(__file__).parent / "golden" / "data"
RECORDS = json.loads((GOLDEN / "records.json").read_text())
PAYLOADS = [bytes.fromhex(h) for h in RECORDS["payloads"]]


def write_indexed(prefix: Path, payloads: list[bytes]) -> None:
    writer = mx.recordio.MXIndexedRecordIO(f"{prefix}.idx", f"{prefix}.rec", "w")
    for i, payload in enumerate(payloads):
        writer.write_idx(i, payload)
    writer.close()


# ---- compatibility with MXNet ------------------------------------------------------------------
def test_reads_the_file_mxnet_wrote():
    reader = mx.recordio.MXRecordIO(str(GOLDEN / "mxnet.rec"), "r")
    assert [reader.read() for _ in PAYLOADS] == PAYLOADS
    assert reader.read() is None
    indexed = mx.recordio.MXIndexedRecordIO(str(GOLDEN / "mxnet.idx"), str(GOLDEN / "mxnet.rec"),
                                            "r")
    assert indexed.keys == list(range(len(PAYLOADS)))
    assert [indexed.read_idx(i) for i in reversed(indexed.keys)] == PAYLOADS[::-1]


def test_writes_the_bytes_mxnet_writes_and_mxnet_read_them_back(tmp_path):
    # the generator had MXNet read a file teachmod wrote from the same payloads
    assert RECORDS["mxnet_reads_teachmod"] and RECORDS["mxnet_reads_teachmod_in_order"]
    write_indexed(tmp_path / "t", PAYLOADS)
    written = (tmp_path / "t.rec").read_bytes()
    assert written == (GOLDEN / "mxnet.rec").read_bytes()
    assert hashlib.sha256(written).hexdigest() == RECORDS["teachmod_rec_sha256"]
    assert (tmp_path / "t.idx").read_text() == (GOLDEN / "mxnet.idx").read_text()


def test_a_payload_holding_the_magic_number_is_split_and_joined_again(tmp_path):
    magic = struct.pack("<I", 0xCED7230A)
    payload = b"abcd" + magic + b"ef"
    path = tmp_path / "m.rec"
    with mx.recordio.MXRecordIO(str(path), "w") as writer:
        writer.write(payload)
    raw = path.read_bytes()
    # piece 1 (cflag 1, 4 bytes), then the rest (cflag 3, 2 bytes + 2 padding)
    assert struct.unpack("<II", raw[:8]) == (0xCED7230A, 1 << 29 | 4)
    assert struct.unpack("<II", raw[12:20]) == (0xCED7230A, 3 << 29 | 2)
    assert len(raw) == 24
    assert mx.recordio.MXRecordIO(str(path), "r").read() == payload


def test_pack_and_unpack_labels_as_mxnet():
    header, rest = mx.recordio.unpack(PAYLOADS[-1])
    assert header.flag == 3 and rest == b"\x00" * 9
    np.testing.assert_array_equal(header.label, RECORDS["unpacked_labels"][1])
    header, rest = mx.recordio.unpack(PAYLOADS[-2])
    assert header == mx.recordio.IRHeader(0, 3.0, 7, 0) and rest == b"image bytes"
    assert mx.recordio.pack((0, [1.5, 2.5, -1], 8, 0), b"\x00" * 9) == PAYLOADS[-1]


def test_pack_img_and_unpack_img_round_trip_a_png():
    image = np.random.RandomState(0).randint(0, 256, (5, 7, 3)).astype(np.uint8)
    payload = mx.recordio.pack_img((0, 2.0, 1, 0), image, quality=3, img_fmt=".png")
    header, decoded = mx.recordio.unpack_img(payload)
    assert header.label == 2.0
    np.testing.assert_array_equal(decoded, image)  # BGR in, BGR out, as OpenCV


def test_tell_and_keys(tmp_path):
    writer = mx.recordio.MXIndexedRecordIO(str(tmp_path / "a.idx"), str(tmp_path / "a.rec"), "w",
                                           key_type=str)
    positions = []
    for key in ("x", "y"):
        positions.append(writer.tell())
        writer.write_idx(key, b"record_" + key.encode())
    writer.close()
    assert positions == [0, 16]
    reader = mx.recordio.MXIndexedRecordIO(str(tmp_path / "a.idx"), str(tmp_path / "a.rec"), "r",
                                           key_type=str)
    assert reader.keys == ["x", "y"] and reader.read_idx("y") == b"record_y"
    with pytest.raises(KeyError, match="no record with key 'z'"):
        reader.read_idx("z")


def test_reset_of_a_writer_starts_the_file_again(tmp_path):
    path = str(tmp_path / "r.rec")
    writer = mx.recordio.MXRecordIO(path, "w")
    writer.write(b"first")
    writer.reset()
    writer.write(b"second")
    writer.close()
    reader = mx.recordio.MXRecordIO(path, "r")
    assert reader.read() == b"second" and reader.read() is None


# ---- bad input --------------------------------------------------------------------------------
def test_a_truncated_file_names_the_file_and_the_record(tmp_path):
    write_indexed(tmp_path / "t", [b"one", b"two", b"x" * 40])
    raw = (tmp_path / "t.rec").read_bytes()
    (tmp_path / "t.rec").write_bytes(raw[:-10])
    reader = mx.recordio.MXRecordIO(str(tmp_path / "t.rec"), "r")
    assert reader.read() == b"one" and reader.read() == b"two"
    with pytest.raises(MXNetError, match=r"t\.rec' is truncated: record 2"):
        reader.read()
    with pytest.raises(MXNetError, match="record 2"):
        mx.recordio.record_offsets(str(tmp_path / "t.rec"))


def test_a_wrong_magic_number_names_the_file_and_the_record(tmp_path):
    write_indexed(tmp_path / "t", [b"one", b"two"])
    raw = bytearray((tmp_path / "t.rec").read_bytes())
    raw[12] ^= 0xFF  # the magic number of record 1
    (tmp_path / "t.rec").write_bytes(bytes(raw))
    reader = mx.recordio.MXRecordIO(str(tmp_path / "t.rec"), "r")
    assert reader.read() == b"one"
    with pytest.raises(MXNetError, match=r"not a valid RecordIO file: record 1 \(at byte 12\)"):
        reader.read()


def test_an_index_that_does_not_match_its_rec_file(tmp_path):
    write_indexed(tmp_path / "t", [b"one", b"two"])
    with open(tmp_path / "t.idx", "a") as idx:
        idx.write("2\t4096\n")
    with pytest.raises(MXNetError, match=r"t\.idx' does not match .*record 2 \(line 3\) is at "
                                         r"byte 4096, but the \.rec file has 24 bytes"):
        mx.recordio.MXIndexedRecordIO(str(tmp_path / "t.idx"), str(tmp_path / "t.rec"), "r")
    (tmp_path / "t.idx").write_text("0\t0\nnot a line\n")
    with pytest.raises(MXNetError, match="line 2 of the index"):
        mx.recordio.MXIndexedRecordIO(str(tmp_path / "t.idx"), str(tmp_path / "t.rec"), "r")


def test_an_interrupted_write_keeps_the_earlier_records(tmp_path, monkeypatch):
    writer = mx.recordio.MXIndexedRecordIO(str(tmp_path / "i.idx"), str(tmp_path / "i.rec"), "w")
    writer.write_idx(0, b"kept")
    writer.write_idx(1, b"kept too")

    def interrupted(buf: bytes) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(writer._file, "write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        writer.write_idx(2, b"lost")
    monkeypatch.undo()
    writer.close()
    reader = mx.recordio.MXIndexedRecordIO(str(tmp_path / "i.idx"), str(tmp_path / "i.rec"), "r")
    assert reader.keys == [0, 1]
    assert [reader.read_idx(k) for k in reader.keys] == [b"kept", b"kept too"]
    # a process killed in the middle of a record leaves a cut tail; the rest still reads
    raw = (tmp_path / "i.rec").read_bytes()
    (tmp_path / "i.rec").write_bytes(raw + raw[:10])
    sequential = mx.recordio.MXRecordIO(str(tmp_path / "i.rec"), "r")
    assert [sequential.read(), sequential.read()] == [b"kept", b"kept too"]
    with pytest.raises(MXNetError, match="truncated: record 2"):
        sequential.read()


def test_misuse_errors(tmp_path):
    with pytest.raises(ValueError, match="Invalid flag"):
        mx.recordio.MXRecordIO(str(tmp_path / "x.rec"), "a")
    with pytest.raises(MXNetError, match="cannot open .* for reading"):
        mx.recordio.MXRecordIO(str(tmp_path / "missing.rec"), "r")
    writer = mx.recordio.MXRecordIO(str(tmp_path / "x.rec"), "w")
    with pytest.raises(MXNetError, match="opened with flag 'w'; reading needs 'r'"):
        writer.read()
    with pytest.raises(TypeError, match="a record is bytes, got str"):
        writer.write("text")
    with pytest.raises(MXNetError, match="announces 2 labels"):
        mx.recordio.unpack(struct.pack("IfQQ", 2, 0, 0, 0) + b"1234")
