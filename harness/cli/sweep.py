"""`commtwin sweep SPEC.toml`: scenario variants x seeded virtual replications, on Dask.

The spec (`harness.cli.variants`) names the variants; each variant runs `replications` times
with seeds seed, seed + 1, ... Tasks are chunks of one variant's replications: the base scenario
is scattered to every worker once, a worker validates a variant and computes its geometry once
(`harness.cli.replicate`). The table is sorted by (variant, replication) and holds no wall-clock
figure, so the same spec gives the same table on one worker, on two, or serially (`--workers 0`).

A `LocalCluster` on loopback is the default (`--workers N` processes, one thread each: the
simulation holds the GIL); `--scheduler tcp://host:port` uses a running cluster instead, whose
workers must have commtwin installed. Outputs in `--out`: `results.parquet` (one row per
replication), `summary.parquet` (one per variant), `results.csv` with `--csv`, `sweep.json`
(spec, timing), and with `--report` the plots and `report.html`.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import math
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from harness.cli.console import console
from harness.cli.replicate import run_chunk
from harness.cli.sweep_report import write_report
from harness.cli.sweep_stats import pareto, summarize
from harness.cli.variants import Spec, SpecError, Value, load_spec, replication_seeds, variants
from scenarios import ScenarioError, resolve

Task = tuple[int, dict[str, Value], list[tuple[int, int]]]
#: Replications per task at least (one costs ~0.1 s; a task costs the scheduler ~ms).
MIN_CHUNK = 2
Tick = Callable[[int], None]


def tasks(spec: Spec, per_task: int | None = None, workers: int = 1) -> list[Task]:
    """One variant's replications in chunks: `per_task` each, or shrinking chunks (below)."""
    seeds = list(enumerate(replication_seeds(spec)))
    out: list[Task] = []
    for v, values in enumerate(variants(spec)):
        sizes = [per_task] * math.ceil(len(seeds) / per_task) if per_task else \
            chunk_sizes(len(seeds), workers)
        i = 0
        for size in sizes:
            out.append((v, values, seeds[i:i + size]))
            i += size
    return out


def chunk_sizes(n: int, workers: int) -> list[int]:
    """Guided chunks: each takes 1/(2 x workers) of what is left, at least `MIN_CHUNK`.

    Big chunks first pay the scheduler little; the small ones at the end let every worker
    finish at about the same time (equal chunks left one worker idle for up to a chunk, ~10%
    of a 200-replication sweep on two workers)."""
    sizes: list[int] = []
    left = n
    while left > 0:
        size = min(left, max(MIN_CHUNK, math.ceil(left / (2 * max(1, workers)))))
        sizes.append(size)
        left -= size
    return sizes


def _sorted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (r["variant"], r["replication"]))


def run_serial(base: dict[str, Any], spec: Spec, tick: Tick | None = None,
               ) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for v, values, reps in tasks(spec, per_task=1):
        rows += run_chunk(base, spec.model_dump_json(), v, values, reps)
        if tick is not None:
            tick(len(reps))
    return _sorted(rows)


def run_dask(base: dict[str, Any], spec: Spec, client: Any, tick: Tick | None = None,
             per_task: int | None = None) -> list[dict[str, Any]]:
    from distributed import as_completed

    workers = max(1, len(client.scheduler_info()["workers"]))
    shared = client.scatter(base, broadcast=True)
    spec_json = spec.model_dump_json()
    futures = [client.submit(run_chunk, shared, spec_json, v, values, reps, pure=False)
               for v, values, reps in tasks(spec, per_task, workers)]
    rows: list[dict[str, Any]] = []
    for fut in as_completed(futures):
        got = fut.result()
        rows += got
        if tick is not None:
            tick(len(got))
    return _sorted(rows)


def local_cluster(workers: int) -> Any:
    """A loopback-only cluster: scheduler and workers on 127.0.0.1, no dashboard."""
    import logging

    from distributed import LocalCluster

    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                        host="127.0.0.1", scheduler_port=0, dashboard_address=None,
                        silence_logs=logging.ERROR)


