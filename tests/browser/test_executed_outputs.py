"""The executed notebooks (quick profile, outputs kept by `make booktest`) carry no TensorFlow log
noise: no C++ log lines, no absl start-up warning, no CUDA probing, in any output stream."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXECUTED = Path(os.environ.get("DNN_EXECUTED", ROOT / "build" / "quick" / "executed"))
NOISE = re.compile(
    r"^[IWEF]\d{4} |cpu_feature_guard|absl::InitializeLog|cuInit|cudart_stub|"
    r"oneDNN custom operations are on|TF-TRT Warning",
    re.M,
)


def executed() -> list[Path]:
    return sorted(EXECUTED.glob("*.ipynb"))


def noisy_lines(nb: dict) -> list[str]:
    found = []
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            text = out.get("text") or out.get("data", {}).get("text/plain", "")
            text = "".join(text) if isinstance(text, list) else text
            found += [f"cell {i}: {m.group(0)}" for m in NOISE.finditer(text)]
    return found


def test_the_notebooks_were_executed():
    expected = len(list((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")))
    assert len(executed()) == expected, (
        f"expected {expected} executed notebooks in {EXECUTED}: run `make booktest`"
    )


@pytest.mark.parametrize("path", executed(), ids=lambda p: p.stem)
def test_no_tensorflow_log_lines_in_any_output(path):
    nb = json.loads(path.read_text())
    assert nb["metadata"]["dnn_run"]["completed"] is True
    assert noisy_lines(nb) == []


def test_the_check_sees_the_usual_noise():
    nb = {
        "cells": [
            {
                "outputs": [
                    {
                        "name": "stderr",
                        "text": [
                            "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n",
                            "I0000 00:00:1796099065.083293    3056 cudart_stub.cc:31] Could not find cuda drivers\n",
                        ],
                    }
                ]
            }
        ]
    }
    assert len(noisy_lines(nb)) == 3
    assert (
        noisy_lines({"cells": [{"outputs": [{"text": "Epoch 1/3 - loss 0.2\n"}]}]})
        == []
    )
