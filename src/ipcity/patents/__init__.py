"""The patent data engine: one normalised record per publication, ingest of real office formats,
search in Chinese and English (lexical, semantic, hybrid) behind one facade."""
