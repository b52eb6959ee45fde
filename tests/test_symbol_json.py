"""Symbol graphs against JSON written by MXNet 1.9.1 (tests/fixtures/json, made by
tests/golden/generate_json.py): the same graph code must give byte-identical JSON, the same
names, and the same inferred shapes; and MXNet's JSON must load and write back unchanged."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

import teachmod as mx

FIXTURES = Path(__file__).parent / "fixtures" / "json"


_spec = importlib.util.spec_from_file_location(
    "json_graphs", Path(__file__).parent / "golden" / "json_graphs.py")
json_graphs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(json_graphs)
GRAPHS = json_graphs.GRAPHS


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_same_code_writes_the_same_json_as_mxnet(name):
    build, _ = GRAPHS[name]
    assert build(mx).tojson() == (FIXTURES / f"{name}.json").read_text()


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_mxnet_json_round_trips_exactly(name):
    text = (FIXTURES / f"{name}.json").read_text()
    assert mx.sym.load_json(text).tojson() == text


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_lists_and_shapes_match_mxnet(name):
    meta = json.loads((FIXTURES / f"{name}.meta.json").read_text())
    symbol = mx.sym.load_json((FIXTURES / f"{name}.json").read_text())
    assert symbol.list_arguments() == meta["list_arguments"]
    assert symbol.list_outputs() == meta["list_outputs"]
    assert symbol.list_auxiliary_states() == meta["list_auxiliary_states"]
    _, shapes = GRAPHS[name]
    arg_shapes, out_shapes, aux_shapes = symbol.infer_shape(**shapes)
    expected = meta["infer_shape"]
    assert dict(zip(symbol.list_arguments(), map(list, arg_shapes))) == expected["arg_shapes"]
    assert [list(s) for s in out_shapes] == [list(s) for s in expected["out_shapes"].values()] \
        if isinstance(expected["out_shapes"], dict) else expected["out_shapes"]


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_attr_dict_matches_mxnet(name):
    meta = json.loads((FIXTURES / f"{name}.meta.json").read_text())
    symbol = mx.sym.load_json((FIXTURES / f"{name}.json").read_text())
    assert symbol.attr_dict() == meta["attr_dict"]
    assert symbol.list_attr() == meta["list_attr"]
