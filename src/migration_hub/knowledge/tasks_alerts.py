"""Background work of saved searches (django-tasks): e-mail alerts of new resources.

- `send_alerts_task(frequency)` runs `services.subscriptions.send_alerts`; a scheduler (cron, a
  systemd timer) runs `run_alerts("daily")` once a day and `run_alerts("weekly")` once a week
  (through the CLI). A second run sends nothing already sent.
- `send_publish_alerts_task(resource_id)` e-mails the "immediate" saved searches a newly
  published resource matches; `services.subscriptions.alert_on_publish` enqueues it once the
  publication commits. With the immediate backend it runs at once; with the database backend
  `migration-hub manage db_worker` runs it.
"""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def send_alerts_task(frequency: str) -> int:
    """E-mail the saved searches of `frequency` their new matches; returns how many e-mails."""
    from .services.subscriptions import send_alerts

    sent = send_alerts(frequency=frequency)
    logger.info("sent %s %s saved-search alerts", sent, frequency)
    return sent


@task()
def send_publish_alerts_task(resource_id: int) -> int:
    """E-mail the "immediate" saved searches that resource `resource_id` matches."""
    from .services.subscriptions import send_publish_alerts

    sent = send_publish_alerts(resource_id)
    logger.info("sent %s immediate alerts for resource %s", sent, resource_id)
    return sent


def run_alerts(frequency: str, *, in_background: bool = False) -> int | None:
    """What the CLI calls: send the alerts now (returns how many e-mails), or enqueue the task
    for the configured backend's worker (returns None)."""
    from .services.subscriptions import send_alerts

    if in_background:
        send_alerts_task.enqueue(frequency)
        return None
    return send_alerts(frequency=frequency)
