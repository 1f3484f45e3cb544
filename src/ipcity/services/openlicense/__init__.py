"""Open patent licensing (专利开放许可): declarations, licences taken, matchmaking, statistics."""
