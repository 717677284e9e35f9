"""DNN_MIXED_PRECISION=1 picks a policy the machine can run fast, and says why."""

import pytest

from utils import environment


@pytest.mark.parametrize(
    "flags,expected",
    [
        ("fpu sse avx2 avx512f avx512_bf16 amx_tile", True),
        ("fpu sse avx2 amx_bf16 amx_tile", True),
        ("fpu sse avx2 fma avx512f", False),
    ],
)
def test_bf16_support_is_read_from_the_cpu_flags(tmp_path, flags, expected):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(
        f"processor\t: 0\nflags\t\t: {flags}\n\nprocessor\t: 1\nflags\t\t: {flags}\n"
    )
    supported, why = environment.cpu_bf16_support(str(cpuinfo))
    assert supported is expected
    assert ("reports" in why) and (("avx512_bf16" in why) or ("amx_bf16" in why))


def test_no_cpuinfo_means_no_bf16(tmp_path):
    assert environment.cpu_bf16_support(str(tmp_path / "missing"))[0] is False


def test_cpu_policy(monkeypatch):
    monkeypatch.setattr(
        environment, "cpu_bf16_support", lambda: (True, "the CPU reports avx512_bf16")
    )
    assert environment.choose_mixed_precision([]) == (
        "mixed_bfloat16",
        "the CPU reports avx512_bf16",
    )
    monkeypatch.setattr(
        environment, "cpu_bf16_support", lambda: (False, "the CPU reports neither")
    )
    policy, why = environment.choose_mixed_precision([])
    assert policy is None and "float32 is faster" in why


def test_gpu_policy_follows_compute_capability(monkeypatch):
    import tensorflow as tf

    for capability, expected in (
        ((8, 0), "mixed_float16"),
        ((7, 0), "mixed_float16"),
        ((6, 1), None),
    ):
        monkeypatch.setattr(
            tf.config.experimental,
            "get_device_details",
            lambda gpu, c=capability: {"compute_capability": c},
        )
        assert environment.choose_mixed_precision(["gpu0"])[0] == expected


def test_setup_on_a_plain_cpu_stays_in_float32_and_says_why(monkeypatch, capsys):
    import keras

    monkeypatch.setenv("DNN_MIXED_PRECISION", "1")
    monkeypatch.setattr(
        environment, "cpu_bf16_support", lambda: (False, "the CPU reports neither")
    )
    info = environment.setup_notebook(seed=0)
    assert (
        info.mixed_precision is False
        and keras.mixed_precision.global_policy().name == "float32"
    )
    assert (
        "Precision: float32. DNN_MIXED_PRECISION is set, but the CPU reports neither"
        in capsys.readouterr().out
    )


def test_setup_on_a_bf16_cpu_chooses_mixed_bfloat16(monkeypatch, capsys):
    import keras

    monkeypatch.setenv("DNN_MIXED_PRECISION", "1")
    monkeypatch.setattr(
        environment, "cpu_bf16_support", lambda: (True, "the CPU reports amx_bf16")
    )
    try:
        info = environment.setup_notebook(seed=0)
        assert (
            info.mixed_precision is True
            and keras.mixed_precision.global_policy().name == "mixed_bfloat16"
        )
        assert (
            "Precision: mixed_bfloat16 (the CPU reports amx_bf16)"
            in capsys.readouterr().out
        )
    finally:
        keras.mixed_precision.set_global_policy("float32")
