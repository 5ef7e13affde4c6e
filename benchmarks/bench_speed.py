"""Throughput of diplostance against the naive baseline, in one run on one machine.

Baseline (what an analyst would write): the same encoder through
``AutoModelForSequenceClassification``, one forward per (sentence, country) pair — the sentence
and the country's mention as a text pair —, batch 32, fp32, input order. Its pairs are prepared
before the clock starts (generous to the baseline); diplostance is timed end to end (sentence
splitting and country finding included).

Each measurement runs in its own process so peak RSS is per measurement.

    python benchmarks/bench_speed.py [--articles 300] [--model DIR] [--out benchmarks/results/speed.json]
        [--precisions fp32,auto,int8,dynamic] [--repeats 3] [--avx2] [--skip-score] [--baseline-keep-blocks]
        [--distinct]

Precisions: those of ``load_classifier`` (``int8`` is calibrated; its first load in a process calibrates
or reads the cache before the clock starts); ``plain`` / ``plain:REGEX`` / ``int8:REGEX``: int8 rounded
data-free (the int8 of 2026-12-04), REGEX's layers in fp32; ``dynamic``: torch's dynamic int8; a
``+padded`` suffix: Hugging Face's padded forward; ``+glibc``: glibc's own malloc thresholds.

``--avx2`` emulates an AVX2-only CPU (oneDNN, ATen, FBGEMM and MKL capped at AVX2; no bf16); ``--repeats``
interleaves rounds of all runs and reports medians (and CPU seconds: compare those on a shared machine).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # measure this checkout's code, not an installed copy

from benchmarks.cpu_env import AVX2_ENV  # noqa: E402

FILLER = [
    "The meeting lasted about three hours and ended without a joint statement.",
    "Analysts said markets reacted calmly to the news.",
    "Die Gespräche sollen im kommenden Monat fortgesetzt werden.",
    "Les détails de l'accord n'ont pas été rendus publics.",
    "Подробности соглашения не раскрываются.",
    "ولم يتم الكشف عن تفاصيل الاتفاق.",
    "会谈持续了大约三个小时。",
    "Los detalles del acuerdo no se hicieron públicos.",
]


def build_archive(n_articles: int, seed: int = 7, distinct: bool = False) -> list[dict]:
    """Realistic multi-sentence, multilingual articles from the project's own sentences plus filler.

    Each article draws its sentences from those of its language, so across articles some repeat (about
    one in five country sentences at 300 articles: :func:`repeat_share`), as wire copies do in real
    archives; ``classify_many`` reads a repeated sentence once, the naive baseline every time.
    ``distinct=True`` draws without replacement across the archive (no sentence repeats while a
    language's sentences last)."""
    return [
        {"id": f"a{i:06d}", "lang": lang, "text": " ".join(sentences)}
        for i, (lang, sentences) in enumerate(_draw(n_articles, seed, distinct))
    ]


def repeat_share(n_articles: int, seed: int = 7, distinct: bool = False) -> float:
    """The share of :func:`build_archive`'s project sentences (filler aside) that an earlier article had."""
    seen: set[str] = set()
    total = repeats = 0
    for _, sentences in _draw(n_articles, seed, distinct):
        for sentence in sentences:
            if sentence not in FILLER:
                total += 1
                repeats += sentence in seen
                seen.add(sentence)
    return repeats / max(1, total)


def _draw(n_articles: int, seed: int, distinct: bool) -> list[tuple[str, list[str]]]:
    """(language, sentences) per article of :func:`build_archive`."""
    rng = random.Random(seed)
    by_lang: dict[str, list[str]] = {}
    for path in sorted((ROOT / "data" / "stance").glob("*/*.jsonl")):
        for line in path.open(encoding="utf-8"):
            row = json.loads(line)
            by_lang.setdefault(row["lang"], []).append(row["text"])
    langs = sorted(by_lang)
    unused: dict[str, list[str]] = {lang: [] for lang in langs}
    articles = []
    for i in range(n_articles):
        lang = langs[i % len(langs)]
        k = min(len(by_lang[lang]), rng.randint(3, 7))
        if not distinct:
            sentences = rng.sample(by_lang[lang], k=k)
        else:
            if len(unused[lang]) < k:  # first use, or the language's sentences are used up
                unused[lang] = rng.sample(by_lang[lang], k=len(by_lang[lang]))
            sentences, unused[lang] = unused[lang][:k], unused[lang][k:]
        for _ in range(rng.randint(1, 3)):  # sentences naming no country
            sentences.insert(rng.randrange(len(sentences) + 1), rng.choice(FILLER))
        articles.append((lang, sentences))
    return articles


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_baseline(articles: list[dict], threads: int, keep_blocks: bool = False) -> dict:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    if keep_blocks:  # the baseline with the glibc thresholds load_classifier sets (inference/allocator.py)
        from inference.allocator import keep_batch_blocks

        keep_batch_blocks()

    from inference.countries import find_countries
    from inference.encoder import resolve_encoder
    from inference.sentences import split_sentences

    torch.set_num_threads(threads)
    encoder_dir = resolve_encoder()
    tok = AutoTokenizer.from_pretrained(encoder_dir)
    model = AutoModelForSequenceClassification.from_pretrained(encoder_dir, num_labels=5).eval()
    pairs = []
    for a in articles:
        mentions = find_countries(a["text"], a["lang"])
        for s in split_sentences(a["text"]):
            seen = {}
            for m in mentions:
                if s.start <= m.start < s.end:
                    seen.setdefault(m.country, m.text)
            pairs += [(s.text, name) for name in seen.values()]
    start, cpu = time.perf_counter(), time.process_time()
    with torch.inference_mode():
        for i in range(0, len(pairs), 32):
            chunk = pairs[i : i + 32]
            batch = tok(
                [p[0] for p in chunk],
                [p[1] for p in chunk],
                padding=True,
                truncation=True,
                max_length=256,
                return_tensors="pt",
            )
            model(**batch)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "pairs": len(pairs),
        "articles": len(articles),
        "peak_rss_mb": _peak_rss_mb(),
    }


