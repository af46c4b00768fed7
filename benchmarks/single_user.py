"""Training time, model size and one user's turn latency: this assistant against a stock one (`make benchmark`).

    .venv/bin/python benchmarks/single_user.py [--rounds 3] [--config config.yml]

A stock `rasa init` project and this one, alternated round after round (stock, this, stock, this, ...):

1. `rasa train` from scratch, each training forced, with an empty cache of its own, into a temporary folder
   (models/ and .rasa/cache are not touched);
2. the size of the model archives;
3. both assistants served at once (stock: REST, in-memory tracker store; this one as `make run` starts it:
   action server, SQLite tracker store), then one user chatting with no pause for --seconds, with each in turn.

Prints the figures of every round and the median ratio (this / stock) with its range over the rounds;
writes reports/benchmarks/single-user.json.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import List, Optional

from common import ROOT, SETUPS, both_assistants, machine_line, markdown_table, save_report, stock_project, train
from stats import ratio_over_rounds, ratio_text
from traffic import Mode, run


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=20, help="of chatting per set-up and round")
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml", help="this assistant's config")
    args = parser.parse_args(argv)
    rounds = range(1, args.rounds + 1)
    chat = Mode("single-user", users=1, mean_think_s=0, seconds=args.seconds)
    train_s = {setup: [] for setup in SETUPS}
    turns = {setup: [] for setup in SETUPS}
    with tempfile.TemporaryDirectory(prefix="bme-benchmark-") as name:
        folder = Path(name)
        projects = {"stock": stock_project(folder), "bme": ROOT}
        configs = {"stock": projects["stock"] / "config.yml", "bme": args.config.resolve()}
        for number in rounds:
            for setup in SETUPS:
                train_s[setup].append(train(projects[setup], configs[setup], folder, setup))
                print(f"round {number}: {setup} trained in {train_s[setup][-1]:.0f} s", flush=True)
        models = {setup: folder / f"{setup}.tar.gz" for setup in SETUPS}
        model_mb = {setup: models[setup].stat().st_size / 1e6 for setup in SETUPS}
        with both_assistants(folder, models, projects["stock"]) as urls:
            for setup in SETUPS:
                run(urls[setup], setup, Mode("warm-up", 1, 0, 5), "warm-up")
            for number in rounds:
                for setup in SETUPS:
                    turns[setup].append(run(urls[setup], setup, chat, f"round{number}"))
                    print(f"round {number}: {setup} {turns[setup][-1]}", flush=True)
    ratios = {
        "train_s": ratio_over_rounds(train_s["bme"], train_s["stock"]),
        **{
            cut: ratio_over_rounds(*([turn[cut] for turn in turns[setup]] for setup in ("bme", "stock")))
            for cut in ("p50", "p95")
        },
    }
    report = {
        "args": {**vars(args), "config": str(args.config)},
        "train_s": train_s,
        "model_mb": model_mb,
        "turns": turns,
        "ratios": ratios,
    }
    path = save_report("single-user", report)
    print()
    print(
        markdown_table(
            ["Round", "Set-up", "Training (s)", "Turn p50 / p95 (ms)", "Turns", "Errors", "Generator CPU"],
            [
                [
                    number,
                    setup,
                    f"{train_s[setup][index]:.0f}",
                    f"{turn['p50']:.0f} / {turn['p95']:.0f}",
                    turn["turns"],
                    turn["errors"],
                    f"{turn['generator_cpu_share']:.0%}",
                ]
                for index, number in enumerate(rounds)
                for setup in SETUPS
                for turn in [turns[setup][index]]
            ],
        )
    )
    print()
    print(
        markdown_table(
            ["Measure", "Median ratio this / stock (range)"],
            [
                ["`rasa train` from scratch", ratio_text(ratios["train_s"])],
                ["Single-user turn p50", ratio_text(ratios["p50"])],
                ["Single-user turn p95", ratio_text(ratios["p95"])],
                ["Model archive", f"{model_mb['bme']:.1f} MB (stock {model_mb['stock']:.1f} MB)"],
            ],
        )
    )
    print(f"\n{machine_line()}; saved in {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
