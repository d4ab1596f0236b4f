"""The source manifest: every shared file listed, verified, and clear errors otherwise."""

from __future__ import annotations

import shutil

import pytest

from sources import manifest as sources


def test_manifest_lists_every_shared_source_with_pinned_url():
    listed = sources.manifest()
    on_disk = {p.name for p in sources.SHARED_SOURCES.iterdir() if p.is_file()}
    assert set(listed) == on_disk
    for src in listed.values():
        assert len(src.sha256) == 64 and src.licence
        if src.url:
            assert src.url.startswith("https://raw.githubusercontent.com/")
            assert any(len(part) == 40 for part in src.url.split("/"))  # pinned commit


def test_env_folder_wins_and_hash_mismatch_names_file_hash_and_url(tmp_path, monkeypatch):
    name = "bg_provinces.geojson"
    bad = tmp_path / name
    shutil.copy(sources.SHARED_SOURCES / name, bad)
    with bad.open("a") as fh:
        fh.write(" ")
    monkeypatch.setenv("CIVICMAP_SOURCES", str(tmp_path))
    with pytest.raises(sources.SourceError) as err:
        sources.locate(name)
    msg = str(err.value)
    src = sources.manifest()[name]
    assert name in msg and src.sha256 in msg and src.url in msg


def test_missing_file_names_file_and_hash(tmp_path, monkeypatch):
    name = "civic_directory_ngos_2026-11.csv"
    monkeypatch.setattr(sources, "SHARED_SOURCES", tmp_path / "nothing")
    monkeypatch.setattr(sources, "cache_dir", lambda: tmp_path / "cache")
    monkeypatch.delenv("CIVICMAP_SOURCES", raising=False)
    with pytest.raises(sources.SourceError) as err:
        sources.locate(name)
    assert name in str(err.value) and sources.manifest()[name].sha256 in str(err.value)


def test_verified_copy_in_env_folder_is_used(tmp_path, monkeypatch):
    name = "census_2021_units.csv"
    shutil.copy(sources.SHARED_SOURCES / name, tmp_path / name)
    monkeypatch.setenv("CIVICMAP_SOURCES", str(tmp_path))
    assert sources.locate(name) == tmp_path / name