def run_sweep(spec: Spec, ref: str, workers: int = 2, scheduler: str | None = None,
              tick: Tick | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The table and what the run was (where, wall seconds: kept out of the table). The
    wall time counts from workers ready to the last row; starting a cluster is apart."""
    base = tomllib.loads(resolve(ref).read_text("utf-8"))
    meta: dict[str, Any] = {"scenario": ref}
    if scheduler is None and workers == 0:
        started = time.monotonic()
        rows = run_serial(base, spec, tick)
        meta["where"] = "serial (in-process)"
    else:
        from distributed import Client

        t0 = time.monotonic()
        with contextlib.ExitStack() as stack:
            if scheduler is not None:
                client = stack.enter_context(Client(scheduler))
                meta["where"] = f"scheduler {scheduler}"
            else:
                cluster = stack.enter_context(local_cluster(workers))
                client = stack.enter_context(Client(cluster))
                client.wait_for_workers(workers)
                # the workers import the simulation before the clock starts
                client.run(importlib.import_module, "harness.cli.replicate")
                meta["where"] = f"LocalCluster, {workers} worker(s) on 127.0.0.1"
            meta["workers"] = len(client.scheduler_info()["workers"])
            meta["cluster_start_s"] = round(time.monotonic() - t0, 3)
            started = time.monotonic()
            rows = run_dask(base, spec, client, tick)
    wall = time.monotonic() - started
    meta |= {"wall_s": round(wall, 3), "replications_total": len(rows),
             "wall_s_per_replication": round(wall / max(1, len(rows)), 4)}
    return rows, meta


def write_tables(rows: list[dict[str, Any]], out: Path, csv: bool) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = {"results": out / "results.parquet", "summary": out / "summary.parquet"}
    table = pa.Table.from_pylist(rows)
    pq.write_table(table, paths["results"])
    pq.write_table(pa.Table.from_pylist(summarize(rows)), paths["summary"])
    if csv:
        paths["csv"] = out / "results.csv"
        pacsv.write_csv(table, paths["csv"])
    return paths


def read_rows(out: Path) -> list[dict[str, Any]]:
    return list(pq.read_table(out / "results.parquet").to_pylist())


@click.command("sweep")
@click.argument("spec", type=click.Path(exists=True, path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=Path("out/sweep"),
              show_default=True, help="folder for the tables, plots and report")
@click.option("--workers", type=int, default=2, show_default=True,
              help="LocalCluster worker processes (0: run serially, no Dask)")
@click.option("--scheduler", help="tcp://host:port of a running Dask scheduler")
@click.option("--csv", "csv", is_flag=True, help="also write results.csv")
@click.option("--report", "report", is_flag=True,
              help="write the plots and report.html (SPEC may be a sweep's --out folder "
                   "to render it again)")
def sweep_command(spec: Path, out: Path, workers: int, scheduler: str | None, csv: bool,
                  report: bool) -> None:
    """Run the variants of SPEC (a sweep spec .toml) x seeded virtual replications."""
    if spec.is_dir():
        if not report:
            raise click.UsageError(f"{spec} is a folder: give a spec .toml, or --report to "
                                   "render a finished sweep again")
        meta = json.loads((spec / "sweep.json").read_text("utf-8"))
        path = write_report(read_rows(spec), meta, spec)
        console.print(f"report: {path}")
        return
    if workers < 0:
        raise click.BadParameter(f"{workers}: must be >= 0", param_hint="--workers")
    try:
        parsed, ref = load_spec(spec)
        n = len(variants(parsed)) * parsed.replications
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        with Progress("[bold]replications", BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console) as bar:
            job = bar.add_task("sweep", total=n)
            rows, meta = run_sweep(parsed, ref, workers, scheduler,
                                   lambda k: bar.advance(job, k))
    except (SpecError, ScenarioError) as exc:
        raise click.ClickException(str(exc)) from None
    meta["spec"] = parsed.model_dump(mode="json")
    paths = write_tables(rows, out, csv)
    (out / "sweep.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n",
                                    "utf-8")
    summary = summarize(rows)
    front = set(pareto([s for s in summary if not math.isnan(s["p_onsite"])], "p_onsite"))
    for line in summary:
        params = ", ".join(f"{k[2:]}={line[k]}" for k in line if k.startswith("p."))
        mark = " (Pareto front on cost and on-site)" if line["variant"] in front else ""
        console.print(f"variant {line['variant']}: {params or 'base'}; cost {line['cost']:,.0f}; "
                      f"indicators holding {line['holding']:.1f}; P(on site <= 15 min) "
                      f"{_pct(line['p_onsite'])} [{_pct(line['p_onsite_lo'])}, "
                      f"{_pct(line['p_onsite_hi'])}] (modelled){mark}")
    console.print(f"{len(rows)} replications in {meta['wall_s']:.1f} wall s ({meta['where']}); "
                  f"table: {paths['results']}")
    if report:
        console.print(f"report: {write_report(rows, meta, out)}")


def _pct(x: float) -> str:
    return "n/a" if math.isnan(x) else f"{100 * x:.1f}%"
