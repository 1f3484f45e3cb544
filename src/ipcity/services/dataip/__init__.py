"""Data-IP registration (数据知识产权登记, plan item 2; issue 5). So far: the transparency log's Merkle tree."""
