"""Content: an article read into a Document (:mod:`.ingest`), cut into snippets
(:mod:`.split`), and kept as a content file (:mod:`.contentfile`)."""
