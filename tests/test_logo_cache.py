"""The logo cache: a prepared logo is reused across runs, never stale, never another
logo's, and a cache folder that cannot be used only means preparing the logo again."""

from __future__ import annotations

import pytest
from conftest import DATE, make_logo

from handouts.build import build_handout
from handouts.document.assemble import Options
from handouts.errors import HandoutsError
from handouts.inputs import logos
from handouts.inputs.logo_cache import cache_folder
from handouts.layout import pages
from handouts.layout.logo_image import DecodedImage, logo_reader


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder of our own, and no logos remembered by this process."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(logos, "_CACHE", {})
    return tmp_path / "cache" / "handouts" / "logos"


def forget_in_process(monkeypatch):
    monkeypatch.setattr(logos, "_CACHE", {})


def not_prepared(path, key):
    raise AssertionError("the logo was decoded again although the cache holds it")


def test_the_cache_lives_in_the_users_cache_folder(cache):
    assert cache_folder() == cache


def test_a_prepared_logo_is_reused_by_the_next_run(cache, tmp_path, monkeypatch):
    path = make_logo(tmp_path / "logo.png", (900, 400))
    first = logos.load_logo(path, "logo")
    assert len(list(cache.glob("*.logo"))) == 1
    forget_in_process(monkeypatch)
    monkeypatch.setattr(logos, "_load_logo", not_prepared)
    assert logos.load_logo(path, "logo") == first


def test_a_changed_logo_is_never_served_from_the_old_entry(cache, tmp_path, monkeypatch):
    path = make_logo(tmp_path / "logo.png", (900, 400))
    old = logos.load_logo(path, "logo")
    forget_in_process(monkeypatch)
    make_logo(path, (300, 300))  # same file name, new picture
    new = logos.load_logo(path, "logo")
    assert (new.width, new.height) == (240, 240) and new.png != old.png
    assert len(list(cache.glob("*.logo"))) == 2


def test_a_damaged_or_foreign_entry_is_ignored(cache, tmp_path, monkeypatch):
    one = make_logo(tmp_path / "one.png", (900, 400))
    other = make_logo(tmp_path / "other.png", (200, 600))
    expected_one = logos.load_logo(one, "logo")
    entry_one = next(cache.glob("*.logo"))
    expected_other = logos.load_logo(other, "logo")
    entry_other = next(p for p in cache.glob("*.logo") if p != entry_one)
    # another logo's entry under this logo's name: refused, this logo prepared again
    entry_one.write_bytes(entry_other.read_bytes())
    forget_in_process(monkeypatch)
    assert logos.load_logo(one, "logo") == expected_one
    # a damaged entry (one byte changed in the image data): refused as well
    data = bytearray(entry_other.read_bytes())
    data[-10] ^= 0xFF
    entry_other.write_bytes(bytes(data))
    forget_in_process(monkeypatch)
    assert logos.load_logo(other, "logo") == expected_other
    for entry in (entry_one, entry_other):  # both rewritten whole
        entry.write_bytes(entry.read_bytes()[:40])  # and a truncated one is ignored too
    forget_in_process(monkeypatch)
    assert logos.load_logo(one, "logo") == expected_one


def test_an_unusable_cache_folder_changes_nothing(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    forget_in_process(monkeypatch)
    path = make_logo(tmp_path / "logo.png", (900, 400))
    assert logos.load_logo(path, "logo").height == 240


def test_a_bad_logo_is_reported_and_never_cached(cache, tmp_path):
    path = tmp_path / "logo.png"
    path.write_bytes(b"not an image at all")
    with pytest.raises(HandoutsError, match="logo.png.*not a PNG image"):
        logos.load_logo(path, "logo")
    assert list(cache.glob("*.logo")) == []


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "P"])
def test_a_handout_is_byte_identical_with_a_cold_or_a_warm_cache(cache, tiny, monkeypatch,
                                                                 mode):
    """The prepared logo and the header logo's pixels both come from the cache when warm,
    and the PDF does not change by a byte."""
    from PIL import Image

    logo = Image.new("RGBA", (300, 120), (31, 90, 150, 255))
    for x in range(0, 300, 2):  # a transparent stripe pattern, so alpha matters
        for y in range(0, 40):
            logo.putpixel((x, y), (0, 0, 0, 0))
    logo = logo.convert(mode) if mode != "P" else logo.convert("P", palette=Image.ADAPTIVE)
    logo.save(tiny.clinics / "tiny-logo.png")
    pages._reader.cache_clear()
    cold = build_handout(tiny, "tiny-topic", "tiny", "letter", Options(date=DATE)).pdf
    assert list(cache.glob("*.logo")) and list(cache.glob("*.pixels"))
    forget_in_process(monkeypatch)
    pages._reader.cache_clear()
    monkeypatch.setattr(logos, "_load_logo", not_prepared)
    header_png = logos.load_logo(tiny.clinics / "tiny-logo.png", "logo").header_png
    assert isinstance(logo_reader(header_png), DecodedImage)  # drawn without Pillow
    warm = build_handout(tiny, "tiny-topic", "tiny", "letter", Options(date=DATE)).pdf
    pages._reader.cache_clear()
    assert warm == cold


def test_damaged_pixels_are_decoded_again(cache, tmp_path):
    path = make_logo(tmp_path / "logo.png", (300, 120))
    png = logos.load_logo(path, "logo").header_png
    first = logo_reader(png)
    entry = next(cache.glob("*.pixels"))
    data = bytearray(entry.read_bytes())
    data[-5] ^= 0xFF
    entry.write_bytes(bytes(data))
    again = logo_reader(png)
    assert not isinstance(again, DecodedImage)  # refused, decoded by Pillow again
    assert again.getRGBData() == first.getRGBData()
    assert isinstance(logo_reader(png), DecodedImage)  # and stored whole once more