def run_classify_many(articles: list[dict], threads: int, model: str | None, precision: str) -> dict:
    import torch

    from inference import load_classifier

    torch.set_num_threads(threads)
    if precision.endswith("+glibc"):  # glibc's own malloc thresholds (load_classifier raises them on the CPU)
        from inference.allocator import OPT_OUT

        os.environ[OPT_OUT] = "0"
        precision = precision.removesuffix("+glibc")
    precision, padded = precision.removesuffix("+padded"), precision.endswith("+padded")
    if precision == "dynamic":  # torch's dynamic int8, the int8 before 2026-12-04 (benchmarks/int8_dev.py)
        from benchmarks.int8_dev import FFN_OUTPUTS, _dynamic

        clf = load_classifier(model, precision="fp32")
        _dynamic(clf.model.encoder, FFN_OUTPUTS)
        clf.precision = precision
    elif precision.startswith(("int8:", "plain")):  # int8:REGEX and plain[:REGEX]: data-free int8 (the
        from inference.quantize import quantize_encoder  # int8 of 2026-12-04), REGEX's layers in fp32

        clf = load_classifier(model, precision="fp32")
        keep = precision.partition(":")[2]
        quantize_encoder(clf.model.encoder, keep_fp32=(keep,) if keep else ())
        clf.precision = precision
    else:
        clf = load_classifier(model, precision=precision)
    if padded:  # PRECISION+padded: Hugging Face's padded forward instead of inference.packed
        clf.model.pack_tokens = False
    clf.classify_many(["Warm-up: Russia and France met in Paris."])
    start, cpu = time.perf_counter(), time.process_time()
    results = clf.classify_many([a["text"] for a in articles], lang=[a["lang"] for a in articles])
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    pairs = sum(len(r) for r in results)
    return {
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "pairs": pairs,
        "articles": len(articles),
        "peak_rss_mb": _peak_rss_mb(),
        "precision": clf.precision + ("+padded" if padded else ""),
        "labels": [(r.stance, r.detail, r.sentiment) for rs in results for r in rs],
    }


def run_score(articles: list[dict], threads: int, model: str | None) -> dict:
    import torch

    from inference.batch import score

    torch.set_num_threads(threads)
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "archive.jsonl"
        archive.write_text(
            "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8"
        )
        start = time.perf_counter()
        manifest = score(archive, Path(tmp) / "out", model=model, progress=False)
        elapsed = time.perf_counter() - start
        import pyarrow.parquet as pq

        rows = pq.read_metadata(Path(tmp) / "out" / "stances.parquet").num_rows
    return {
        "seconds": elapsed,
        "pairs": rows,
        "articles": len(articles),
        "scored": manifest.scored,
        "peak_rss_mb": _peak_rss_mb(),
    }


def _child(fn, args, queue):  # pragma: no cover - runs in a subprocess
    queue.put(fn(*args))


