"""Delivery: rendered issues to subscribers through a backend, exactly once.

- :mod:`.due`: what cron runs, by delivery mode;
- :mod:`.broadcast`: one issue to every subscriber (claim, send, record in batches);
- :mod:`.sequence_send`: drips and local-time broadcasts, per subscriber;
- :mod:`.run`: options, reports, context and worker threads shared by both;
- :mod:`.ratelimit`, :mod:`.confirm` (the opt-in email), :mod:`.backends` (the ways out).
"""
