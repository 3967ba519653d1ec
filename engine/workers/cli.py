"""``engine worker`` (start a sync worker) and ``engine fleet`` (what the fleet is doing).

``engine worker`` is ``celery -A engine.workers.app worker --pool threads -c N -n NAME`` plus
the flags that suit this fleet (no gossip/mingle chatter: workers share nothing but Redis).
Celery is imported only when the command runs, so ``engine --help`` stays fast.
"""

from __future__ import annotations

import json
import time
from typing import Any

import click


@click.command("worker", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-c", "--concurrency", type=click.IntRange(min=1), default=4, show_default=True,
              help="Syncs run at once on this worker's single browser.")
@click.option("-n", "--hostname", default=None,
              help="Unique worker name, e.g. 'w1@%h' (%h: this machine's hostname).")
@click.option("-l", "--loglevel", default="INFO", show_default=True)
@click.option("-Q", "--queues", default=None, help="Queue(s) to consume (ENGINE_QUEUE).")
def worker(concurrency: int, hostname: str | None, loglevel: str, queues: str | None) -> None:
    """Run a sync worker: jobs from Redis (ENGINE_REDIS_URL), sealed with ENGINE_WORKER_KEY."""
    from engine.workers.settings import ConfigError, WorkerSettings

    try:  # refuse to start, rather than accept jobs and fail each one
        WorkerSettings.from_env()
    except (ConfigError, ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    from engine.workers.app import app

    argv = ["worker", "--pool=threads", f"--concurrency={concurrency}",
            f"--loglevel={loglevel}", "--without-gossip", "--without-mingle"]
    if hostname:
        argv.append(f"--hostname={hostname}")
    if queues:
        argv.append(f"--queues={queues}")
    app.worker_main(argv)


@click.command("fleet", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--json", "as_json", is_flag=True, help="Print the snapshot as JSON.")
def fleet(as_json: bool) -> None:
    """Live workers, and jobs running, queued, throttled and suspended (ENGINE_REDIS_URL).

    Needs no key: nothing secret is shown. Exit code 1 when Redis cannot be reached.
    """
    from engine.workers.connection import UNREACHABLE, connect
    from engine.workers.fleet import FleetView
    from engine.workers.settings import ENV_REDIS_URL, WorkerEnv

    url = WorkerEnv.load().redis_url
    client = connect(url)
    try:
        view = FleetView.read(client).as_dict()
    except UNREACHABLE as exc:
        raise click.ClickException(f"Redis unreachable ({type(exc).__name__}); check "
                                   f"{ENV_REDIS_URL}") from None
    finally:
        client.close()
    if as_json:
        click.echo(json.dumps(view, indent=2))
        return
    _print_table(view)


def _print_table(view: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"{len(view['workers'])} live worker(s)")
    for column in ("worker", "pid", "host", "slots", "running", "up", "heartbeat"):
        table.add_column(column, justify="left" if column in ("worker", "host") else "right")
    now = time.time()
    for w in view["workers"]:
        table.add_row(w["name"], str(w.get("pid", "")), str(w.get("host", "")),
                      str(w.get("concurrency", "")), str(w.get("running", "")),
                      f"{now - float(w.get('started_at', now)):.0f} s",
                      f"{w['heartbeat_age_s']:.1f} s ago")
    console.print(table)
    jobs = view["jobs"]
    console.print("jobs: " + "  ".join(f"{name} {jobs[name]}" for name in
                                       ("running", "queued", "throttled", "suspended")))
