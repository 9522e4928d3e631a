"""newsletter: one long article in, a queue of short emails out."""

__version__ = "0.1.0"
