"""Plain-words labels for the results table: (notebook, metric key) -> what the figure is.

`make report` shows these instead of the JSON keys; `tests/test_results.py` fails when a metric
recorded in results/full has no label here, so a new figure cannot reach the table unexplained.
"""

LABELS = {
    # 00
    (
        "00_fundamentals",
        "digits_mlp_test_accuracy",
    ): "search winner, test accuracy (360 digits)",
    (
        "00_fundamentals",
        "digits_mlp_kfold_accuracy",
    ): "64-unit MLP, 5-fold cross-validated accuracy",
    (
        "00_fundamentals",
        "line_fit_lr_limit",
    ): "largest learning rate that converges (2 / top eigenvalue)",
    (
        "00_fundamentals",
        "l1_weights_exactly_zero",
    ): "L1 under Adam: share of weights exactly zero",
    (
        "00_fundamentals",
        "double_descent_peak_features",
    ): "double descent: features at the error peak",
    (
        "00_fundamentals",
        "deep_sigmoid_val_accuracy",
    ): "10-layer sigmoid net, plain SGD: validation accuracy",
    (
        "00_fundamentals",
        "deep_sigmoid_residual_val_accuracy",
    ): "the same with residual connections: validation accuracy",
    (
        "00_fundamentals",
        "deep_sigmoid_batch_norm_val_accuracy",
    ): "the same with batch normalisation: validation accuracy",
    (
        "00_fundamentals",
        "deep_relu_glorot_init_val_accuracy",
    ): "10-layer ReLU net, Glorot init: validation accuracy",
    (
        "00_fundamentals",
        "deep_relu_he_init_val_accuracy",
    ): "10-layer ReLU net, He init: validation accuracy",
    # 01
    (
        "01_convolution_by_hand",
        "digits_small_cnn_test_accuracy",
    ): "small CNN, test accuracy (8x8 digits)",
    # 02
    ("02_mnist_dense_vs_cnn", "dense_test_accuracy"): "dense network, test accuracy",
    ("02_mnist_dense_vs_cnn", "cnn_test_accuracy"): "CNN, test accuracy",
    (
        "02_mnist_dense_vs_cnn",
        "cnn_vs_dense_mcnemar_p",
    ): "CNN vs dense, McNemar p-value",
    (
        "02_mnist_dense_vs_cnn",
        "dense_accuracy_shift3",
    ): "dense network, digits shifted 3 px",
    ("02_mnist_dense_vs_cnn", "cnn_accuracy_shift3"): "CNN, digits shifted 3 px",
    ("02_mnist_dense_vs_cnn", "cnn_train_seconds"): "CNN training time",
    ("02_mnist_dense_vs_cnn", "cnn_epoch_seconds"): "CNN, one epoch",
    # 03
    (
        "03_dogs_vs_cats_from_scratch",
        "model_a_train_accuracy",
    ): "model A (02's CNN), training accuracy",
    (
        "03_dogs_vs_cats_from_scratch",
        "model_a_val_accuracy",
    ): "model A, validation accuracy",
    ("03_dogs_vs_cats_from_scratch", "model_a_test_accuracy"): "model A, test accuracy",
    (
        "03_dogs_vs_cats_from_scratch",
        "model_b_train_accuracy",
    ): "model B (deeper), training accuracy",
    (
        "03_dogs_vs_cats_from_scratch",
        "model_b_val_accuracy",
    ): "model B, validation accuracy",
    ("03_dogs_vs_cats_from_scratch", "model_b_test_accuracy"): "model B, test accuracy",
    (
        "03_dogs_vs_cats_from_scratch",
        "model_c_train_accuracy",
    ): "model C (augmentation, dropout), training accuracy",
    (
        "03_dogs_vs_cats_from_scratch",
        "model_c_val_accuracy",
    ): "model C, validation accuracy",
    ("03_dogs_vs_cats_from_scratch", "model_c_test_accuracy"): "model C, test accuracy",
    (
        "03_dogs_vs_cats_from_scratch",
        "model_c_vs_a_mcnemar_p",
    ): "model C vs model A, McNemar p-value",
    (
        "03_dogs_vs_cats_from_scratch",
        "c_without_augmentation_val_accuracy",
    ): "model C without its augmentation: validation accuracy",
    (
        "03_dogs_vs_cats_from_scratch",
        "c_without_dropout_val_accuracy",
    ): "model C without its dropout: validation accuracy",
    (
        "03_dogs_vs_cats_from_scratch",
        "b_trained_like_c_val_accuracy",
    ): "model B trained like model C: validation accuracy",
    (
        "03_dogs_vs_cats_from_scratch",
        "model_a_val_accuracy_same_run",
    ): "section 4b's run: model A, validation accuracy",
    (
        "03_dogs_vs_cats_from_scratch",
        "model_b_val_accuracy_same_run",
    ): "section 4b's run: model B after 7 epochs, validation accuracy",
    (
        "03_dogs_vs_cats_from_scratch",
        "earlier_model_c_val_accuracy_seed0",
    ): "earlier version (one seed for the augmentation), seed 0: model C, validation",
    (
        "03_dogs_vs_cats_from_scratch",
        "earlier_model_c_test_accuracy_seed0",
    ): "earlier version (one seed for the augmentation), seed 0: model C, test",
    (
        "03_dogs_vs_cats_from_scratch",
        "earlier_model_c_val_accuracy_seed1",
    ): "earlier version (one seed for the augmentation), seed 1: model C, validation",
    (
        "03_dogs_vs_cats_from_scratch",
        "earlier_model_c_test_accuracy_seed1",
    ): "earlier version (one seed for the augmentation), seed 1: model C, test",
    (
        "03_dogs_vs_cats_from_scratch",
        "earlier_amd_model_c_val_accuracy",
    ): "earlier version, on the AMD CPU in float32: model C, validation",
    # 04
    (
        "04_vgg16_transfer_and_fine_tuning",
        "frozen_val_accuracy",
    ): "frozen VGG16 + one-neuron head, validation accuracy",
    (
        "04_vgg16_transfer_and_fine_tuning",
        "frozen_test_accuracy",
    ): "frozen VGG16 + head, test accuracy",
    (
        "04_vgg16_transfer_and_fine_tuning",
        "finetuned_val_accuracy",
    ): "block 5 fine-tuned, validation accuracy",
    (
        "04_vgg16_transfer_and_fine_tuning",
        "finetuned_test_accuracy",
    ): "block 5 fine-tuned, test accuracy",
    (
        "04_vgg16_transfer_and_fine_tuning",
        "finetuned_vs_frozen_mcnemar_p",
    ): "fine-tuned vs frozen, McNemar p-value",
    (
        "04_vgg16_transfer_and_fine_tuning",
        "head_l2_val_accuracy",
    ): "head with L2 penalty, validation accuracy",
    (
        "04_vgg16_transfer_and_fine_tuning",
        "head_decoupled_decay_val_accuracy",
    ): "head with decoupled weight decay, validation accuracy",
    (
        "04_vgg16_transfer_and_fine_tuning",
        "head_no_brake_val_accuracy",
    ): "head with neither, validation accuracy",
    (
        "04_vgg16_transfer_and_fine_tuning",
        "feature_extraction_speedup",
    ): "an epoch on cached features, times faster than end to end",
    (
        "04_vgg16_transfer_and_fine_tuning",
        "features_seconds",
    ): "one pass of the base over the 4,000 photos",
    (
        "04_vgg16_transfer_and_fine_tuning",
        "cached_finetune_step_speedup",
    ): "a fine-tuning step on cached maps, times faster",
    ("04_vgg16_transfer_and_fine_tuning", "finetune_seconds"): "fine-tuning time",
    # 05
    (
        "05_what_convnets_learn",
        "gradcam_classifier_val_accuracy",
    ): "Grad-CAM's classifier, validation accuracy",
    (
        "05_what_convnets_learn",
        "fgsm_epsilon_below_half",
    ): "FGSM: smallest step that fools half the photos",
    (
        "05_what_convnets_learn",
        "one_pixel_success_rate",
    ): "one-pixel attack, digits fooled",
    (
        "05_what_convnets_learn",
        "relu_zero_share_block5",
    ): "share of zeros after ReLU, block 5",
    (
        "05_what_convnets_learn",
        "stripes_best_angle",
    ): "stripes test, block2_conv2 filter 12: angle of the strongest response",
    (
        "05_what_convnets_learn",
        "filter265_top_photos",
    ): "block5_conv3 filter 265: its strongest response to a photo",
    (
        "05_what_convnets_learn",
        "gradcam_centre_heat_share",
    ): "Grad-CAM: share of the heat in the central region (a third of the photo)",
    # 06
    (
        "06_traffic_rnn_lstm",
        "persistence_val_mse",
    ): "persistence (last hour repeated), validation MSE",
    (
        "06_traffic_rnn_lstm",
        "weekly_profile_val_mse",
    ): "weekly profile (mean of each hour of the week), validation MSE",
    ("06_traffic_rnn_lstm", "dense_val_mse"): "Dense net, validation MSE",
    ("06_traffic_rnn_lstm", "simplernn_val_mse"): "SimpleRNN, validation MSE",
    ("06_traffic_rnn_lstm", "lstm_val_mse"): "LSTM, validation MSE",
    ("06_traffic_rnn_lstm", "gru_val_mse"): "GRU, validation MSE",
    ("06_traffic_rnn_lstm", "bilstm_val_mse"): "bidirectional LSTM, validation MSE",
    (
        "06_traffic_rnn_lstm",
        "lstm_minus_dense_val_mse",
    ): "LSTM minus Dense, validation MSE",
    (
        "06_traffic_rnn_lstm",
        "dense_calendar_val_mse",
    ): "Dense net with calendar inputs, validation MSE",
    (
        "06_traffic_rnn_lstm",
        "lstm_calendar_val_mse",
    ): "LSTM with calendar inputs, validation MSE",
    (
        "06_traffic_rnn_lstm",
        "autoregressive_val_mse",
    ): "LSTM fed its own forecasts (autoregressive), validation MSE",
    (
        "06_traffic_rnn_lstm",
        "autoregressive_minus_direct_val_mse",
    ): "autoregressive minus direct LSTM, validation MSE",
    (
        "06_traffic_rnn_lstm",
        "adding_problem_simplernn_mse",
    ): "adding problem over 100 steps, SimpleRNN, validation MSE",
    (
        "06_traffic_rnn_lstm",
        "adding_problem_lstm_mse",
    ): "adding problem over 100 steps, LSTM, validation MSE",
    # 07
    (
        "07_house_price_regression",
        "replica_dev_mae",
    ): "the lecture's network, replicated: dev MAE",
    ("07_house_price_regression", "best_dev_mae"): "best network variant: dev MAE",
    ("07_house_price_regression", "linear_dev_mae"): "linear model: dev MAE",
    (
        "07_house_price_regression",
        "median_dev_mae",
    ): "median price for every house: dev MAE",
    ("07_house_price_regression", "nn_kfold_mae"): "network, 5-fold MAE",
    ("07_house_price_regression", "linear_kfold_mae"): "linear model, 5-fold MAE",
    (
        "07_house_price_regression",
        "all_columns_nn_dev_mae",
    ): "network on all rows and columns: dev MAE",
    (
        "07_house_price_regression",
        "all_columns_linear_dev_mae",
    ): "linear model on all rows and columns: dev MAE",
    (
        "07_house_price_regression",
        "all_columns_nn_kfold_mae",
    ): "network on all rows and columns: 5-fold MAE",
    (
        "07_house_price_regression",
        "all_columns_linear_kfold_mae",
    ): "linear model on all rows and columns: 5-fold MAE",
    (
        "07_house_price_regression",
        "nn_minus_linear_dev",
    ): "network minus linear model, dev MAE",
    (
        "07_house_price_regression",
        "nn_minus_linear_kfold",
    ): "network minus linear model, 5-fold MAE",
    (
        "07_house_price_regression",
        "nn_minus_linear_dev_all_columns",
    ): "network minus linear model, all columns, dev MAE",
    (
        "07_house_price_regression",
        "nn_minus_linear_kfold_all_columns",
    ): "network minus linear model, all columns, 5-fold MAE",
    (
        "07_house_price_regression",
        "drop_id_dev_mae_over_seeds",
    ): "step 1, Id dropped: dev MAE, mean over seeds",
    (
        "07_house_price_regression",
        "standardised_dev_mae_over_seeds",
    ): "step 2, standardised inputs: dev MAE, mean over seeds",
    (
        "07_house_price_regression",
        "early_stopping_dev_mae_over_seeds",
    ): "step 3, early stopping: dev MAE, mean over seeds",
    (
        "07_house_price_regression",
        "log_target_dev_mae_over_seeds",
    ): "step 4, log(price) target: dev MAE, mean over seeds",
    (
        "07_house_price_regression",
        "l2_dev_mae_over_seeds",
    ): "step 5a, L2 penalty: dev MAE, mean over seeds",
    (
        "07_house_price_regression",
        "dropout_dev_mae_over_seeds",
    ): "step 5b, dropout: dev MAE, mean over seeds",
    (
        "07_house_price_regression",
        "linear_dev_mae_over_seeds",
    ): "linear model: dev MAE, mean over seeds",
    # 08
    ("08_autoencoders", "ae_mse_code2"): "autoencoder, 2-number code: test MSE",
    ("08_autoencoders", "ae_mse_code8"): "autoencoder, 8-number code: test MSE",
    ("08_autoencoders", "ae_mse_code32"): "autoencoder, 32-number code: test MSE",
    ("08_autoencoders", "ae_mse_code64"): "autoencoder, 64-number code: test MSE",
    ("08_autoencoders", "pca_mse_code2"): "PCA, 2 components: test MSE",
    ("08_autoencoders", "pca_mse_code8"): "PCA, 8 components: test MSE",
    ("08_autoencoders", "pca_mse_code32"): "PCA, 32 components: test MSE",
    ("08_autoencoders", "pca_mse_code64"): "PCA, 64 components: test MSE",
    ("08_autoencoders", "ae_minus_pca_code2"): "autoencoder minus PCA, 2 numbers",
    ("08_autoencoders", "ae_minus_pca_code8"): "autoencoder minus PCA, 8 numbers",
    ("08_autoencoders", "ae_minus_pca_code32"): "autoencoder minus PCA, 32 numbers",
    ("08_autoencoders", "ae_minus_pca_code64"): "autoencoder minus PCA, 64 numbers",
    (
        "08_autoencoders",
        "conv_ae_mse_code32",
    ): "convolutional autoencoder, 32-number code: test MSE",
    (
        "08_autoencoders",
        "denoised_mse_at_train_noise",
    ): "denoising autoencoder: test MSE against the clean digits",
    (
        "08_autoencoders",
        "rbm_logistic_accuracy",
    ): "logistic regression on RBM features, accuracy",
    (
        "08_autoencoders",
        "raw_logistic_accuracy",
    ): "logistic regression on raw pixels, accuracy",
    (
        "08_autoencoders",
        "knn_ae_codes2_accuracy",
    ): "5-nearest neighbours on the 2-number AE codes, accuracy",
    (
        "08_autoencoders",
        "knn_pca_codes2_accuracy",
    ): "5-nearest neighbours on 2 PCA components, accuracy",
    # 09
    (
        "09_distributed_training",
        "one_device_test_accuracy",
    ): "one device, test accuracy",
    (
        "09_distributed_training",
        "two_replicas_test_accuracy",
    ): "two replicas (MirroredStrategy), test accuracy",
    (
        "09_distributed_training",
        "two_workers_test_accuracy",
    ): "two worker processes (MultiWorkerMirroredStrategy), test accuracy",
    (
        "09_distributed_training",
        "restarted_test_accuracy",
    ): "two workers, one killed and restarted, test accuracy",
    (
        "09_distributed_training",
        "two_replicas_vs_one_device_mcnemar_p",
    ): "two replicas vs one device, McNemar p-value",
    (
        "09_distributed_training",
        "two_workers_vs_one_device_mcnemar_p",
    ): "two workers vs one device, McNemar p-value",
    (
        "09_distributed_training",
        "restarted_vs_uninterrupted_mcnemar_p",
    ): "restarted vs uninterrupted, McNemar p-value",
    (
        "09_distributed_training",
        "one_device_images_per_s",
    ): "training speed, one device",
    (
        "09_distributed_training",
        "two_replicas_images_per_s",
    ): "training speed, two replicas",
    (
        "09_distributed_training",
        "two_workers_images_per_s",
    ): "training speed, two workers",
    (
        "09_distributed_training",
        "backup_resumed_test_accuracy",
    ): "two replicas, killed and resumed by BackupAndRestore, test accuracy",
    (
        "09_distributed_training",
        "backup_resumed_vs_two_replicas_mcnemar_p",
    ): "resumed by BackupAndRestore vs uninterrupted two replicas, McNemar p-value",
    (
        "09_distributed_training",
        "backup_resumed_at_epoch",
    ): "epoch the resumed model.fit began with",
    (
        "09_distributed_training",
        "one_device_val_accuracy",
    ): "one device, validation accuracy",
    (
        "09_distributed_training",
        "two_replicas_val_accuracy",
    ): "two replicas (MirroredStrategy), validation accuracy",
    # 10
    (
        "10_text_with_rnns",
        "snippets_mnb_uni_accuracy",
    ): "snippets: MNB, unigrams, pooled out-of-fold accuracy",
    (
        "10_text_with_rnns",
        "snippets_mnb_bi_accuracy",
    ): "snippets: MNB, bigrams (published 79.0%), pooled out-of-fold accuracy",
    (
        "10_text_with_rnns",
        "snippets_nbsvm_uni_accuracy",
    ): "snippets: NBSVM, unigrams, pooled out-of-fold accuracy",
    (
        "10_text_with_rnns",
        "snippets_nbsvm_bi_accuracy",
    ): "snippets: NBSVM, bigrams (published 79.4%), pooled out-of-fold accuracy",
    (
        "10_text_with_rnns",
        "snippets_logistic_regression_bi_accuracy",
    ): "snippets: logistic regression, bigrams, pooled out-of-fold accuracy",
    (
        "10_text_with_rnns",
        "snippets_bag_network__unigrams_accuracy",
    ): "snippets: bag-of-words network (TF-IDF unigrams), pooled out-of-fold accuracy",
    (
        "10_text_with_rnns",
        "snippets_bag_network__bigrams_accuracy",
    ): "snippets: bag-of-words network (TF-IDF bigrams), pooled out-of-fold accuracy",
    (
        "10_text_with_rnns",
        "snippets_simplernn_accuracy",
    ): "snippets: SimpleRNN, pooled out-of-fold accuracy",
    (
        "10_text_with_rnns",
        "snippets_lstm_accuracy",
    ): "snippets: LSTM, pooled out-of-fold accuracy",
    (
        "10_text_with_rnns",
        "snippets_gru_accuracy",
    ): "snippets: GRU, pooled out-of-fold accuracy",
    (
        "10_text_with_rnns",
        "snippets_bidirectional_lstm_accuracy",
    ): "snippets: bidirectional LSTM, pooled out-of-fold accuracy",
    (
        "10_text_with_rnns",
        "snippets_1_d_convnet__kim_accuracy",
    ): "snippets: 1-D convnet, Kim style, pooled out-of-fold accuracy",
    (
        "10_text_with_rnns",
        "snippets_convnet__reviews__vocabulary__random_accuracy",
    ): "snippets: convnet on the reviews' vocabulary, random vectors",
    (
        "10_text_with_rnns",
        "snippets_convnet__frozen_review_vectors_accuracy",
    ): "snippets: convnet, skip-gram review vectors frozen",
    (
        "10_text_with_rnns",
        "snippets_convnet__fine_tuned_review_vectors_accuracy",
    ): "snippets: convnet, skip-gram review vectors fine-tuned",
    (
        "10_text_with_rnns",
        "snippets_best_network_minus_nbsvm_bi",
    ): "snippets: best network (chosen on validation) minus NBSVM-bi, 10 folds, McNemar",
    (
        "10_text_with_rnns",
        "snippets_fine_tuned_minus_random_vectors",
    ): "snippets: convnet, fine-tuned minus random review vectors, 2 folds, McNemar",
    (
        "10_text_with_rnns",
        "snippets_samples_per_mean_words",
    ): "snippets: samples / mean words per sample (Chollet's threshold 1,500)",
    (
        "10_text_with_rnns",
        "reviews_mnb_uni_accuracy",
    ): "reviews: MNB, unigrams, pooled out-of-fold accuracy",
    (
        "10_text_with_rnns",
        "reviews_mnb_bi_accuracy",
    ): "reviews: MNB, bigrams (published 85.85%), pooled out-of-fold accuracy",
    (
        "10_text_with_rnns",
        "reviews_nbsvm_uni_accuracy",
    ): "reviews: NBSVM, unigrams, pooled out-of-fold accuracy",
    (
        "10_text_with_rnns",
        "reviews_nbsvm_bi_accuracy",
    ): "reviews: NBSVM, bigrams (published 89.45%), pooled out-of-fold accuracy",
    (
        "10_text_with_rnns",
        "reviews_logistic_regression_bi_accuracy",
    ): "reviews: logistic regression, bigrams, pooled out-of-fold accuracy",
    (
        "10_text_with_rnns",
        "reviews_bag_network__unigrams_accuracy",
    ): "reviews: bag-of-words network (TF-IDF unigrams), pooled out-of-fold accuracy",
    (
        "10_text_with_rnns",
        "reviews_bag_network__bigrams_accuracy",
    ): "reviews: bag-of-words network (TF-IDF bigrams), pooled out-of-fold accuracy",
    (
        "10_text_with_rnns",
        "reviews_simplernn_accuracy",
    ): "reviews: SimpleRNN, pooled out-of-fold accuracy",
    (
        "10_text_with_rnns",
        "reviews_lstm_accuracy",
    ): "reviews: LSTM, pooled out-of-fold accuracy",
    (
        "10_text_with_rnns",
        "reviews_gru_accuracy",
    ): "reviews: GRU, pooled out-of-fold accuracy",
    (
        "10_text_with_rnns",
        "reviews_bidirectional_lstm_accuracy",
    ): "reviews: bidirectional LSTM, pooled out-of-fold accuracy",
    (
        "10_text_with_rnns",
        "reviews_1_d_convnet__kim_accuracy",
    ): "reviews: 1-D convnet, Kim style, pooled out-of-fold accuracy",
    (
        "10_text_with_rnns",
        "reviews_best_network_minus_nbsvm_bi",
    ): "reviews: best network (chosen on validation) minus NBSVM-bi, 10 folds, McNemar",
    (
        "10_text_with_rnns",
        "reviews_samples_per_mean_words",
    ): "reviews: samples / mean words per sample (Chollet's threshold 1,500)",
    (
        "10_text_with_rnns",
        "reviews_truncation_length",
    ): "reviews: truncation length chosen on validation",
    (
        "10_text_with_rnns",
        "char_lm_val_loss",
    ): "character LSTM language model, validation loss per character",
    (
        "00_fundamentals",
        "sgd_final_train_loss",
    ): "plain SGD (0.01): final training loss",
    (
        "00_fundamentals",
        "units_256_lowest_val_loss_epoch",
    ): "256-unit net: epoch of lowest validation loss",
    (
        "00_fundamentals",
        "early_stopping_lowest_val_xent",
    ): "early stopping: lowest validation cross-entropy",
    (
        "01_convolution_by_hand",
        "digits_small_cnn_last_epoch_accuracy",
    ): "small CNN, last epoch: training accuracy",
    (
        "03_dogs_vs_cats_from_scratch",
        "model_a_lowest_val_loss_epoch",
    ): "model A: epoch of lowest validation loss",
    (
        "03_dogs_vs_cats_from_scratch",
        "chosen_model_test_cats_called_dogs",
    ): "chosen model: test cats called dogs",
    (
        "06_traffic_rnn_lstm",
        "autoregressive_first_hour_val_mse",
    ): "autoregressive forecast: first-hour validation MSE",
    (
        "06_traffic_rnn_lstm",
        "adding_problem_simplernn_gradient_first_over_last",
    ): "adding problem, SimpleRNN: gradient at first step / last",
    (
        "07_house_price_regression",
        "shown_dev_mae_dearer_half",
    ): "plotted variant: development MAE on the dearer half",
    (
        "08_autoencoders",
        "val_denoised_mse_at_top_noise",
    ): "denoiser at the highest noise level: validation MSE",
    (
        "08_autoencoders",
        "val_salt_and_pepper_denoised_mse",
    ): "denoiser on salt-and-pepper noise: validation MSE",
    (
        "00_fundamentals",
        "unregularised_final_val_xent",
    ): "unregularised net: final validation cross-entropy (each regulariser's beside it)",
    (
        "00_fundamentals",
        "units_1_final_val_xent",
    ): "1-unit net: final validation cross-entropy (each width's beside it)",
}
