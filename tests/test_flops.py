"""The FLOP counter against counts done by hand (a multiply-add is two FLOPs)."""

import keras
import pytest

from utils.flops import layer_flops, model_flops, training_flops


def build(input_shape, *layers):
    return keras.Sequential([keras.Input(input_shape), *layers])


def test_dense():
    model = build((64,), keras.layers.Dense(10))
    assert model_flops(model) == 2 * 64 * 10


def test_conv2d_valid():
    model = build((28, 28, 1), keras.layers.Conv2D(32, 3))
    assert model_flops(model) == 2 * (3 * 3 * 1 * 32) * (26 * 26)


def test_the_lecture_mnist_cnn_layer_by_layer():
    model = build(
        (28, 28, 1),
        keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(64, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(128, 3, activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax"),
    )
    by_hand = [
        2 * 9 * 1 * 32 * 26 * 26,
        0,
        2 * 9 * 32 * 64 * 11 * 11,
        0,
        2 * 9 * 64 * 128 * 3 * 3,
        0,
        2 * 1152 * 10,
    ]
    assert [layer_flops(layer) for layer in model.layers] == by_hand
    assert model_flops(model) == 6_200_064
    assert training_flops(model) == 3 * 6_200_064


def test_strided_same_conv_and_its_transpose():
    down = build((28, 28, 1), keras.layers.Conv2D(16, 3, strides=2, padding="same"))
    assert model_flops(down) == 2 * 9 * 1 * 16 * (14 * 14)
    up = build(
        (7, 7, 32), keras.layers.Conv2DTranspose(16, 3, strides=2, padding="same")
    )
    assert model_flops(up) == 2 * 9 * 32 * 16 * (
        7 * 7
    )  # each input position spreads a 3x3x16 patch


@pytest.mark.parametrize(
    "layer,gates",
    [
        (keras.layers.SimpleRNN(16), 1),
        (keras.layers.LSTM(16), 4),
        (keras.layers.GRU(16), 3),
    ],
)
def test_recurrent_layers(layer, gates):
    model = build((6, 1), layer)
    assert model_flops(model) == 2 * 6 * gates * 16 * (1 + 16)


def test_bidirectional_counts_both_directions():
    model = build((6, 1), keras.layers.Bidirectional(keras.layers.LSTM(8)))
    assert model_flops(model) == 2 * (2 * 6 * 4 * 8 * (1 + 8))


def test_dense_on_a_sequence_counts_every_step():
    model = build((6, 5), keras.layers.Dense(3))
    assert model_flops(model) == 6 * 2 * 5 * 3


def test_vgg16_base_at_224_is_about_30_7_gflop():
    base = keras.applications.VGG16(
        include_top=False, weights=None, input_tensor=keras.Input(shape=(224, 224, 3))
    )
    assert model_flops(base) == pytest.approx(30.7e9, rel=0.005)
