"""`python -m newsletter` runs the command line."""

from .cli import run

run()
