"""The lecture's figures, copied once (figures only) so checks and the report share them.

Source: the course's lecture figures (see README, "Where the numbers come from").
Exact figures are asserted in the notebooks; quality figures are what the
results table compares our measured numbers against.
"""

from __future__ import annotations

# --- exact figures (asserted in notebooks) -----------------------------------
MNIST_DENSE_PARAMS = 50_890
MNIST_CNN_PARAMS = 104_202
MNIST_CNN_FIRST_CONV_PARAMS = 320  # (3*3*1 + 1) * 32
MNIST_CNN_SECOND_CONV_PARAMS = 18_496
MNIST_CNN_DENSE_PARAMS = 11_530
MNIST_CNN_FIRST_CONV_OUTPUT = (None, 26, 26, 32)
MNIST_CNN_FLATTENED = 1_152

VGG16_FULL_PARAMS = 138_357_544  # the lecture says 138,350,544: a slip
VGG16_FULL_PARAMS_AS_SAID = 138_350_544
VGG16_BASE_PARAMS = 14_714_688
VGG16_BASE_FEATURES = 25_088  # 7 x 7 x 512
VGG16_HEAD_PARAMS = 25_089
VGG16_BLOCK5_TRAINABLE = 7_079_424

TRAFFIC_SERIES_HOURS = 13_980
TRAFFIC_HOURS_IN = 6
TRAFFIC_HOURS_OUT = 24
TRAFFIC_WINDOWS = 13_950

HOUSES_ROWS = 1121
HOUSES_FEATURES = 37  # counts `Id`
HOUSES_TRAIN, HOUSES_DEV = 1000, 121

# --- quality figures: (notebook, metric) -> what the lecture reports -----------
QUALITY = {
    ("02_mnist_dense_vs_cnn", "dense_test_accuracy"): "just above 97% (5 epochs)",
    ("02_mnist_dense_vs_cnn", "cnn_test_accuracy"): "99.3% (0.7% error)",
    (
        "02_mnist_dense_vs_cnn",
        "cnn_train_seconds",
    ): "a little over a minute (Colab GPU)",
    # the lecture's scratch model had no augmentation: it compares with model A, not model C
    ("03_dogs_vs_cats_from_scratch", "model_a_val_accuracy"): "a bit below 70%",
    ("03_dogs_vs_cats_from_scratch", "model_a_train_accuracy"): "near 100%",
    ("04_vgg16_transfer_and_fine_tuning", "frozen_val_accuracy"): "97.0-97.4%",
    (
        "04_vgg16_transfer_and_fine_tuning",
        "finetuned_val_accuracy",
    ): "97.5% (validation)",
    ("06_traffic_rnn_lstm", "dense_val_mse"): "2.17e-2 (PeMS I-405, another series)",
    (
        "06_traffic_rnn_lstm",
        "simplernn_val_mse",
    ): "2.06e-2 (PeMS I-405, another series)",
    ("06_traffic_rnn_lstm", "lstm_val_mse"): "1.91e-2 (PeMS I-405, another series)",
    ("07_house_price_regression", "replica_dev_mae"): "about $30,000",
}
