"""What cron runs: every issue whose time has come, by the newsletter's delivery mode."""

from __future__ import annotations

from ..planning.issuefile import Queue
from .broadcast import send_broadcast_due
from .run import SendContext, SendOptions, SendReport
from .sequence_send import send_local_due, send_sequence_due


def send_due(queue: Queue, ctx: SendContext, options: SendOptions) -> list[SendReport]:
    """Send what is due now: a broadcast's issues at their ``send_at``; in sequence mode
    each subscriber's next issue; with ``send_local_time`` each broadcast at its local
    hour per subscriber. Same ledger and guarantees in every mode."""
    if ctx.config.mode == "sequence":
        return send_sequence_due(queue, ctx, options)
    if ctx.config.send_local_time:
        return send_local_due(queue, ctx, options)
    return send_broadcast_due(queue, ctx, options)
