import pytest

from utils.profile import ProfileError, get_profile, is_quick, pick


def test_default_is_full():
    assert get_profile() == "full"
    assert pick(full=10, quick=1) == 10


def test_dnn_profile_quick(monkeypatch):
    monkeypatch.setenv("DNN_PROFILE", "quick")
    assert is_quick()
    assert pick(full=10, quick=1) == 1


def test_ci_implies_quick(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert get_profile() == "quick"


def test_explicit_profile_beats_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("DNN_PROFILE", "full")
    assert get_profile() == "full"


def test_ci_false_keeps_full(monkeypatch):
    monkeypatch.setenv("CI", "false")
    assert get_profile() == "full"


def test_profile_is_case_insensitive(monkeypatch):
    monkeypatch.setenv("DNN_PROFILE", " Quick ")
    assert get_profile() == "quick"


def test_unknown_profile_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("DNN_PROFILE", "fast")
    with pytest.raises(ProfileError, match="'full'.*'quick'"):
        get_profile()


def test_pick_needs_both_values_by_name():
    with pytest.raises(TypeError):
        pick(10, 1)  # type: ignore[misc]
