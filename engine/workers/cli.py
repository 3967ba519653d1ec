"""``engine worker``: start a sync worker with the right pool, without remembering Celery flags.

Equivalent to ``celery -A engine.workers.app worker --pool threads -c N -n NAME``, plus the
flags that suit this fleet (no gossip/mingle chatter: workers share nothing but Redis). Celery
is imported only when the command runs, so ``engine --help`` stays fast.
"""

from __future__ import annotations

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
