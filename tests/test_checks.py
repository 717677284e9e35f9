import numpy as np
import pytest

from utils.checks import (
    CheckFailed,
    check_close,
    check_equal,
    check_params,
    check_shape,
    check_true,
)


def test_check_equal_passes_and_says_what_it_verified(capsys):
    check_equal("parameters", 104202, 104_202, "as in the lecture")
    assert "OK  parameters: 104,202 (as in the lecture)" in capsys.readouterr().out


def test_check_equal_fails_with_both_values():
    with pytest.raises(CheckFailed, match="got 104,201, expected 104,202"):
        check_equal("parameters", 104201, 104202)


def test_check_failed_is_an_assertion_error():
    assert issubclass(CheckFailed, AssertionError)


def test_check_shape_formats_and_fails():
    check_shape("conv output", (None, 26, 26, 32), (None, 26, 26, 32))
    with pytest.raises(CheckFailed):
        check_shape("conv output", (None, 26, 26, 32), (None, 28, 28, 32))
    with pytest.raises(CheckFailed, match=r"got \(None, 26, 26, 32\)"):
        check_shape("conv output", (None, 26, 26, 32), (None, 28, 28, 32))


def test_check_close_tolerance():
    check_close("same", np.ones(3), np.ones(3) + 1e-8, atol=1e-6)
    with pytest.raises(CheckFailed, match="exceeds"):
        check_close("different", np.ones(3), np.ones(3) + 1e-3, atol=1e-6)
    with pytest.raises(CheckFailed, match="shapes differ"):
        check_close("shapes", np.ones(3), np.ones(4))


def test_check_true():
    check_true("ordering", 1 < 2)
    with pytest.raises(CheckFailed):
        check_true("ordering", 2 < 1)


def test_check_params_on_a_keras_model():
    import keras

    model = keras.Sequential(
        [keras.Input((784,)), keras.layers.Dense(64), keras.layers.Dense(10)]
    )
    assert check_params(model, 50_890) == 50_890
    with pytest.raises(CheckFailed):
        check_params(model, 50_000)
    model.layers[0].trainable = False
    check_params(model, 650, trainable_only=True)
