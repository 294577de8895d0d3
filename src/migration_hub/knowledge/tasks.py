"""Background work of the Hub's discussions (django-tasks): the daily and weekly digests.

`send_space_digests(frequency)` runs `services.discussions.send_digests`; it is safe to run again
(a second run sends nothing new). A scheduler (cron, a systemd timer) runs
`migration-hub knowledge digests --frequency daily` once a day and `--frequency weekly` once a
week; that command calls `run_digests`, which can also enqueue the task for a worker.
"""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def send_space_digests(frequency: str) -> int:
    """E-mail the subscribers of `frequency` the new posts of the spaces they follow; returns
    how many e-mails were sent."""
    from .services.discussions import send_digests

    sent = send_digests(frequency=frequency)
    logger.info("sent %s %s discussion digests", sent, frequency)
    return sent


def run_digests(frequency: str, *, in_background: bool = False) -> int | None:
    """What the CLI calls: send the digests now (returns how many e-mails), or enqueue the task
    for the configured backend's worker (returns None)."""
    from .services.discussions import send_digests

    if in_background:
        send_space_digests.enqueue(frequency)
        return None
    return send_digests(frequency=frequency)