def in_process(fn, *args) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(fn, args, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def cpu_description() -> dict:
    """CPU model and the SIMD flags that decide the fast path (AVX2, AVX-512, bf16, AMX)."""
    text = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").is_file() else ""
    model = next((ln.split(":", 1)[1].strip() for ln in text.splitlines() if ln.startswith("model name")), "")
    flags = set(text.split())
    return {
        "model": model or platform.processor(),
        "flags": [f for f in ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16") if f in flags],
    }


def _median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--model", default=None, help="model directory (default: the shipped model)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--skip-score", action="store_true")
    parser.add_argument(
        "--precisions",
        default="fp32,auto",
        help="classify_many runs, e.g. fp32,int8,dynamic, each also as PRECISION+padded (Hugging Face's padded "
        "forward, the state before 2026-12-04 evening) and PRECISION+glibc (glibc's own malloc thresholds, the "
        "state before 2026-12-05) (default fp32,auto)",
    )
    parser.add_argument(
        "--baseline-keep-blocks",
        action="store_true",
        help="also run the baseline with the malloc thresholds load_classifier sets (baseline_keep_blocks); "
        "ratios stay against the plain baseline",
    )
    parser.add_argument("--repeats", type=int, default=1, help="rounds of all runs, interleaved; medians")
    parser.add_argument(
        "--avx2",
        action="store_true",
        help="emulate an AVX2-only CPU (oneDNN, ATen, FBGEMM, MKL: benchmarks/cpu_env.py)",
    )
    parser.add_argument(
        "--distinct",
        action="store_true",
        help="an archive in which no sentence repeats (by default about one in five country sentences of 300 "
        "articles repeats an earlier article's, and classify_many reads each once)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "speed.json")
    args = parser.parse_args()
    if args.avx2:
        os.environ.update(AVX2_ENV)  # the spawned measurement processes inherit it
    articles = build_archive(args.articles, distinct=args.distinct)
    results: dict = {
        "machine": {
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "python": sys.version.split()[0],
            "cpu": cpu_description(),
            "avx2_emulated": args.avx2,
        },
        "articles": len(articles),
        "distinct": args.distinct,
        "repeat_share": round(repeat_share(args.articles, distinct=args.distinct), 4),
        "threads": args.threads,
        "repeats": args.repeats,
    }
    runs: dict[str, list[dict]] = {}
    for _ in range(args.repeats):
        if not args.skip_baseline:
            runs.setdefault("baseline", []).append(in_process(run_baseline, articles, args.threads))
        if args.baseline_keep_blocks:
            runs.setdefault("baseline_keep_blocks", []).append(
                in_process(run_baseline, articles, args.threads, True)
            )
        for precision in args.precisions.split(","):
            runs.setdefault(f"classify_many_{precision}", []).append(
                in_process(run_classify_many, articles, args.threads, args.model, precision)
            )
        if not args.skip_score:
            runs.setdefault("score", []).append(in_process(run_score, articles, args.threads, args.model))
        print({name: round(rs[-1]["seconds"], 2) for name, rs in runs.items()}, flush=True)
    reference = runs.get("classify_many_fp32", [{}])[0].get("labels")
    for name, rs in runs.items():
        r = dict(rs[0])
        labels = r.pop("labels", None)
        r["seconds"] = _median([x["seconds"] for x in rs])
        r["cpu_seconds"] = _median([x["cpu_seconds"] for x in rs]) if "cpu_seconds" in r else None
        r["all_seconds"] = [round(x["seconds"], 3) for x in rs]
        if labels is not None and reference is not None and len(labels) == len(reference):
            for k, part in enumerate(("stance", "detail", "sentiment")):
                same = sum(a[k] == b[k] for a, b in zip(labels, reference, strict=True))
                r[f"{part}_agreement_with_fp32"] = same / max(1, len(labels))
        results[name] = r
    base = results.get("baseline")
    print(
        f"{'run':<26} {'articles/s':>10} {'pairs/s':>9} {'x baseline':>10} {'cpu x':>6} {'peak RSS MB':>12}"
        "  x baseline per round"
    )
    for name, r in results.items():
        if not isinstance(r, dict) or "seconds" not in r:
            continue
        pairs_s = r["pairs"] / r["seconds"]
        r["articles_per_s"] = r["articles"] / r["seconds"]
        r["pairs_per_s"] = pairs_s
        ratio = (pairs_s / (base["pairs"] / base["seconds"])) if base else float("nan")
        r["ratio_to_baseline"] = ratio
        if base:  # round by round: the baseline and this run of the same round (the host drifts)
            r["ratio_per_round"] = [
                round((r["pairs"] / mine) / (base["pairs"] / theirs), 3)
                for mine, theirs in zip(r["all_seconds"], base["all_seconds"], strict=False)
            ]
        cpu_ratio = float("nan")
        if base and r.get("cpu_seconds") and base.get("cpu_seconds"):
            cpu_ratio = (r["pairs"] / r["cpu_seconds"]) / (base["pairs"] / base["cpu_seconds"])
            r["cpu_ratio_to_baseline"] = cpu_ratio
        print(
            f"{name:<26} {r['articles_per_s']:>10.1f} {pairs_s:>9.1f} {ratio:>10.2f} {cpu_ratio:>6.2f} "
            f"{r['peak_rss_mb']:>12.0f}  {', '.join(f'{x:.2f}' for x in r.get('ratio_per_round', []))}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
