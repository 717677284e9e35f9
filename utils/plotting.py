"""Plots shared by every notebook (one style, no copy-paste per notebook)."""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np


def _history_dict(history: Any) -> Mapping[str, Sequence[float]]:
    return history.history if hasattr(history, "history") else history


def plot_history(
    histories: Mapping[str, Any] | Any,
    metrics: Iterable[str] = ("loss", "accuracy"),
    title: str = "",
    train_dashed: bool = False,
    logy: bool = False,
) -> plt.Figure:
    """Training (solid) vs validation (dashed) curves, one panel per metric.

    ``train_dashed=True`` swaps the styles (training dashed, validation solid),
    the convention of the lecture's recurrent-network plots.

    ``histories`` is one Keras History (or its ``.history`` dict) or a mapping
    ``{"model name": history}`` to compare several models on the same axes.
    """
    if hasattr(histories, "history") or (
        isinstance(histories, Mapping) and "loss" in histories
    ):
        histories = {"": histories}
    metrics = [
        m for m in metrics if any(m in _history_dict(h) for h in histories.values())
    ]
    fig, axes = plt.subplots(
        1, len(metrics), figsize=(5.5 * len(metrics), 3.8), squeeze=False
    )
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    train_style, val_style = ("--", "-") if train_dashed else ("-", "--")
    for ax, metric in zip(axes[0], metrics):
        for i, (name, h) in enumerate(histories.items()):
            h = _history_dict(h)
            c = colors[i % len(colors)]
            label = f"{name} " if name else ""
            if metric in h:
                epochs = np.arange(1, len(h[metric]) + 1)
                ax.plot(epochs, h[metric], train_style, color=c, label=f"{label}train")
            if f"val_{metric}" in h:
                epochs = np.arange(1, len(h[f"val_{metric}"]) + 1)
                ax.plot(
                    epochs,
                    h[f"val_{metric}"],
                    val_style,
                    color=c,
                    label=f"{label}validation",
                )
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        if logy:
            ax.set_yscale("log")
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def show_images(
    images: Sequence[np.ndarray],
    titles: Sequence[str] | None = None,
    ncols: int = 8,
    size: float = 1.4,
    cmap: str | None = None,
    suptitle: str = "",
) -> plt.Figure:
    """A grid of images with optional titles (gray for 2-D arrays, colour for RGB)."""
    n = len(images)
    nrows = max(1, int(np.ceil(n / ncols)))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(size * ncols, size * nrows * 1.1), squeeze=False
    )
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        img = np.asarray(images[i])
        if img.ndim == 3 and img.shape[-1] == 1:
            img = img[..., 0]
        if img.ndim == 3 and img.dtype != np.uint8:
            lo, hi = float(img.min()), float(img.max())
            img = (img - lo) / (hi - lo) if hi > lo else np.zeros_like(img)
        ax.imshow(img, cmap=cmap or ("gray" if img.ndim == 2 else None))
        if titles is not None:
            ax.set_title(titles[i], fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def plot_confusion_matrix(
    y_true: Sequence[int],
    y_pred: Sequence[int],
    class_names: Sequence[str] | None = None,
    title: str = "Confusion matrix",
) -> plt.Figure:
    """Counts of (true, predicted) pairs, with the counts written in the cells."""
    y_true = np.asarray(y_true).astype(int)
    y_pred = np.asarray(y_pred).astype(int)
    k = (
        int(max(y_true.max(), y_pred.max()) + 1)
        if class_names is None
        else len(class_names)
    )
    cm = np.zeros((k, k), dtype=int)
    np.add.at(cm, (y_true, y_pred), 1)
    names = list(class_names) if class_names is not None else [str(i) for i in range(k)]
    fig, ax = plt.subplots(figsize=(0.55 * k + 2.5, 0.55 * k + 2))
    ax.imshow(cm, cmap="Blues")
    ax.grid(False)
    ax.set_xticks(range(k), names)
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for i in range(k):
        for j in range(k):
            ax.text(
                j,
                i,
                str(cm[i, j]),
                ha="center",
                va="center",
                fontsize=8,
                color="white" if cm[i, j] > cm.max() / 2 else "black",
            )
    ax.set_title(title)
    fig.tight_layout()
    return fig


def show_model_diagram(model: Any, to_file: str | None = None, **kwargs: Any) -> Any:
    """``keras.utils.plot_model`` when Graphviz is installed; one line of advice when not."""
    import os
    import shutil
    import tempfile

    import keras

    if shutil.which("dot") is None:
        print(
            "Graphviz's `dot` is not installed, so no diagram: `make setup` installs it "
            "(or `apt-get install graphviz`)."
        )
        return None
    to_file = to_file or os.path.join(tempfile.mkdtemp(), f"{model.name}.png")
    kwargs.setdefault("show_shapes", True)
    try:
        return keras.utils.plot_model(model, to_file=to_file, **kwargs)
    except (ImportError, OSError) as err:
        print(
            f"plot_model could not draw the diagram ({err}); `make setup` installs pydot and Graphviz."
        )
        return None


def show_source(obj: Any) -> None:
    """Print the source code of a ``utils`` function, so a notebook can show what it calls."""
    import inspect

    print(inspect.getsource(obj))
