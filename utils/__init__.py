"""Shared helpers for the *Deep Neural Networks, runnable* notebooks.

The notebooks tell the story; this package does the plumbing: run profiles,
the setup cell, offline-safe data loading, checks of exact figures, plots and
result recording.
"""

from ._quiet import import_tensorflow_quietly

import_tensorflow_quietly()  # before any module below imports TensorFlow or Keras

from .checks import (
    CheckFailed,
    check_close,
    check_equal,
    check_params,
    check_shape,
    check_true,
    count_params,
)
from .data import (
    ChecksumError,
    DataError,
    DataUnavailableError,
    DataValidationError,
    data_dir,
)
from .environment import in_colab, run_info, setup_notebook
from .flops import model_flops, training_flops
from .mnist import load_mnist, mnist_standin
from .plotting import (
    plot_confusion_matrix,
    plot_history,
    show_images,
    show_model_diagram,
    show_source,
)
from .precision import check_output_float32, tolerance
from .profile import get_profile, is_quick, pick
from .results import Timer, record, recorder, save_figure
from .training import EpochTimes, adam_cosine, make_dataset, steps_per_epoch
from . import workers
from .workers import LocalCluster, WorkerFailed

__all__ = [
    "CheckFailed",
    "check_close",
    "check_equal",
    "check_params",
    "check_shape",
    "check_true",
    "count_params",
    "ChecksumError",
    "DataError",
    "DataUnavailableError",
    "DataValidationError",
    "data_dir",
    "in_colab",
    "run_info",
    "setup_notebook",
    "model_flops",
    "training_flops",
    "load_mnist",
    "mnist_standin",
    "plot_confusion_matrix",
    "plot_history",
    "show_images",
    "show_model_diagram",
    "show_source",
    "check_output_float32",
    "tolerance",
    "get_profile",
    "is_quick",
    "pick",
    "Timer",
    "record",
    "recorder",
    "save_figure",
    "EpochTimes",
    "adam_cosine",
    "make_dataset",
    "steps_per_epoch",
    "workers",
    "LocalCluster",
    "WorkerFailed",
]
