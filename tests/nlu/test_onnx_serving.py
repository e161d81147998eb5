"""The ONNX export written at train time, and parsing on ONNX Runtime without torch."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nlu import IncompatibleModelError
from nlu.parser import NLUParser

ROOT = Path(__file__).resolve().parents[2]
TEXTS = ["fly to paris", "hello there", "order XY9876 in red", "", "book a flight to berlin " * 40,
         "我要 退货 order XY9876"]


def answers(parser: NLUParser, texts: list[str]):
    return [(m.intent.name, round(m.intent.confidence, 4),
             [(e.entity, e.start, e.end, e.value) for e in m.entities])
            for m in parser.parse_batch(texts)]


def test_training_writes_a_checked_export(trained_dir: Path) -> None:
    folder = trained_dir / "onnx"
    assert {p.name for p in folder.iterdir()} >= {"model.onnx", "crf.npz", "export.json"}
    report = json.loads((folder / "export.json").read_text())
    assert report["files"]["none"]["max_logit_diff"] < 1e-3
    assert report["files"]["none"]["intent_agreement"] == 1.0


def test_onnx_fp32_parses_exactly_as_torch(trained_dir: Path, tiny_data) -> None:
    texts = TEXTS + [e.text for e in tiny_data.examples]
    onnx = NLUParser.load(trained_dir, quantize="none", runtime="onnx")
    torch_ = NLUParser.load(trained_dir, quantize="none", runtime="torch")
    assert type(onnx.runner).__name__ == "OnnxRunner"
    assert answers(onnx, texts) == answers(torch_, texts)


def test_the_default_is_onnx_fp32_and_int8_ffn_agrees_with_it(trained_dir: Path, tiny_data,
                                                               tmp_path: Path) -> None:
    texts = [e.text for e in tiny_data.examples]
    default = NLUParser.load(trained_dir)
    assert default.runner.path.name == "model.onnx"
    copy = tmp_path / "m"
    shutil.copytree(trained_dir, copy)
    ffn = NLUParser.load(copy, quantize="ffn")
    assert ffn.runner.path.name == "model.int8-ffn.onnx"
    assert [m.intent.name for m in ffn.parse_batch(texts)] == \
        [m.intent.name for m in default.parse_batch(texts)]


def test_tokenizer_json_encodes_as_transformers_does(trained_dir: Path, tiny_data) -> None:
    from transformers import AutoTokenizer

    from nlu.encoding import encode_texts, load_tokenizer_file

    texts = TEXTS + [e.text for e in tiny_data.examples]
    bare = encode_texts(load_tokenizer_file(trained_dir / "tokenizer", 32), texts, 32)
    hf = encode_texts(AutoTokenizer.from_pretrained(str(trained_dir / "tokenizer")), texts, 32)
    assert bare == hf
    assert max(len(e.input_ids) for e in bare) == 32  # the long text is truncated alike


def test_another_quantize_mode_is_made_at_load(trained_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "m"
    shutil.copytree(trained_dir, copy)
    assert not (copy / "onnx" / "model.int8.onnx").exists()
    parser = NLUParser.load(copy, quantize="all")
    assert parser.runner.path == copy / "onnx" / "model.int8.onnx"
    assert parser.parse("fly to paris").intent.name


def test_a_model_without_export_is_parsed_with_torch(trained_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "old"
    shutil.copytree(trained_dir, copy)
    shutil.rmtree(copy / "onnx")
    assert type(NLUParser.load(copy).runner).__name__ == "TorchRunner"
    with pytest.raises(IncompatibleModelError, match="no ONNX export"):
        NLUParser.load(copy, runtime="onnx")
    from nlu.onnx_export import add_export

    assert add_export(copy, TEXTS)  # what `cli.py train` does for such a model
    assert type(NLUParser.load(copy).runner).__name__ == "OnnxRunner"


def test_an_export_that_differs_from_torch_is_not_written(trained_dir: Path, tmp_path: Path,
                                                         monkeypatch) -> None:
    from nlu import onnx_export
    from nlu.artifact import load_artifact
    from nlu.encoding import encode_texts

    artifact = load_artifact(trained_dir)
    items = encode_texts(artifact.tokenizer, TEXTS, 32)
    monkeypatch.setattr(onnx_export, "TOLERANCE", -1.0)  # any difference is too much
    assert onnx_export.export_onnx(artifact.model, items, 0, tmp_path) is None
    assert not (tmp_path / "onnx").exists()


def test_serving_from_onnx_imports_neither_torch_nor_transformers(trained_dir: Path) -> None:
    code = (
        "import sys\n"
        "from nlu.parser import NLUParser\n"
        f"parser = NLUParser.load({str(trained_dir)!r})\n"
        "print(parser.parse('order XY9876 in red').intent.name)\n"
        "print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[-1] == "[]"


def test_the_sentence_encoder_export_embeds_as_torch(tiny_encoder_dir: Path, tmp_path: Path) -> None:
    import numpy as np

    from knowledge.embedder import SentenceEmbedder
    from knowledge.embedder_export import ensure_export

    name = str(tiny_encoder_dir)
    assert ensure_export(name, tmp_path / "se")
    onnx = SentenceEmbedder(name, onnx_dir=tmp_path / "se")
    torch_ = SentenceEmbedder(name)
    assert (onnx.runtime, torch_.runtime) == ("onnx", "torch")
    texts = ["fly to paris", "hello", "book a flight to berlin in red " * 4]
    assert np.allclose(onnx.embed(texts), torch_.embed(texts), atol=1e-5)
    # an export of another encoder is not used
    assert SentenceEmbedder(name + "/", onnx_dir=tmp_path / "se").runtime == "torch"
    # an export whose data file is gone is no export: serving stays on torch, train writes it again
    (tmp_path / "se" / "model.onnx.data").unlink()
    assert SentenceEmbedder(name, onnx_dir=tmp_path / "se").runtime == "torch"
    assert ensure_export(name, tmp_path / "se") and (tmp_path / "se" / "model.onnx.data").is_file()
    assert SentenceEmbedder(name, onnx_dir=tmp_path / "se").runtime == "onnx"


def test_exports_keep_their_tensors_in_a_mapped_file_beside_the_graph(trained_dir: Path, tiny_data,
                                                                    tmp_path: Path) -> None:
    """nlu.onnx_runner.save_external: every tensor over 1 KB lives in `<file>.data` (memory-mapped
    by ONNX Runtime); an export written inline before that gains its data file on `externalize`
    and parses exactly as before."""
    import onnx

    from nlu.onnx_runner import data_file, externalize

    path = trained_dir / "onnx" / "model.onnx"
    graph = onnx.load(str(path), load_external_data=False).graph
    inline = [t.name for t in graph.initializer
              if t.data_location != onnx.TensorProto.EXTERNAL and len(t.raw_data) > 1024]
    assert inline == [] and data_file(path).stat().st_size > path.stat().st_size
    texts = TEXTS + [e.text for e in tiny_data.examples]
    expected = answers(NLUParser.load(trained_dir, runtime="onnx"), texts)
    old = tmp_path / "old"
    shutil.copytree(trained_dir, old)
    old_file = old / "onnx" / "model.onnx"
    onnx.save_model(onnx.load(str(old_file)), str(old_file))  # every tensor inline
    data_file(old_file).unlink()
    assert answers(NLUParser.load(old, runtime="onnx"), texts) == expected
    assert externalize(old_file) and data_file(old_file).is_file()
    assert not externalize(old_file)  # once
    assert answers(NLUParser.load(old, runtime="onnx"), texts) == expected


def test_a_model_too_small_for_a_data_file_stays_inline(tmp_path: Path) -> None:
    """save_external on a graph whose tensors are all under 1 KB: no data file, no error, and
    `externalize` has nothing to move (it does not try again at every train)."""
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper

    from nlu.onnx_runner import data_file, externalize, open_session, save_external

    weight = numpy_helper.from_array(np.eye(4, dtype=np.float32), "w")
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"])], "tiny",
                              [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 4])],
                              [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1, 4])], [weight])
    path = tmp_path / "tiny.onnx"
    save_external(helper.make_model(graph), path)
    assert path.is_file() and not data_file(path).exists()
    assert not externalize(path)
    assert open_session(path).run(None, {"x": np.ones((1, 4), np.float32)})[0].tolist() == [[1, 1, 1, 1]]
