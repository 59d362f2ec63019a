"""Web app: a handout already made is served from memory, yet any change to its files shows.

The cache check reads `stat` stamps, not the files: these tests change files every way an
editor or a copy can and expect the change noticed on the very next look."""

from __future__ import annotations

import os
from pathlib import Path

from handouts.web.file_stamps import FileStamps, FreshInputs


def _tree(root):
    (root / "en").mkdir(parents=True)
    (root / "topic.toml").write_text("title = 'A'\n")
    (root / "en" / "standard.md").write_text("Text.\n")
    return root


def test_a_listing_is_every_file_below_the_folder_sorted(tmp_path):
    root = _tree(tmp_path / "topic")
    assert FileStamps().files_in(root) == sorted(p for p in root.rglob("*") if p.is_file())


def test_a_file_added_deep_in_the_folder_is_listed_next_time(tmp_path):
    stamps, root = FileStamps(), _tree(tmp_path / "topic")
    before = stamps.signature(root)
    (root / "en" / "easy.md").write_text("Easy.\n")
    assert root / "en" / "easy.md" in stamps.files_in(root)
    assert stamps.signature(root) != before


def test_a_removed_file_leaves_the_listing(tmp_path):
    stamps, root = FileStamps(), _tree(tmp_path / "topic")
    stamps.files_in(root)
    (root / "en" / "standard.md").unlink()
    assert stamps.files_in(root) == [root / "topic.toml"]


def test_an_edit_of_the_same_size_and_time_still_changes_the_digest_when_replaced(tmp_path):
    stamps, root = FileStamps(), _tree(tmp_path / "topic")
    path = root / "en" / "standard.md"
    first = stamps.digest(path)
    info = os.stat(path)
    replacement = path.with_name("new.tmp")
    replacement.write_text("Tex!.\n")  # same size
    os.utime(replacement, ns=(info.st_atime_ns, info.st_mtime_ns))  # same time
    os.replace(replacement, path)  # an atomic save: a new inode
    assert stamps.digest(path) != first


def test_an_edit_in_place_changes_the_digest(tmp_path):
    stamps, root = FileStamps(), _tree(tmp_path / "topic")
    path = root / "en" / "standard.md"
    first = stamps.digest(path)
    path.write_text("Other text, longer.\n")
    assert stamps.digest(path) != first
    assert stamps.digest(path) == stamps.digest(path)


def test_a_missing_file_digests_to_a_marker_not_an_error(tmp_path):
    marker = FileStamps().digest(tmp_path / "nothing.md")
    assert marker.startswith(b"<") and marker != FileStamps().digest(Path(__file__))


def test_an_edited_clinic_profile_is_read_again(tmp_path):
    from conftest import make_tiny_roots

    roots = make_tiny_roots(tmp_path / "site")
    inputs = FreshInputs(roots)
    first = inputs.clinic("tiny")
    assert inputs.clinic("tiny") is first  # unchanged: the same object, not read again
    profile = roots.clinics / "tiny.toml"
    profile.write_text(profile.read_text().replace(first.name, "Renamed Clinic"))
    assert inputs.clinic("tiny").name == "Renamed Clinic"
