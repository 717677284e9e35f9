"""utils.training: the tf.data pipeline the notebooks train through."""

import numpy as np

import utils


def test_make_dataset_shuffles_every_row_of_named_inputs():
    """With a dict of inputs the shuffle buffer covers all rows, not one per input name."""
    rows = np.arange(100)
    x = {"numbers": rows.astype("float32")}  # one key: len(x) would be a buffer of 1
    ds = utils.make_dataset(x, rows, batch_size=100, shuffle=True, seed=0)
    _, order = next(iter(ds))
    order = order.numpy()
    assert sorted(order) == list(rows)  # every row once
    assert not np.array_equal(
        order, rows
    )  # and shuffled: a buffer of 1 keeps the order


def test_make_dataset_keeps_order_without_shuffle():
    rows = np.arange(10)
    ds = utils.make_dataset(rows.astype("float32"), rows, batch_size=4)
    labels = np.concatenate([y.numpy() for _, y in ds])
    assert np.array_equal(labels, rows)
