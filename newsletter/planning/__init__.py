"""Planning: snippets packed into issues on a cadence (:mod:`.plan`, :mod:`.schedule`),
kept as issue files (:mod:`.issuefile`), and each subscriber's drip timing (:mod:`.sequence`)."""
