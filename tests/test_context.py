"""Training sentences read inside other sentences (training.context): spans, labels, groups, the
fraction, determinism, language of the filler; the config value; a tiny run that uses it."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from training.config import Config, ConfigError, build, validate
from training.context import in_context, with_context
from training.examples import Example, Pair, Target


def _example(i: int, lang: str = "en", source: str = "own", group: str = "") -> Example:
    text = f"Country{i} protested to Other{i} on day {i}."
    a = text.index(f"Country{i}")
    b = text.index(f"Other{i}")
    return Example(
        id=f"{source}-{lang}-{i}",
        source=source,
        lang=lang,
        text=text,
        targets=[
            Target([(a, a + len(f"Country{i}"))], detail="verbal_conflict", sentiment="negative"),
            Target([(b, b + len(f"Other{i}"))], detail="verbal_conflict"),
        ],
        sentence_detail="verbal_conflict",
        group=group,
        pairs=[Pair(0, 1, "verbal_conflict")],
    )


def test_in_context_moves_spans_and_drops_only_the_sentence_label() -> None:
    e = _example(1, group="g1")
    copy = in_context(e, ["The weather was mild.", "Markets opened."], ["Nothing else happened."])
    assert copy.text == "The weather was mild. Markets opened. " + e.text + " Nothing else happened."
    for old, new in zip(e.targets, copy.targets, strict=True):
        assert [copy.text[s:t] for s, t in new.spans] == [e.text[s:t] for s, t in old.spans]
        assert (new.detail, new.sentiment) == (old.detail, old.sentiment)
    assert copy.sentence_detail is None and e.sentence_detail == "verbal_conflict"
    assert copy.group == "g1" and copy.id == e.id + "#context"
    assert [(p.source, p.target, p.label) for p in copy.pairs] == [(0, 1, "verbal_conflict")]
    assert e.text.startswith("Country1")  # the original is untouched


def _train() -> dict[str, list[Example]]:
    return {
        "own": [_example(i) for i in range(40)] + [_example(i, lang="de") for i in range(100, 140)],
        "cameo": [_example(i, source="cameo") for i in range(200, 240)],
        # a sentence label alone: never replaced (its only label would be dropped)
        "un": [
            Example(id=f"un-{i}", source="un", lang="en", text=f"Talks {i}.", sentence_detail="neutral")
            for i in range(20)
        ],
    }


def test_with_context_replaces_the_fraction_with_same_language_filler() -> None:
    train = _train()
    out, replaced = with_context(train, {"own": 0.5, "un": 1.0}, seed=7)
    assert replaced == {"own": 40}  # half of 80 usable; "un" has no targets, "cameo" is off
    assert out["cameo"] == train["cameo"] and out["un"] == train["un"]
    texts = {lang: {e.text for es in train.values() for e in es if e.lang == lang} for lang in ("en", "de")}
    copies = [e for e in out["own"] if e.id.endswith("#context")]
    assert len(copies) == 40 and {e.lang for e in copies} == {"en", "de"}
    by_id = {e.id: e for e in train["own"]}
    for copy in copies:
        original = by_id[copy.id.removesuffix("#context")]
        at = copy.text.index(original.text)
        filler = [
            t for t in (copy.text[:at] + " " + copy.text[at + len(original.text) :]).split(". ") if t.strip()
        ]
        assert filler, copy.text
        # every filler sentence is another training sentence of the same language
        assert all(any(t.strip().rstrip(".") + "." == s for s in texts[copy.lang]) for t in filler), copy.text
        assert original.text not in copy.text[:at] + copy.text[at + len(original.text) :]
        assert (
            2 * len(original.text) <= len(copy.text) + 40 and len(copy.text) <= 3.5 * len(original.text) + 1
        )
        assert copy.sentence_detail is None and copy.group == original.group


def test_add_mode_keeps_every_sentence_and_appends_the_same_copies() -> None:
    train = _train()
    replaced, n_replaced = with_context(train, {"own": 0.5}, seed=7)
    added, n_added = with_context(train, {"own": 0.5}, seed=7, add={"own"})
    assert n_added == n_replaced == {"own": 40}
    # the originals first, untouched (sentence labels included), then the 40 copies replace mode made
    assert added["own"][: len(train["own"])] == train["own"]
    assert added["own"][len(train["own"]) :] == [e for e in replaced["own"] if e.id.endswith("#context")]
    assert added["cameo"] == train["cameo"]


def test_context_mode_is_checked() -> None:
    raw = {"data": {"sources": [{"name": "own", "kind": "own", "path": "x", "context_mode": "append"}]}}
    with pytest.raises(ConfigError, match=r"data\.sources\[0\]\.context_mode='append'; expected 'replace'"):
        validate(build(Config, raw))


def test_with_context_is_deterministic_in_the_seed() -> None:
    a, _ = with_context(_train(), {"own": 0.3}, seed=1)
    b, _ = with_context(_train(), {"own": 0.3}, seed=1)
    c, _ = with_context(_train(), {"own": 0.3}, seed=2)
    assert [e.text for e in a["own"]] == [e.text for e in b["own"]]
    assert [e.text for e in a["own"]] != [e.text for e in c["own"]]


def test_filler_never_comes_from_the_same_group() -> None:
    # two groups only: every filler sentence must come from the other one
    train = {"own": [_example(i, group="A" if i < 5 else "B") for i in range(10)]}
    out, replaced = with_context(train, {"own": 1.0}, seed=3)
    assert replaced["own"] == 10
    group_of = {e.text: e.group for e in train["own"]}
    for copy, original in zip(out["own"], train["own"], strict=True):
        rest = copy.text.replace(original.text, "|").split("|")
        others = [s.strip() for part in rest for s in part.split(". ") if s.strip()]
        assert all(group_of[s if s.endswith(".") else s + "."] != original.group for s in others)


def test_context_out_of_range_is_named() -> None:
    raw = {"data": {"sources": [{"name": "own", "kind": "own", "path": "x", "context": 1.5}]}}
    with pytest.raises(ConfigError, match=r"data\.sources\[0\]\.context=1\.5; expected 0 <= x <= 1"):
        validate(build(Config, raw))


def test_a_run_with_context_trains_and_says_so(
    tiny_encoder: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from test_training import _config

    from training.trainer import train

    raw = _config(tmp_path, tiny_encoder, epochs=1)
    raw["data"]["sources"][1]["context"] = 1.0  # the NewsMTSC-format rows have targets
    with caplog.at_level(logging.INFO, logger="training.trainer"):
        out = train(build(Config, raw), progress=False)
    assert "news: 4 training example(s) read inside other sentences" in caplog.text
    assert "context: 1.0" in (out / "training_config.yaml").read_text()


def test_evaluation_only_sources_give_no_filler_and_stay_as_they_are() -> None:
    from training.config import SourceConfig
    from training.data import SourceData
    from training.trainer import _in_context

    config = build(Config, {"train": {"seed": 5}})
    own = [_example(i) for i in range(10)]
    shift = [_example(i, source="shift") for i in range(100, 140)]
    data = {
        "own": SourceData(SourceConfig(name="own", context=1.0), own, []),
        "shift": SourceData(SourceConfig(name="shift", train=False, context=1.0), shift, []),
    }
    out = _in_context(config, data)
    assert out["shift"] is data["shift"]
    shift_texts = {e.text for e in shift}
    copies = [e for e in out["own"].train if e.id.endswith("#context")]
    assert len(copies) == 10
    assert not any(t in c.text for c in copies for t in shift_texts)


def test_context_dev_names_a_bad_model_directory(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from benchmarks.context_dev import main

    with pytest.raises(SystemExit) as exit_info:
        main([str(tmp_path / "nope")])
    assert exit_info.value.code == 2
    assert f"not a model directory (no config.json): {tmp_path / 'nope'}" in capsys.readouterr().err
