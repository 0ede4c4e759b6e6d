"""`python -m ui.screenshots DIR`: one picture per view, and none left from old numbering."""

from __future__ import annotations

import pytest

from procure_desk import paths


def test_stale_pictures_are_removed_and_others_kept(tmp_path):
    if not paths.SAMPLE_TENDER.exists():
        pytest.skip("the sample tender (sample_bids/harrowmere.json) is not there yet")
    from ui.screenshots import EXTRA_SHOTS, render
    from ui.views import view_classes

    out = tmp_path / "shots"
    out.mkdir()
    (out / "08-audit.png").write_bytes(b"old")  # the audit view was 8th once
    (out / "logo.png").write_bytes(b"not a view picture")
    written = render(out, size=(1366, 768))
    names = sorted(p.name for p in out.glob("*.png"))
    expected = [f"{i:02d}-{key}.png" for i, (key, _, _) in enumerate(view_classes(), start=1)]
    expected += [f"{len(expected) + i:02d}-{name}.png"
                 for i, (name, _f, _v, _e) in enumerate(EXTRA_SHOTS, start=1)]
    assert [p.name for p in written] == expected
    assert names == sorted([*expected, "logo.png"])
    if "08-audit.png" not in expected:
        assert not (out / "08-audit.png").exists()
    for path in written:  # every picture exactly the size asked for
        assert png_size(path) == (1366, 768), path.name


def png_size(path):
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


@pytest.mark.parametrize(("text", "size"), [("1366x768", (1366, 768)),
                                            (" 1280 X 720 ", (1280, 720))])
def test_a_size_is_read_as_width_by_height(text, size):
    from ui.screenshots import parse_size

    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["1366", "big", "1366x", "-5x700"])
def test_a_size_that_is_not_one_is_refused_in_a_sentence(text):
    from ui.screenshots import parse_size

    with pytest.raises(SystemExit, match="is not WIDTHxHEIGHT"):
        parse_size(text)
