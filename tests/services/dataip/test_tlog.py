"""The stored transparency log on SQLite and PostgreSQL: appends, signed heads, proofs, rollback, tampering."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from ipcity.core import keys
from ipcity.services.dataip import merkle, signing, tlog


@pytest.fixture
def signer(tmp_path):
    return signing.load_signer(tmp_path / "keys" / "k.pem")


def _fill(session, n, start=0):
    return tlog.append_many(session, [("filing", f"A{i}", {"n": i}) for i in range(start, start + n)])


def test_appends_get_consecutive_indexes_and_the_root_matches_an_independent_tree(session, signer):
    appended = _fill(session, 7)
    appended += [tlog.append(session, "registration", "A3", {"name": "数据集"})]
    session.commit()
    assert [a.index for a in appended] == list(range(8))
    reference = merkle.MerkleTree()
    for a in appended:
        reference.append(a.entry)
    head = tlog.publish(session, signer)
    session.commit()
    assert head.size == 8
    assert head.root_hash == reference.root().hex()
    # the entry is canonical JSON with the fields, kind, subject and a UTC time
    entry = json.loads(appended[-1].entry)
    assert entry["kind"] == "registration" and entry["subject"] == "A3" and entry["name"] == "数据集"
    assert entry["at"].endswith("Z") and entry["v"] == 1


def test_proofs_verify_against_the_signed_head(session, signer):
    appended = _fill(session, 13)
    head = tlog.publish(session, signer)
    session.commit()
    hj = tlog.head_json(head, signer.public_raw)
    tlog.verify_head(hj, signer.public_raw)
    root = bytes.fromhex(head.root_hash)
    for a in appended:
        proof = tlog.inclusion_proof(session, a.index, head.size)
        merkle.verify_inclusion(a.leaf_hash, a.index, head.size, proof, root)
    _fill(session, 6, start=13)
    new = tlog.publish(session, signer)
    session.commit()
    proof = tlog.consistency_proof(session, head.size, new.size)
    merkle.verify_consistency(head.size, new.size, root, bytes.fromhex(new.root_hash), proof)


def test_publish_is_idempotent_until_something_is_appended(session, signer):
    _fill(session, 2)
    first = tlog.publish(session, signer)
    again = tlog.publish(session, signer)
    assert again is first or again.size == first.size
    assert tlog.latest_head(session).size == 2


def test_a_rolled_back_append_leaves_no_trace(db, signer):
    with db.session() as s:
        _fill(s, 3)
        s.commit()
    with db.session() as s:
        _fill(s, 2, start=3)
        s.rollback()
    with db.session() as s:
        assert tlog.size(s) == 3
        nxt = tlog.append(s, "filing", "B", {"x": 1})
        s.commit()
        assert nxt.index == 3
        assert tlog.check(s, signer.public_raw) == []


def test_a_tree_head_signed_with_another_key_or_edited_fails(session, signer, tmp_path):
    _fill(session, 4)
    head = tlog.head_json(tlog.publish(session, signer))
    other = signing.load_signer(tmp_path / "other.pem")
    with pytest.raises(signing.SignatureError, match="tree head"):
        tlog.verify_head(head, other.public_raw)
    edited = {**head, "tree_size": 5}
    with pytest.raises(signing.SignatureError):
        tlog.verify_head(edited, signer.public_raw)


def test_an_edited_entry_is_found(session, signer):
    _fill(session, 5)
    tlog.publish(session, signer)
    session.commit()
    assert tlog.check(session, signer.public_raw) == []
    session.execute(text("UPDATE dataip_log_leaf SET entry = replace(entry, :a, :b) WHERE idx = 2"),
                    {"a": '"n":2', "b": '"n":9'})
    session.commit()
    problems = tlog.check(session, signer.public_raw)
    assert any("leaf 2" in p and "edited" in p for p in problems), problems


def test_an_entry_rewritten_with_its_leaf_hash_breaks_the_signed_root(session, signer):
    _fill(session, 5)
    tlog.publish(session, signer)
    session.commit()
    forged = tlog.canonical({"n": 99})
    session.execute(text("UPDATE dataip_log_leaf SET entry = :e, leaf_hash = :h WHERE idx = 1"),
                    {"e": forged.decode(), "h": merkle.leaf_hash(forged).hex()})
    session.commit()
    problems = tlog.check(session, signer.public_raw)
    assert any("signed head of size 5" in p and "another root" in p for p in problems), problems


def test_a_deleted_leaf_is_found(session, signer):
    _fill(session, 4)
    tlog.publish(session, signer)
    session.commit()
    session.execute(text("DELETE FROM dataip_log_leaf WHERE idx = 1"))
    session.commit()
    problems = tlog.check(session, signer.public_raw)
    assert any("missing" in p for p in problems), problems


def test_the_cache_is_rebuilt_when_the_stored_leaves_change_behind_it(session, signer):
    _fill(session, 3)
    tlog.publish(session, signer)
    session.commit()
    tlog.inclusion_proof(session, 0, 3)  # warms the cache
    forged = tlog.canonical({"n": 42})
    session.execute(text("UPDATE dataip_log_leaf SET leaf_hash = :h WHERE idx = 2"),
                    {"h": merkle.leaf_hash(forged).hex()})
    session.commit()
    tlog.forget_cache()
    with pytest.raises(tlog.LogIntegrityError, match="root"):
        tlog.inclusion_proof(session, 0, 3)


def test_the_key_file_is_created_private_and_reused(tmp_path):
    path = tmp_path / "keys" / "registry.pem"
    first = signing.load_signer(path)
    assert path.stat().st_mode & 0o777 == 0o600
    keys._loaded.clear()  # read the file again
    assert signing.load_signer(path).public_raw == first.public_raw
    pub = tmp_path / "pub.pem"
    pub.write_bytes(first.public_pem())
    assert signing.load_public_key(pub) == first.public_raw
    hexfile = tmp_path / "pub.hex"
    hexfile.write_text(first.public_raw.hex())
    assert signing.load_public_key(hexfile) == first.public_raw
