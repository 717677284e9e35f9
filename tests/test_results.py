"""Result recording and the generated results table."""

import importlib.util
import json
from pathlib import Path

from utils import results

ROOT = Path(__file__).resolve().parent.parent


def test_record_writes_and_merges_by_profile(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DNN_PROFILE", "quick")
    results.record("99_demo", "accuracy", 0.5, unit="fraction", dataset="toy", epochs=2)
    results.record("99_demo", "loss", 1.25, dataset="toy")
    results.record(
        "99_demo", "accuracy", 0.75, unit="fraction", dataset="toy", epochs=3
    )  # replaces
    data = json.loads((tmp_path / "results" / "quick" / "99_demo.json").read_text())
    assert set(data["metrics"]) == {"accuracy", "loss"}
    acc = data["metrics"]["accuracy"]
    assert acc["value"] == 0.75 and acc["epochs"] == 3 and acc["profile"] == "quick"
    assert "stand-in data, not a result" in capsys.readouterr().out


def test_record_converts_numpy_scalars(tmp_path, monkeypatch):
    import numpy as np

    monkeypatch.setenv("DNN_PROFILE", "full")
    results.record("99_demo", "mse", np.float32(0.125), per_seed=[np.float64(1.0)])
    entry = json.loads((tmp_path / "results" / "full" / "99_demo.json").read_text())[
        "metrics"
    ]["mse"]
    assert entry["value"] == 0.125 and isinstance(entry["value"], float)


def _report_module():
    spec = importlib.util.spec_from_file_location(
        "make_report", ROOT / "scripts" / "make_report.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_report_reads_full_results_and_lecture_figures(tmp_path, monkeypatch):
    mod = _report_module()
    monkeypatch.setattr(mod, "RESULTS", tmp_path)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "02_mnist_dense_vs_cnn.json").write_text(
        json.dumps(
            {
                "notebook": "02_mnist_dense_vs_cnn",
                "metrics": {
                    "cnn_test_accuracy": {
                        "value": 0.99321,
                        "unit": "fraction",
                        "epochs": 10,
                        "wall_time_s": 250.0,
                        "device": "CPU only (2 cores)",
                        "recorded_at": "2026-11-22T00:00:00",
                    }
                },
            }
        )
    )
    table = mod.build()
    row = next(line for line in table.splitlines() if "cnn_test_accuracy" in line)
    assert (
        "99.32%" in row
        and "99.3% (0.7% error)" in row
        and "250 s" in row
        and "CPU only" in row
    )


def test_report_without_results_says_so(tmp_path, monkeypatch):
    mod = _report_module()
    monkeypatch.setattr(mod, "RESULTS", tmp_path)
    assert "no full-profile results yet" in mod.build()


def test_save_figure_goes_to_the_profile_folder(tmp_path, monkeypatch, capsys):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.setenv("DNN_PROFILE", "quick")
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    path = results.save_figure(fig, "99_demo", "line")
    plt.close(fig)
    assert path == tmp_path / "results" / "quick" / "figures" / "99_demo__line.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "saved figure" in capsys.readouterr().out


def test_report_shows_intervals_p_values_and_row_sets(tmp_path, monkeypatch):
    mod = _report_module()
    monkeypatch.setattr(mod, "RESULTS", tmp_path)
    (tmp_path / "full").mkdir()
    metrics = {
        "model_c_test_accuracy": {
            "value": 0.802,
            "unit": "fraction",
            "ci_low": 0.7762,
            "ci_high": 0.8256,
        },
        "model_c_vs_a_mcnemar_p": {"value": 1e-12, "unit": "", "p_value": 1e-12},
        "nn_kfold_mae": {
            "value": 17000.0,
            "unit": "$",
            "ci_low": 16000.0,
            "ci_high": 18100.0,
            "rows": "1121 complete rows, numeric columns",
        },
    }
    (tmp_path / "full" / "03_dogs_vs_cats_from_scratch.json").write_text(
        json.dumps({"notebook": "03_dogs_vs_cats_from_scratch", "metrics": metrics})
    )
    lines = mod.build().splitlines()
    row = next(line for line in lines if "model_c_test_accuracy" in line)
    assert "| 80.20% | 77.62% to 82.56% |" in row
    assert "(p = 1e-12)" in next(line for line in lines if "mcnemar" in line)
    row = next(line for line in lines if "nn_kfold_mae" in line)
    assert (
        "(1121 complete rows, numeric columns)" in row and "$16,000 to $18,100" in row
    )
    # the lecture's scratch-model figure sits beside model A, never beside model C
    assert "about 70%" not in row and "70%" not in next(
        line for line in lines if "model_c_test" in line
    )


def test_report_shows_the_bench_table(tmp_path, monkeypatch):
    mod = _report_module()
    monkeypatch.setattr(mod, "RESULTS", tmp_path)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "bench.json").write_text(
        json.dumps(
            {
                "recorded_at": "2026-12-01T05:00:00+00:00",
                "device": "CPU only (2 cores, x86_64)",
                "bfloat16": {
                    "supported": False,
                    "why": "the CPU reports neither avx512_bf16 nor amx_bf16",
                },
                "matmul_peak_gflop_per_s": {"float32": 180.4},
                "workloads": [
                    {
                        "workload": "02 CNN, training, batch 128",
                        "precision": "float32",
                        "examples_per_s": 4000.0,
                        "gflop_per_s": 74.4,
                        "percent_of_peak": 41.2,
                    },
                    {
                        "workload": "02 CNN, training, batch 128",
                        "precision": "bfloat16",
                        "examples_per_s": 10000.0,
                        "gflop_per_s": 186.0,
                        "percent_of_peak": 20.3,
                    },
                ],
            }
        )
    )
    table = mod.build()
    assert "Matrix-multiply peak: float32 180 GFLOP/s" in table
    assert (
        "| 02 CNN, training, batch 128 | float32 | 4,000.0 | 1.00x | 74.4 | 41% |"
        in table
    )
    assert (
        "| 02 CNN, training, batch 128 | bfloat16 | 10,000.0 | 2.50x | 186.0 | 20% |"
        in table
    )
