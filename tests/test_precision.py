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


def test_device_gpu_takes_the_accelerator_branches_on_a_cpu(monkeypatch, capsys):
    import keras
    import tensorflow as tf

    monkeypatch.setenv("DNN_DEVICE", "gpu")
    monkeypatch.setenv("DNN_MIXED_PRECISION", "1")
    info = environment.setup_notebook(seed=0)
    out = capsys.readouterr().out
    assert info.accelerator is True and info.gpu is False
    assert "DNN_DEVICE=gpu: taking the GPU branches on this CPU" in out
    # float32 stays float32 on a GPU: no TF32 matrix products
    assert not tf.config.experimental.tensor_float_32_execution_enabled()
    tf.config.experimental.enable_tensor_float_32_execution(True)  # TF's default back
    # what a GPU with tensor cores would get
    assert info.precision == "mixed_float16"
    assert keras.mixed_precision.global_policy().name == "mixed_float16"
    try:  # and, as on a GPU, XLA compiles the models (float16 is slow on a CPU without it)
        assert "XLA compiles the models, as on a GPU" in out
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(loss="mse")
        assert model.jit_compile is True
    finally:
        assert environment.compile_with_xla_as_on_a_gpu(enable=False)
        keras.mixed_precision.set_global_policy("float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(loss="mse")
    assert model.jit_compile is False  # Keras's own rule on a CPU, back


def test_xla_as_on_a_gpu_keeps_keras_rule_for_strategies():
    import keras
    import tensorflow as tf

    assert environment.compile_with_xla_as_on_a_gpu()
    try:
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(loss="mse")
        assert model.jit_compile is True
        with tf.distribute.MirroredStrategy(["/cpu:0"]).scope():
            shared = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
            shared.compile(loss="mse")
        assert shared.jit_compile is False  # a strategy turns XLA off, as on a GPU
    finally:
        environment.compile_with_xla_as_on_a_gpu(enable=False)


def test_device_auto_on_a_cpu_takes_the_cpu_branches(capsys):
    info = environment.setup_notebook(seed=0)
    assert info.accelerator is False and info.precision == "float32"
    assert "Precision: float32 (set DNN_MIXED_PRECISION=1" in capsys.readouterr().out


def test_float32_asked_for_says_so(monkeypatch, capsys):
    monkeypatch.setenv("DNN_MIXED_PRECISION", "0")
    info = environment.setup_notebook(seed=0)
    assert info.precision == "float32"
    assert "Precision: float32 (DNN_MIXED_PRECISION=0 asks for it)" in (
        capsys.readouterr().out
    )


@pytest.mark.parametrize(
    "value,policy",
    [("bfloat16", "mixed_bfloat16"), ("float16", "mixed_float16"), ("0", "float32")],
)
def test_a_named_precision_is_forced_on_any_machine(monkeypatch, value, policy):
    import keras

    monkeypatch.setenv("DNN_MIXED_PRECISION", value)
    monkeypatch.setattr(
        environment, "cpu_bf16_support", lambda: (False, "the CPU reports neither")
    )
    info = environment.setup_notebook(seed=0)
    assert info.precision == policy == keras.mixed_precision.global_policy().name
    assert info.mixed_precision is (policy != "float32")


@pytest.mark.parametrize(
    "name,value", [("DNN_DEVICE", "tpu"), ("DNN_MIXED_PRECISION", "half")]
)
def test_a_misspelt_switch_says_what_it_takes(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=f"{name}='{value}': use"):
        environment.setup_notebook(seed=0)


def test_mixed_precision_results_are_kept_apart(monkeypatch, tmp_path):
    import json

    from utils import results

    monkeypatch.setenv("DNN_MIXED_PRECISION", "bfloat16")
    monkeypatch.setenv("DNN_PROFILE", "quick")
    environment.setup_notebook(seed=0)
    results.record("99_demo", "accuracy", 0.5, unit="fraction")
    path = tmp_path / "results" / "quick" / "mixed_bfloat16" / "99_demo.json"
    entry = json.loads(path.read_text())["metrics"]["accuracy"]
    assert entry["precision"] == "mixed_bfloat16"
    assert not (tmp_path / "results" / "quick" / "99_demo.json").exists()


def test_tolerance_follows_the_policy():
    import keras

    from utils.precision import tolerance

    assert tolerance(1e-6, bfloat16=1e-2) == 1e-6
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    assert tolerance(1e-6, bfloat16=1e-2) == 1e-2
    keras.mixed_precision.set_global_policy("mixed_float16")
    assert tolerance(1e-6, bfloat16=1e-2) == 1e-2
    assert tolerance(1e-6, bfloat16=1e-2, float16=1e-3) == 1e-3


def test_output_check_fails_on_a_16_bit_output():
    import keras

    from utils import CheckFailed
    from utils.precision import check_output_float32

    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    inputs = keras.Input((4,))
    half = keras.Model(inputs, keras.layers.Dense(1)(inputs), name="half")
    full = keras.Model(
        inputs, keras.layers.Dense(1, dtype="float32")(inputs), name="full"
    )
    check_output_float32(full)
    with pytest.raises(CheckFailed, match="half's output dtype"):
        check_output_float32(half)


def test_bfloat16_on_cpu_is_the_full_default_where_the_cpu_has_it(monkeypatch, capsys):
    import keras

    monkeypatch.setenv("DNN_PROFILE", "full")
    monkeypatch.setattr(
        environment, "cpu_bf16_support", lambda: (True, "the CPU reports avx512_bf16")
    )
    info = environment.setup_notebook(seed=0, bfloat16_on_cpu=True)
    assert info.precision == "mixed_bfloat16"
    assert keras.mixed_precision.global_policy().name == "mixed_bfloat16"
    assert "the full profile's default for this notebook" in capsys.readouterr().out


@pytest.mark.parametrize(
    "profile,has_bf16,asked,expected",
    [
        ("full", False, None, "float32"),  # other CPUs: no change
        ("quick", True, None, "float32"),  # the quick profile: no change
        ("full", True, "0", "float32"),  # asked for float32
        ("full", True, None, "float32"),  # a notebook that does not ask for it
    ],
)
def test_bfloat16_default_only_where_measured_and_not_asked_otherwise(
    monkeypatch, profile, has_bf16, asked, expected
):
    monkeypatch.setenv("DNN_PROFILE", profile)
    if asked is not None:
        monkeypatch.setenv("DNN_MIXED_PRECISION", asked)
    monkeypatch.setattr(
        environment, "cpu_bf16_support", lambda: (has_bf16, "the CPU reports it")
    )
    notebook_asks = not (profile == "full" and has_bf16 and asked is None)
    info = environment.setup_notebook(seed=0, bfloat16_on_cpu=notebook_asks)
    assert info.precision == expected


def test_warnings_print_as_one_line(monkeypatch):
    """In a notebook a warning shows its kind and message, not our file, line and source."""
    import warnings

    from utils.environment import one_line_warning

    monkeypatch.setattr(warnings, "formatwarning", warnings.formatwarning)
    environment.setup_notebook(seed=0)
    assert warnings.formatwarning is one_line_warning

    text = one_line_warning(
        UserWarning("x.npz: bytes differ"), UserWarning, "/a/b.py", 7, "f()"
    )
    assert text == "UserWarning: x.npz: bytes differ\n"
