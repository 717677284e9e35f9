"""Result recording and the generated results table."""

import importlib.util
import json
import sys
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
    run = {"device": "CPU only (2 cores)", "recorded_at": "2026-11-22T00:00:00"}
    (tmp_path / "full" / "02_mnist_dense_vs_cnn.json").write_text(
        json.dumps(
            {
                "notebook": "02_mnist_dense_vs_cnn",
                "metrics": {
                    "cnn_test_accuracy": {"value": 0.99321, "unit": "fraction", **run},
                    "dense_test_accuracy": {"value": 0.9767, "unit": "fraction", **run},
                },
            }
        )
    )
    lines = mod.build().splitlines()
    row = next(line for line in lines if line.startswith("| CNN, test accuracy |"))
    assert "| 99.3% (0.7% error) | 99.32% |" in row  # plain words, lecture beside ours
    assert "cnn_test_accuracy" not in "\n".join(lines)  # no JSON keys
    # the machine is named once for the notebook, not on every row
    assert sum("CPU only (2 cores)" in line for line in lines) == 1
    assert any(line.startswith("### 02 · MNIST") for line in lines)


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
        "model_a_val_accuracy": {"value": 0.684, "unit": "fraction"},
    }
    (tmp_path / "full" / "03_dogs_vs_cats_from_scratch.json").write_text(
        json.dumps({"notebook": "03_dogs_vs_cats_from_scratch", "metrics": metrics})
    )
    lines = mod.build().splitlines()
    row = next(line for line in lines if line.startswith("| model C, test accuracy"))
    assert "| 80.20% | 77.62% to 82.56% |" in row
    assert "| p = 1e-12 |" in next(line for line in lines if "McNemar p-value" in line)
    # the lecture's scratch-model figure sits beside model A, never beside model C
    assert "a bit below 70%" in next(
        line for line in lines if "model A, validation" in line
    )
    assert "70%" not in row


def test_a_mean_over_seeds_says_whose_interval_it_shows(tmp_path, monkeypatch):
    mod = _report_module()
    monkeypatch.setattr(mod, "RESULTS", tmp_path)
    (tmp_path / "full").mkdir()
    metrics = {
        "ae_mse_code32": {
            "value": 0.0061,
            "unit": "MSE per pixel",
            "per_seed": [0.0060, 0.0062, 0.0061],
            "std": 0.0001,
            "ci_low": 0.0058,
            "ci_high": 0.0063,
            "ci_note": "mean over seeds; the interval is seed 0's",
        },
        "all_columns_nn_dev_mae": {
            "value": 15000.0,
            "unit": "$",
            "rows": "121 houses",
            "ci_low": 12000.0,
            "ci_high": 18000.0,
            "per_seed": [15000.0, 16000.0, 14000.0],
            "mean_over_seeds": 15000.0,
            "std": 816.0,
        },
    }
    (tmp_path / "full" / "08_autoencoders.json").write_text(
        json.dumps({"notebook": "08_autoencoders", "metrics": metrics})
    )
    lines = mod.build().splitlines()
    row = next(line for line in lines if "32-number code" in line)
    assert (
        "(mean of 3 seeds" in row and "| first seed, 0.006: 0.0058 to 0.0063 |" in row
    )
    row = next(line for line in lines if "all_columns" in line or "all columns" in line)
    assert "(first seed; 3 seeds: $15,000 +/- $816)" in row and "(121 houses)" in row


def test_every_recorded_full_result_has_a_plain_label():
    sys.path.insert(0, str(ROOT / "scripts"))
    from report_labels import LABELS

    missing = []
    for path in sorted((ROOT / "results" / "full").rglob("[0-9][0-9]_*.json")):
        data = json.loads(path.read_text())
        missing += [
            f"{data['notebook']}: {name}"
            for name in data["metrics"]
            if (data["notebook"], name) not in LABELS
        ]
    assert not missing, "add a label to scripts/report_labels.py for: " + ", ".join(
        missing
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
