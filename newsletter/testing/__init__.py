"""Helpers for testing and staging that ship with the package.

- :mod:`newsletter.testing.sendgrid_server`: a local, SendGrid-compatible mail-send server
  (``python -m newsletter.testing.sendgrid_server --port 3030 --api-key KEY``).
"""
