"""The evaluation protocol (docs/evaluation-protocol.md): k grouped folds x seeds, mean ± sd.

``cross_validate(config)`` trains one model per (fold, seed) pair with the fold as dev and the last epoch
kept (``train.select: last``: choosing the best epoch on the same dev split would flatter it), then
summarises every dev figure as mean ± sd over the runs. Configs are compared by the mean; a gap smaller
than the sd is no evidence.
"""

from __future__ import annotations

import copy
import json
import logging
import statistics
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .config import Config, ConfigError, validate
from .evaluation import PUBLISHED, format_table

logger = logging.getLogger(__name__)

METRICS = ("sentence_detail_f1", "detail_f1", "stance_f1", "sentiment_f1", "sentiment_pn_f1", "dyad_f1")


def run_plan(folds: int, seeds: Sequence[int], fold: int | None = None) -> list[tuple[int, int]]:
    """``(fold, seed)`` per run: run ``i`` holds out fold ``i mod folds`` and trains with ``seeds[i]``; with
    ``fold``, every run holds out that fold, so runs of two configs pair by seed on one dev set."""
    if folds < 2:
        raise ConfigError(f"folds={folds}; the protocol needs at least 2 folds")
    if len(seeds) < 1:
        raise ConfigError("seeds is empty; give at least 3 seeds (e.g. 13 14 15)")
    if fold is not None:
        if not 0 <= fold < folds:
            raise ConfigError(f"fold={fold}; with {folds} folds it must be 0 to {folds - 1}")
        return [(fold, seed) for seed in seeds]
    return [(i % folds, seed) for i, seed in enumerate(seeds)]


def run_config(config: Config, fold: int, seed: int, folds: int, out_dir: Path) -> Config:
    """``config`` for one protocol run: fold as dev, seed, last epoch kept, its own output folder."""
    run = copy.deepcopy(config)
    run.data.folds, run.data.fold = folds, fold
    run.train.seed = seed
    run.train.select = "last"
    run.output.dir = str(out_dir / f"fold{fold}-seed{seed}")
    return validate(run)


def summarise(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """data set -> lang -> metric -> {mean, sd, n, values} over the runs' dev results."""
    values: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    kinds: dict[str, str] = {}
    for dev in runs:
        for name, res in dev.items():
            kinds[name] = res["kind"]
            for lang, metrics in res["by_lang"].items():
                for metric in METRICS:
                    if metric in metrics:
                        values[name, lang, metric].append(metrics[metric])
    out: dict[str, Any] = {}
    for (name, lang, metric), vals in sorted(values.items()):
        entry = {
            "mean": statistics.fmean(vals),
            "sd": statistics.stdev(vals) if len(vals) > 1 else 0.0,
            "n": len(vals),
            "values": vals,
        }
        out.setdefault(name, {"kind": kinds[name], "by_lang": {}})["by_lang"].setdefault(lang, {})[metric] = (
            entry
        )
    return out


def summary_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for name, res in summary.items():
        for lang, metrics in sorted(res["by_lang"].items(), key=lambda kv: (kv[0] != "all", kv[0])):
            published = PUBLISHED.get((res["kind"], lang))
            for metric, entry in metrics.items():
                if metric == "sentiment_pn_f1" and res["kind"] != "rusentne":
                    continue
                ref = ""
                if published and published["metric"] == metric:
                    ref = ", ".join(f"{k} {v:.3f}" for k, v in published["figures"].items())
                rows.append(
                    {
                        "data": name,
                        "lang": lang,
                        "metric": metric,
                        "ours": entry["mean"],
                        "sd": entry["sd"],
                        "values": entry["values"],
                        "published": ref,
                    }
                )
    return rows


def paired_differences(runs: Sequence[dict[str, Any]], against: str | Path) -> dict[str, Any]:
    """Per (data set, lang, metric): this config's runs minus ``against``'s runs of the same (fold, seed)
    (``against/fold{f}-seed{s}/metrics.json``), as :func:`summarise` entries over the pairs.

    Runs with no counterpart are left out; none at all is a :class:`ConfigError` naming the folder."""
    against = Path(against)
    differences = []
    for run in runs:
        other = against / f"fold{run['fold']}-seed{run['seed']}" / "metrics.json"
        if other.is_file():
            differences.append(_difference(run["dev"], json.loads(other.read_text())["dev"]))
    if not differences:
        wanted = ", ".join(f"fold{r['fold']}-seed{r['seed']}" for r in runs)
        raise ConfigError(
            f"--against {against}: no finished run there pairs with these ({wanted}); "
            "give a cv folder of the same folds and seeds (e.g. one run with --fold 0)"
        )
    return summarise(differences)


def _difference(dev: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """One run's dev results minus another's, for the figures both have (:func:`summarise`'s input shape)."""
    out: dict[str, Any] = {}
    for name, res in dev.items():
        for lang, metrics in res["by_lang"].items():
            theirs = other.get(name, {}).get("by_lang", {}).get(lang, {})
            for metric in METRICS:
                if metric in metrics and metric in theirs:
                    entry = out.setdefault(name, {"kind": res["kind"], "by_lang": {}})
                    entry["by_lang"].setdefault(lang, {})[metric] = metrics[metric] - theirs[metric]
    return out


def cross_validate(
    config: Config,
    out_dir: str | Path,
    *,
    folds: int = 5,
    seeds: Sequence[int] = (13, 14, 15),
    fold: int | None = None,
    against: str | Path | None = None,
) -> dict[str, Any]:
    """Train one model per (fold, seed) of :func:`run_plan`; write ``summary.json``; return the summary.

    Runs already finished in ``out_dir`` (their ``metrics.json`` exists) are read, not retrained, so an
    interrupted protocol resumes. ``against``: another cv folder; the summary then also holds the paired
    differences, this config minus that one, run by run (:func:`paired_differences`).
    """
    from .trainer import train

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    runs = []
    for held, seed in run_plan(folds, seeds, fold):
        run = run_config(config, held, seed, folds, out_dir)
        metrics_file = Path(run.output.dir) / "metrics.json"
        if not metrics_file.is_file():
            logger.info("protocol run fold %d seed %d -> %s", held, seed, run.output.dir)
            train(run)
        metrics = json.loads(metrics_file.read_text())
        runs.append({"fold": held, "seed": seed, "dir": run.output.dir, "dev": metrics["dev"]})
    summary = {
        "folds": folds,
        "seeds": list(seeds),
        "runs": [{k: r[k] for k in ("fold", "seed", "dir")} for r in runs],
        "dev": summarise([r["dev"] for r in runs]),
    }
    table = format_table(summary_rows(summary["dev"]))
    text = f"mean ± sd over {len(runs)} runs ({folds} grouped folds, seeds {list(seeds)}):\n{table}\n"
    if against is not None:
        summary["against"] = str(against)
        summary["paired"] = paired_differences(runs, against)
        n = max(
            (e["n"] for r in summary["paired"].values() for m in r["by_lang"].values() for e in m.values()),
            default=0,
        )
        rows = [{**row, "published": ""} for row in summary_rows(summary["paired"])]  # not comparable
        paired = format_table(rows)
        text += (
            f"\nthis config minus {against}, paired by (fold, seed), mean ± sd over {n} pairs:\n{paired}\n"
        )
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    (out_dir / "summary.txt").write_text(text)
    print(text, end="")
    return summary
