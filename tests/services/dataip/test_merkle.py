"""The transparency log's Merkle tree against RFC 6962/9162: reference roots, every proof of small trees checked
against the RFC's own recursive definitions, and every kind of tampering refused."""

from __future__ import annotations

import hashlib

import pytest

from ipcity.services.dataip.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    ProofError,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)

# The reference leaves and roots of the certificate-transparency test suites (RFC 6962 implementations).
LEAVES = [b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43", bytes(range(0x50, 0x58)),
          bytes(range(0x60, 0x70))]
ROOTS = ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
         "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
         "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
         "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
         "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
         "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
         "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
         "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"]


def mth(leaves: list[bytes]) -> bytes:
    """MTH(D[n]) exactly as RFC 6962 §2.1 defines it."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1 << ((n - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 6962 §2.1.1."""
    n = len(leaves)
    if n == 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    return path(m, leaves[:k]) + [mth(leaves[k:])] if m < k else path(m - k, leaves[k:]) + [mth(leaves[:k])]


def subproof(m: int, leaves: list[bytes], complete: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b) of RFC 6962 §2.1.2."""
    n = len(leaves)
    if m == n:
        return [] if complete else [mth(leaves)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return subproof(m, leaves[:k], complete) + [mth(leaves[k:])]
    return subproof(m - k, leaves[k:], False) + [mth(leaves[:k])]


def tree_of(n: int) -> tuple[MerkleTree, list[bytes]]:
    leaves = [f"leaf-{i}".encode() for i in range(n)]
    tree = MerkleTree()
    for leaf in leaves:
        tree.append(leaf)
    return tree, leaves


def test_reference_roots_of_every_size():
    tree = MerkleTree()
    for leaf in LEAVES:
        tree.append(leaf)
    assert [tree.root(n).hex() for n in range(1, 9)] == ROOTS
    assert tree.root(0) == EMPTY_ROOT == hashlib.sha256(b"").digest()


def test_leaves_and_nodes_are_domain_separated():
    a, b = leaf_hash(b"x"), leaf_hash(b"y")
    # a leaf whose content is two hashes does not hash like the node made of them (second preimage)
    assert leaf_hash(a + b) != node_hash(a, b)


@pytest.mark.parametrize("n", range(1, 34))
def test_every_root_and_inclusion_proof_follows_the_rfc(n):
    tree, leaves = tree_of(n)
    for size in range(1, n + 1):
        root = tree.root(size)
        assert root == mth(leaves[:size])
        for m in range(size):
            proof = tree.inclusion_proof(m, size)
            assert proof == path(m, leaves[:size])
            verify_inclusion(leaf_hash(leaves[m]), m, size, proof, root)


@pytest.mark.parametrize("n", range(1, 34))
def test_every_consistency_proof_follows_the_rfc(n):
    tree, leaves = tree_of(n)
    for old in range(1, n + 1):
        proof = tree.consistency_proof(old, n)
        assert proof == subproof(old, leaves, True)
        verify_consistency(old, n, tree.root(old), tree.root(n), proof)


def test_a_changed_byte_anywhere_fails_inclusion():
    tree, leaves = tree_of(21)
    root, proof = tree.root(), tree.inclusion_proof(13)
    good = leaf_hash(leaves[13])
    verify_inclusion(good, 13, 21, proof, root)
    with pytest.raises(ProofError, match="signed root"):
        verify_inclusion(leaf_hash(b"leaf-13 changed"), 13, 21, proof, root)
    for i in range(len(proof)):
        bad = list(proof)
        bad[i] = bytes([bad[i][0] ^ 1]) + bad[i][1:]
        with pytest.raises(ProofError):
            verify_inclusion(good, 13, 21, bad, root)
    with pytest.raises(ProofError):
        verify_inclusion(good, 12, 21, proof, root)  # the right leaf at the wrong place
    with pytest.raises(ProofError, match="shorter"):
        verify_inclusion(good, 13, 21, proof[:-1], root)
    with pytest.raises(ProofError, match="longer"):
        verify_inclusion(good, 13, 21, [*proof, proof[0]], root)
    with pytest.raises(ProofError, match="outside"):
        verify_inclusion(good, 21, 21, proof, root)


def test_a_rewritten_history_fails_consistency():
    tree, leaves = tree_of(20)
    forged = MerkleTree()
    for i, leaf in enumerate(leaves):
        forged.append(b"forged" if i == 3 else leaf)
    proof = tree.consistency_proof(8, 20)
    verify_consistency(8, 20, tree.root(8), tree.root(20), proof)
    with pytest.raises(ProofError):  # size 8 is a power of two: the old root starts the path, the new one differs
        verify_consistency(8, 20, forged.root(8), tree.root(20), proof)
    with pytest.raises(ProofError, match="old root"):
        verify_consistency(7, 20, forged.root(7), tree.root(20), tree.consistency_proof(7, 20))
    with pytest.raises(ProofError):
        verify_consistency(8, 20, tree.root(8), forged.root(20), proof)
    with pytest.raises(ProofError, match="empty"):
        verify_consistency(8, 20, tree.root(8), tree.root(20), [])
    with pytest.raises(ProofError):
        verify_consistency(8, 20, tree.root(8), tree.root(20), proof[:-1])
    verify_consistency(20, 20, tree.root(), tree.root(), [])
    with pytest.raises(ProofError, match="different roots"):
        verify_consistency(20, 20, tree.root(), forged.root(), [])


def test_sizes_beyond_the_log_are_refused():
    tree, _ = tree_of(5)
    with pytest.raises(ValueError):
        tree.root(6)
    with pytest.raises(ValueError):
        tree.inclusion_proof(5)
    with pytest.raises(ValueError):
        tree.consistency_proof(0, 5)
    assert MerkleTree(tree_of(5)[0]._levels[0]).root() == tree.root()  # rebuilt from stored leaf hashes
