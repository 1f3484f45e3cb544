"""The search facade: one query language, one contract, several backends (tantivy, Milvus)."""
