"""Throughput of diplostance against the naive baseline, in one run on one machine.

Baseline (what an analyst would write): the same encoder through
``AutoModelForSequenceClassification``, one forward per (sentence, country) pair — the sentence
and the country's mention as a text pair —, batch 32, fp32, input order. Its pairs are prepared
before the clock starts (generous to the baseline); diplostance is timed end to end (sentence
splitting and country finding included).

Each measurement runs in its own process so peak RSS is per measurement.

    python benchmarks/bench_speed.py [--articles 300] [--model DIR] [--out benchmarks/results/speed.json]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
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


def build_archive(n_articles: int, seed: int = 7) -> list[dict]:
    """Realistic multi-sentence, multilingual articles from the project's own sentences plus filler."""
    rng = random.Random(seed)
    by_lang: dict[str, list[str]] = {}
    for path in sorted((ROOT / "data" / "stance").glob("*/*.jsonl")):
        for line in path.open(encoding="utf-8"):
            row = json.loads(line)
            by_lang.setdefault(row["lang"], []).append(row["text"])
    langs = sorted(by_lang)
    articles = []
    for i in range(n_articles):
        lang = langs[i % len(langs)]
        sentences = rng.sample(by_lang[lang], k=min(len(by_lang[lang]), rng.randint(3, 7)))
        for _ in range(rng.randint(1, 3)):  # sentences naming no country
            sentences.insert(rng.randrange(len(sentences) + 1), rng.choice(FILLER))
        articles.append({"id": f"a{i:06d}", "lang": lang, "text": " ".join(sentences)})
    return articles


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_baseline(articles: list[dict], threads: int) -> dict:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

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
    start = time.perf_counter()
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
    elapsed = time.perf_counter() - start
    return {"seconds": elapsed, "pairs": len(pairs), "articles": len(articles), "peak_rss_mb": _peak_rss_mb()}


def run_classify_many(articles: list[dict], threads: int, model: str | None, precision: str) -> dict:
    import torch

    from inference import load_classifier

    torch.set_num_threads(threads)
    clf = load_classifier(model, precision=precision)
    clf.classify_many(["Warm-up: Russia and France met in Paris."])
    start = time.perf_counter()
    results = clf.classify_many([a["text"] for a in articles], lang=[a["lang"] for a in articles])
    elapsed = time.perf_counter() - start
    pairs = sum(len(r) for r in results)
    return {
        "seconds": elapsed,
        "pairs": pairs,
        "articles": len(articles),
        "peak_rss_mb": _peak_rss_mb(),
        "precision": clf.precision,
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--model", default=None, help="model directory (default: the shipped model)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "speed.json")
    args = parser.parse_args()
    articles = build_archive(args.articles)
    results: dict = {
        "machine": {
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "python": sys.version.split()[0],
        },
        "articles": len(articles),
        "threads": args.threads,
    }
    if not args.skip_baseline:
        results["baseline"] = in_process(run_baseline, articles, args.threads)
    for precision in ("fp32", "auto"):
        results[f"classify_many_{precision}"] = in_process(
            run_classify_many, articles, args.threads, args.model, precision
        )
    results["score"] = in_process(run_score, articles, args.threads, args.model)
    base = results.get("baseline")
    print(f"{'run':<22} {'articles/s':>10} {'pairs/s':>9} {'x baseline':>10} {'peak RSS MB':>12}")
    for name, r in results.items():
        if not isinstance(r, dict) or "seconds" not in r:
            continue
        pairs_s = r["pairs"] / r["seconds"]
        r["articles_per_s"] = r["articles"] / r["seconds"]
        r["pairs_per_s"] = pairs_s
        ratio = (pairs_s / (base["pairs"] / base["seconds"])) if base else float("nan")
        r["ratio_to_baseline"] = ratio
        print(
            f"{name:<22} {r['articles_per_s']:>10.1f} {pairs_s:>9.1f} {ratio:>10.2f} {r['peak_rss_mb']:>12.0f}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
