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


@pytest.mark.parametrize(
    "dtype,gpu,flags,expected",
    [
        ("bfloat16", False, ["avx512f", "avx512_bf16", "amx_bf16"], "AMX tiles"),
        ("bfloat16", False, ["avx512f", "avx512_bf16"], "AVX512_BF16"),
        ("bfloat16", False, ["avx2"], "emulated"),
        ("float32", False, ["avx2", "avx512f"], "AVX-512 FMA"),
        ("float32", False, ["avx2"], "AVX2 FMA"),
        ("float16", True, [], "GPU tensor cores"),
    ],
)
def test_each_peak_names_its_instruction_set(bench, dtype, gpu, flags, expected):
    assert bench.instruction_set(dtype, gpu, flags).startswith(expected)


def test_peak_kernels_include_convolutions_at_least_as_large_as_the_workloads(
    bench, monkeypatch
):
    monkeypatch.setenv("DNN_PROFILE", "quick")
    kinds = {kind for kind, _ in bench.peak_kernels()}
    assert kinds == {"matmul", "conv3x3"}
    # the quick VGG16 row runs batch 8 at 64 px: its block-2 and block-3 convolutions are
    # 8 x 32 x 32 x 128 and 8 x 16 x 16 x 256, which the peak kernels must cover
    convs = [shape for kind, shape in bench.peak_kernels() if kind == "conv3x3"]
    assert (8, 32, 128) in convs and (8, 16, 256) in convs


def _rows_over_peak(report: dict) -> list[str]:
    peaks = report["peak_gflop_per_s"]
    return [
        f"{r['workload']} ({r['precision']}): {r['gflop_per_s']:.1f} GFLOP/s "
        f"over a peak of {peaks[r['precision']]:.1f}"
        for r in report["workloads"]
        if r["gflop_per_s"] > peaks[r["precision"]] or r["percent_of_peak"] > 100
    ]


def test_the_recorded_bench_has_no_row_over_its_peak():
    import json

    recorded = BENCH.parent.parent / "results" / "full" / "bench.json"
    report = json.loads(recorded.read_text())
    assert "peak" in report, "results/full/bench.json predates the peak kernels: rerun"
    assert _rows_over_peak(report) == []


def test_the_check_finds_a_row_over_its_peak():
    report = {
        "peak_gflop_per_s": {"bfloat16": 1524.0},
        "workloads": [
            {
                "workload": "04 VGG16 base",
                "precision": "bfloat16",
                "gflop_per_s": 2233.0,
                "percent_of_peak": 146.5,
            }
        ],
    }
    assert len(_rows_over_peak(report)) == 1
