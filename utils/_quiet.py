"""Import TensorFlow without its C++ start-up log lines.

TensorFlow's native code writes lines such as ``I0000 ... cudart_stub.cc:31] Could not find cuda
drivers``, ``cpu_feature_guard`` notes and "All log messages before absl::InitializeLog() is called
are written to STDERR" straight to the process's stderr (file descriptor 2) while it loads, before
``TF_CPP_MIN_LOG_LEVEL`` can take effect. Jupyter forwards that descriptor into the notebook, so
they land in the first cell's output. ``import utils`` therefore imports TensorFlow once, with
descriptor 2 pointed at /dev/null for the duration, and sets the log level for everything after.
It also turns on oneDNN's CPU kernels unless ``TF_ENABLE_ONEDNN_OPTS`` is already set.
Python exceptions are not affected: a failing import still raises.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Point file descriptor 2 at /dev/null inside the block (Python's own sys.stderr included)."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (
        OSError,
        ValueError,
        AttributeError,
    ):  # no real descriptor 2: nothing to silence
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        try:
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_tensorflow_quietly() -> None:
    """Import TensorFlow (and look for GPUs, which logs too) with its start-up lines silenced."""
    # TensorFlow's C++ log from here on: none. On a CPU its error-level lines are notes on a
    # slower fallback ("oneDNN supports DT_HALF / DT_BOOL only on platforms with AVX-512 ...
    # Falling back to Eigen", float16 emulated, masks in recurrent layers); a real failure
    # raises a Python exception with its message. TF_CPP_MIN_LOG_LEVEL=0 or 1 (set before
    # `import utils`) keeps the log, for debugging.
    if os.environ.get("TF_CPP_MIN_LOG_LEVEL", "").strip() not in {"0", "1"}:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    # oneDNN's CPU kernels: TensorFlow leaves them off on some CPUs (AMD's, for one), where they
    # make these notebooks' convolutions faster (`make bench`); no effect on a GPU
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
    if "tensorflow" in sys.modules:
        return
    with native_stderr_silenced():
        import tensorflow as tf

        tf.config.list_physical_devices("GPU")
