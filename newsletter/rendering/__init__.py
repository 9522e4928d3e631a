"""Rendering: an issue into inlined HTML and text, once (:mod:`.render`); per-recipient
fields and links substituted afterwards (:mod:`.personalize`, :mod:`.links`); previews
written to build/ (:mod:`.preview`)."""
