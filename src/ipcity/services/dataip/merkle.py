"""The Merkle tree of the transparency log: RFC 6962 §2.1 / RFC 9162 §2.1 hashing, proofs and their checks.

Leaves are hashed as SHA-256(0x00 ‖ leaf) and inner nodes as SHA-256(0x01 ‖ left ‖ right), so that a leaf can
never be passed off as a node (second-preimage protection, RFC 9162 §2.1.1). The tree keeps the hash of every
*complete* subtree (2^h leaves starting at a multiple of 2^h), so appending costs O(log n) hashes and the root,
an inclusion proof or a consistency proof of any earlier size costs O(log² n) at most — no leaf is re-hashed.

The verifying functions are standalone (no tree needed): `ipcity dataip verify` runs them offline.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()  # MTH({}) = SHA-256() (RFC 9162 §2.1.1)


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1): where RFC 6962 splits a tree of n leaves."""
    return 1 << ((n - 1).bit_length() - 1)


class ProofError(ValueError):
    """A proof that does not prove what it claims; the message says which check failed."""


class MerkleTree:
    """An append-only tree over leaf hashes, with the hashes of its complete subtrees kept by level."""

    def __init__(self, leaf_hashes: Sequence[bytes] = ()) -> None:
        self._levels: list[list[bytes]] = [[]]
        for h in leaf_hashes:
            self.append_hash(h)

    def __len__(self) -> int:
        return len(self._levels[0])

    def append(self, data: bytes) -> int:
        """Add a leaf; returns its index."""
        return self.append_hash(leaf_hash(data))

    def append_hash(self, h: bytes) -> int:
        index = len(self._levels[0])
        self._levels[0].append(h)
        level, position = 0, index
        while position % 2 == 1:  # this node completes a pair: its parent is now complete too
            parent = node_hash(self._levels[level][position - 1], self._levels[level][position])
            level, position = level + 1, position // 2
            if len(self._levels) == level:
                self._levels.append([])
            self._levels[level].append(parent)
        return index

    def truncate(self, size: int) -> None:
        """Forget the leaves from `size` on (an append whose transaction was rolled back)."""
        if not 0 <= size <= len(self):
            raise ValueError(f"cannot truncate a log of {len(self)} leaves to {size}")
        for level in range(len(self._levels)):
            del self._levels[level][size >> level:]

    def leaf(self, index: int) -> bytes:
        return self._levels[0][index]

    def _subtree(self, start: int, size: int) -> bytes:
        """MTH of the leaves [start, start + size)."""
        if size & (size - 1) == 0 and start % size == 0:  # a complete subtree: stored
            return self._levels[size.bit_length() - 1][start // size]
        k = _split(size)
        return node_hash(self._subtree(start, k), self._subtree(start + k, size - k))

    def root(self, size: int | None = None) -> bytes:
        """The tree head of the first `size` leaves (default: all)."""
        size = len(self) if size is None else size
        if not 0 <= size <= len(self):
            raise ValueError(f"no tree of size {size}: the log has {len(self)} leaves")
        return EMPTY_ROOT if size == 0 else self._subtree(0, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[size]) of RFC 6962 §2.1.1: the sibling hashes from the leaf up to the root."""
        size = len(self) if size is None else size
        if not 0 <= index < size <= len(self):
            raise ValueError(f"leaf {index} is not in a tree of size {size}")
        return self._path(index, 0, size)

    def _path(self, m: int, start: int, n: int) -> list[bytes]:
        if n == 1:
            return []
        k = _split(n)
        if m < k:
            return [*self._path(m, start, k), self._subtree(start + k, n - k)]
        return [*self._path(m - k, start + k, n - k), self._subtree(start, k)]

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """PROOF(old_size, D[new_size]) of RFC 6962 §2.1.2: that the old tree is a prefix of the new one."""
        new_size = len(self) if new_size is None else new_size
        if not 0 < old_size <= new_size <= len(self):
            raise ValueError(f"no consistency proof from {old_size} to {new_size} (log of {len(self)})")
        return self._subproof(old_size, 0, new_size, True)

    def _subproof(self, m: int, start: int, n: int, complete: bool) -> list[bytes]:
        if m == n:
            return [] if complete else [self._subtree(start, n)]
        k = _split(n)
        if m <= k:
            return [*self._subproof(m, start, k, complete), self._subtree(start + k, n - k)]
        return [*self._subproof(m - k, start + k, n - k, False), self._subtree(start, k)]


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """RFC 9162 §2.1.3.2: does `proof` put the leaf hash `leaf` at `index` of the tree of `size` with `root`?
    Raises ProofError otherwise."""
    if not 0 <= index < size:
        raise ProofError(f"index {index} is outside a tree of size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("the inclusion proof is longer than the tree is deep")
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the inclusion proof is shorter than the tree is deep")
    if r != root:
        raise ProofError("the inclusion proof does not lead to the signed root")


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> None:
    """RFC 9162 §2.1.4.2: is the tree of `old_size` with `old_root` a prefix of the one with `new_root`?"""
    if not 0 < old_size <= new_size:
        raise ProofError(f"no consistency between sizes {old_size} and {new_size}")
    if old_size == new_size:
        if proof:
            raise ProofError("a proof between equal sizes must be empty")
        if old_root != new_root:
            raise ProofError("equal sizes with different roots")
        return
    if not proof:
        raise ProofError("the consistency proof is empty")
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root itself starts the path
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn % 2 == 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is longer than needed")
        if fn % 2 == 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the consistency proof is shorter than needed")
    if fr != old_root:
        raise ProofError("the consistency proof does not reproduce the old root")
    if sr != new_root:
        raise ProofError("the consistency proof does not reproduce the new root")
