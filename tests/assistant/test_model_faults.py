"""Missing or corrupt model files (issue 17 point 5): a clear error naming the file and the
fix, never "Internal error … bug in Switchboard"."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.test_cli_train_shell import cli


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    from tests.test_cli_train_shell import MINI, load_project
    from tests.tiny_bert import build_tiny_bert

    root = tmp_path_factory.mktemp("faults") / "project"
    shutil.copytree(MINI, root)
    encoder = build_tiny_bert(root.parent / "tiny_bert", [e.text for e in load_project(MINI).data.examples])
    (root / "config.yml").write_text(
        'version: "3.1"\nlanguage: en\npipeline:\n- name: JointBERT\n'
        f"  encoder: {encoder}\n  epochs: 2\n  dev_fraction: 0\n")
    assert cli("train", "-p", str(root)).returncode == 0
    return root


@pytest.mark.parametrize("damage, says", [
    (lambda m: (m / "nlu" / "onnx" / "model.onnx").write_bytes(b"\x00" * 100),
     "nlu/onnx/model.onnx cannot be read"),
    (lambda m: (m / "nlu" / "onnx" / "model.onnx.data").unlink(), "nlu/onnx/model.onnx cannot be read"),
    (lambda m: (m / "nlu" / "onnx" / "model.onnx.data").write_bytes(b"\x00" * 100),
     "nlu/onnx/model.onnx cannot be read"),
    # a model without its ONNX export is served by torch, from the weights
    (lambda m: (shutil.rmtree(m / "nlu" / "onnx"), (m / "nlu" / "model.safetensors").unlink()),
     "nlu/model.safetensors is missing"),
    (lambda m: (shutil.rmtree(m / "nlu" / "onnx"),
                (m / "nlu" / "model.safetensors").write_bytes(b"\x00" * 100)),
     "nlu/model.safetensors cannot be read"),
    (lambda m: shutil.rmtree(m / "nlu" / "tokenizer"), "nlu/tokenizer is missing"),
    (lambda m: (m / "nlu" / "patterns.json").write_text("{"), "nlu/patterns.json cannot be read"),
    (lambda m: (m / "dialogue" / "policies.pkl").write_bytes(b"garbage"), "dialogue/policies.pkl cannot be read"),
])
def test_a_damaged_model_names_the_file_and_the_fix(trained: Path, tmp_path: Path, damage, says: str) -> None:
    root = tmp_path / "project"
    shutil.copytree(trained, root)
    damage(root / "models")
    result = cli("shell", "-p", str(root), stdin="hi\n")
    said = result.stdout + result.stderr
    assert result.returncode != 0
    assert says in said and "python cli.py train --force" in said
    assert "Internal error" not in said
