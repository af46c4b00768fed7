"""Load benchmark: simulated users over the REST channel, this assistant against a stock one (`make benchmark-load`).

    .venv/bin/python benchmarks/load.py [--rounds 3]     # about 7 minutes on 2 cores
    .venv/bin/python benchmarks/load.py --quick          # a short trial of the script

Both are served at once on 127.0.0.1: a stock `rasa init` assistant (trained here in a temporary folder; REST,
in-memory tracker store) and this one as `make run` starts it (action server, SQLite tracker store, the model
in models/ or --model). Each round puts the same two loads on each in turn (stock, this, stock, this, ...):

- paced: 100 users, each waiting a random 0-10 s (5 s on average) after each reply;
- saturation: 20 users with no pause, for the throughput ceiling.

The load generator is one asynchronous process and reports its own CPU share, so a loaded generator shows.
Prints the figures of every round and the median ratio (this / stock) with its range over the rounds;
writes reports/benchmarks/load.json.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import List, Optional

from common import ROOT, SETUPS, both_assistants, machine_line, markdown_table, save_report, stock_project, train
from stats import ratio_over_rounds, ratio_text
from traffic import Mode, run


def modes(quick: bool) -> List[Mode]:
    return [Mode("paced", 100, 5.0, 15 if quick else 40), Mode("saturation", 20, 0.0, 10 if quick else 20)]


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "bme-assistant.tar.gz")
    parser.add_argument("--quick", action="store_true", help="short runs, to try the script (numbers not meaningful)")
    args = parser.parse_args(argv)
    rounds = range(1, args.rounds + 1)
    results = {setup: {mode.name: [] for mode in modes(args.quick)} for setup in SETUPS}
    with tempfile.TemporaryDirectory(prefix="bme-load-") as name:
        folder = Path(name)
        stock = stock_project(folder)
        train(stock, stock / "config.yml", folder, "stock")
        models = {"stock": folder / "stock.tar.gz", "bme": args.model.resolve()}
        with both_assistants(folder, models, stock) as urls:
            for setup in SETUPS:
                run(urls[setup], setup, Mode("warm-up", 2, 0, 5), "warm-up")
            for number in rounds:
                for setup in SETUPS:
                    for mode in modes(args.quick):
                        results[setup][mode.name].append(run(urls[setup], setup, mode, f"round{number}"))
                        print(f"round {number}: {setup} {mode.name} {results[setup][mode.name][-1]}", flush=True)

    def ratio(mode: str, measure: str) -> dict:
        return ratio_over_rounds(*([round_[measure] for round_ in results[setup][mode]] for setup in ("bme", "stock")))

    ratios = {"paced_p95": ratio("paced", "p95"), "saturation_turns_per_s": ratio("saturation", "turns_per_s")}
    path = save_report("load", {"args": {**vars(args), "model": str(args.model)}, "results": results, "ratios": ratios})
    print()
    print(
        markdown_table(
            ["Round", "Set-up", "Mode", "Turns", "Turns/s", "p50 / p95 / p99 (ms)", "Errors", "Generator CPU"],
            [
                [number, setup, mode, one["turns"], f"{one['turns_per_s']:.1f}"]
                + [f"{one['p50']:.0f} / {one['p95']:.0f} / {one['p99']:.0f}", one["errors"]]
                + [f"{one['generator_cpu_share']:.0%}"]
                for number in rounds
                for setup in SETUPS
                for mode, by_round in results[setup].items()
                for one in [by_round[number - 1]]
            ],
        )
    )
    errors = sum(one["errors"] for by_mode in results["bme"].values() for one in by_mode)
    print()
    print(
        markdown_table(
            ["Measure", "Median ratio this / stock (range)"],
            [
                ["Paced p95 (100 users)", f"{ratio_text(ratios['paced_p95'])}, {errors} errors"],
                ["Saturation throughput (20 users)", ratio_text(ratios["saturation_turns_per_s"])],
            ],
        )
    )
    print(f"\n{machine_line()}; saved in {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
