"""Record linkage on FEBRL4: ``interdict crosscheck link`` beside Splink and recordlinkage, in one run.

FEBRL4 ships with the ``recordlinkage`` package: two files of 5,000 persons each, every record of the
second a corrupted copy of one of the first (5,000 true links). Each linker gets the same records and a
rule fixed in advance; none is tuned on the truth:

* **interdict**: ``link_files`` (what ``interdict crosscheck link LEFT RIGHT --out OUT`` runs), with its
  recommended threshold, its weights learnt from the two files without the truth. The FEBRL columns are
  mapped to the command's headers: ``given_name``, ``family_name``, ``birth_date``, ``id_number`` (the
  social security number) and ``address`` (street number, street, locality, suburb, postcode, state).
* **splink**: Splink on DuckDB, blocking on given name, surname, birth date, ID number and postcode with
  street number; u by random sampling, m by expectation maximisation on two blocking rules, links at
  match probability 0.5.
* **recordlinkage**: the library's standard pipeline: the same blocks, a comparison vector, and its
  unsupervised ECM classifier.

Each timing is wall time from reading the CSV files to holding the links, after the imports, median of
``--repeats``. Figures go to stdout and to ``bench/out/linkage-<stamp>.json``.

    .venv/bin/python bench/bench_linkage.py --repeats 3

Needs the ``bench`` extra (``pip install -e '.[bench]'``): recordlinkage, splink, duckdb.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

OUT_DIR = Path(__file__).resolve().parent / "out"
Pairs = set[tuple[str, str]]


def load_febrl4() -> tuple[Any, Any, Pairs]:
    from recordlinkage.datasets import load_febrl4

    left, right, links = load_febrl4(return_links=True)
    truth = set(zip(links.get_level_values(0), links.get_level_values(1), strict=True))
    return left, right, truth


def write_inputs(left: Any, right: Any, folder: Path) -> tuple[Path, Path, Path, Path]:
    """The FEBRL frames as raw CSV (for Splink and recordlinkage) and in the command's layout."""
    paths = []
    for frame, name in ((left, "a"), (right, "b")):
        raw = folder / f"febrl4_{name}.csv"
        frame.to_csv(raw)
        ours = folder / f"febrl4_{name}_interdict.csv"
        with ours.open("w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream)
            writer.writerow(["id", "given_name", "family_name", "birth_date", "id_number", "address"])
            for rec_id, row in frame.fillna("").astype(str).iterrows():
                address = " ".join(
                    v for v in (row.street_number, row.address_1, row.address_2, row.suburb, row.postcode, row.state)
                    if v
                )
                writer.writerow([rec_id, row.given_name, row.surname, row.date_of_birth, row.soc_sec_id, address])
        paths += [raw, ours]
    return paths[0], paths[2], paths[1], paths[3]


def run_interdict(left: Path, right: Path, folder: Path) -> Pairs:
    from interdict.services.linkage import link_files

    out = folder / "links.csv"
    link_files(left, right, out)
    with out.open(encoding="utf-8") as stream:
        return {(row["left_id"], row["right_id"]) for row in csv.DictReader(stream)}


def run_splink(left: Path, right: Path) -> Pairs:
    import pandas as pd
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on
    from splink.backends.duckdb import DuckDBAPI

    frames = []
    for path in (left, right):
        frame = pd.read_csv(path, dtype=str)
        frames.append(frame)
    db_api = DuckDBAPI()
    tables = [db_api.register(f, dataset_display_name=n) for f, n in zip(frames, ("a", "b"), strict=True)]
    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="rec_id",
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
            cl.DamerauLevenshteinAtThresholds("postcode", [1]),
            cl.JaroWinklerAtThresholds("suburb", [0.9, 0.7]),
            cl.ExactMatch("state"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
            block_on("postcode", "street_number"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(tables, settings, log_level="ERROR")
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname"))
    predictions = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
    pairs: Pairs = set()
    for row in predictions.itertuples():
        a, b = str(row.rec_id_l), str(row.rec_id_r)
        if str(row.source_dataset_l) == "b":
            a, b = b, a
        pairs.add((a, b))
    return pairs


def run_recordlinkage(left: Path, right: Path) -> Pairs:
    import pandas as pd
    import recordlinkage

    a = pd.read_csv(left, dtype=str, index_col="rec_id")
    b = pd.read_csv(right, dtype=str, index_col="rec_id")
    indexer = recordlinkage.Index()
    for column in ("given_name", "surname", "date_of_birth", "soc_sec_id"):
        indexer.block(column)
    indexer.block(["postcode", "street_number"])
    candidates = indexer.index(a, b)
    compare = recordlinkage.Compare()
    compare.string("given_name", "given_name", method="jarowinkler", threshold=0.85, label="given_name")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    compare.exact("date_of_birth", "date_of_birth", label="date_of_birth")
    compare.exact("soc_sec_id", "soc_sec_id", label="soc_sec_id")
    compare.exact("street_number", "street_number", label="street_number")
    compare.string("address_1", "address_1", method="jarowinkler", threshold=0.85, label="address_1")
    compare.exact("postcode", "postcode", label="postcode")
    compare.string("suburb", "suburb", method="jarowinkler", threshold=0.85, label="suburb")
    compare.exact("state", "state", label="state")
    features = compare.compute(candidates, a, b)
    classifier = recordlinkage.ECMClassifier(binarize=0.5)
    matches = classifier.fit_predict(features)
    return {(str(x), str(y)) for x, y in matches}


def quality(found: Pairs, truth: Pairs) -> dict[str, float | int]:
    tp = len(found & truth)
    precision = tp / len(found) if found else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"links": len(found), "true_positives": tp, "false_positives": len(found) - tp,
            "false_negatives": len(truth) - tp, "precision": round(precision, 5), "recall": round(recall, 5),
            "f1": round(f1, 5)}


def timed(run: Callable[[], Pairs], repeats: int) -> tuple[Pairs, list[float]]:
    times = []
    found: Pairs = set()
    for _ in range(repeats):
        started = time.perf_counter()
        found = run()
        times.append(time.perf_counter() - started)
    return found, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=("interdict", "splink", "recordlinkage"), action="append")
    args = parser.parse_args()
    left, right, truth = load_febrl4()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        raw_a, raw_b, ours_a, ours_b = write_inputs(left, right, folder)
        # Imports before the clock, for every linker alike.
        import recordlinkage  # noqa: F401
        import splink  # noqa: F401

        import interdict.services.linkage  # noqa: F401
        from interdict.domain.names import name_form

        name_form("张伟")  # loads the pinyin tables, as any earlier call in the process would
        runners: dict[str, Callable[[], Pairs]] = {
            "interdict": lambda: run_interdict(ours_a, ours_b, folder),
            "splink": lambda: run_splink(raw_a, raw_b),
            "recordlinkage": lambda: run_recordlinkage(raw_a, raw_b),
        }
        for name, run in runners.items():
            if args.only and name not in args.only:
                continue
            found, times = timed(run, args.repeats)
            results[name] = {**quality(found, truth), "seconds_median": round(statistics.median(times), 3),
                             "seconds": [round(t, 3) for t in times]}
    print(f"FEBRL4: 5,000 x 5,000 records, {len(truth):,} true links; median of {args.repeats} runs")
    print(f"{'linker':<15}{'precision':>10}{'recall':>9}{'F1':>9}{'FP':>6}{'FN':>6}{'seconds':>10}")
    for name, r in results.items():
        print(f"{name:<15}{r['precision']:>10.5f}{r['recall']:>9.5f}{r['f1']:>9.5f}"
              f"{r['false_positives']:>6}{r['false_negatives']:>6}{r['seconds_median']:>10.3f}")
    others = [r["seconds_median"] for n, r in results.items() if n != "interdict"]
    if "interdict" in results and others:
        ratio = results["interdict"]["seconds_median"] / min(others)
        print(f"interdict time / fastest other: {ratio:.2f}")
    OUT_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    record = {"benchmark": "febrl4", "when": stamp, "python": platform.python_version(),
              "machine": platform.machine(), "cpus": __import__("os").cpu_count(), "results": results}
    path = OUT_DIR / f"linkage-{stamp}.json"
    path.write_text(json.dumps(record, indent=2), encoding="utf-8")
    print(f"written {path}")


if __name__ == "__main__":
    main()
