"""`make bench`: every row runs in the precision it is labelled with."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import keras
import pytest

from utils import environment
from utils.precision import PrecisionError, check_precision, compute_dtypes

BENCH = Path(__file__).resolve().parent.parent / "scripts" / "bench.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _float32_afterwards():
    yield
    keras.backend.clear_session()
    keras.mixed_precision.set_global_policy("float32")


def tiny_model() -> keras.Model:
    return keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(4, 3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(2, activation="softmax", dtype="float32"),
        ],
        name="tiny",
    )


def test_each_row_computes_in_its_label_whatever_ran_before(bench):
    # the old trap: clear_session() after a workload reset the policy to float32, so every
    # bfloat16 row after the first measured float32
    labels = ["bfloat16", "bfloat16", "float32", "float16", "bfloat16"]
    rows = [
        bench.measure_row("tiny", tiny_model, lambda m: 1.0, True, p, 1.0)
        for p in labels
    ]
    assert [r["precision"] for r in rows] == labels
    assert [r["compute_dtypes"] for r in rows] == [[p] for p in labels]
    assert [r["policy"] for r in rows] == [
        "mixed_bfloat16",
        "mixed_bfloat16",
        "float32",
        "mixed_float16",
        "mixed_bfloat16",
    ]


def test_clear_session_resets_the_policy_and_the_check_catches_it():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    keras.backend.clear_session()
    model = tiny_model()
    assert set(compute_dtypes(model).values()) == {"float32"}
    with pytest.raises(PrecisionError, match="labelled bfloat16, but conv2d"):
        check_precision(model, "bfloat16")


def test_the_output_layer_is_left_out_and_stays_float32():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    model = tiny_model()
    dtypes = compute_dtypes(model)
    assert list(dtypes.values()) == ["bfloat16", "bfloat16"]
    assert str(model.outputs[0].dtype) == "float32"


def test_nested_models_are_opened(bench):
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    base = keras.applications.VGG16(
        include_top=False, weights=None, input_shape=(32, 32, 3)
    )
    dtypes = compute_dtypes(keras.Sequential([base, keras.layers.Dense(1)]))
    assert len(dtypes) == 13 and set(dtypes.values()) == {"bfloat16"}


@pytest.mark.parametrize(
    "gpu,bf16,expected",
    [
        (True, False, ["float32", "float16", "bfloat16"]),
        (False, True, ["float32", "bfloat16"]),
        (False, False, ["float32"]),
    ],
)
def test_precisions_follow_the_hardware(bench, gpu, bf16, expected):
    assert bench.bench_precisions(gpu, bf16) == expected


def test_cpu_description_names_model_and_speed_flags(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(
        "processor\t: 0\nmodel name\t: Example Xeon\n"
        "flags\t\t: fpu sse avx2 avx512f avx512_bf16 amx_tile amx_bf16\n"
    )
    assert environment.cpu_description(str(cpuinfo)) == {
        "model": "Example Xeon",
        "flags": ["avx2", "avx512f", "avx512_bf16", "amx_tile", "amx_bf16"],
    }
