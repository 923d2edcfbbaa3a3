package io.ringmaster.workers.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * Shape and optimiser settings of one NeuMF network (He et al., WWW'17).
 *
 * <p>{@code mlpLayers[0]} is the width of the concatenated MLP embeddings (each of user and item
 * gets {@code mlpLayers[0] / 2}); the following entries are the widths of the dense ReLU layers,
 * exactly as the paper's "layers" argument (default 64-32-16-8).
 */
public record NeuMFSpec(int numUsers, int numItems, int factors, int[] mlpLayers, double learningRate,
                        long seed) {

    public static final int[] DEFAULT_LAYERS = {64, 32, 16, 8};

    public NeuMFSpec {
        Objects.requireNonNull(mlpLayers, "mlpLayers");
        if (numUsers <= 0 || numItems <= 0) {
            throw new IllegalArgumentException("model needs at least one user and one item, got users="
                    + numUsers + " items=" + numItems);
        }
        if (factors <= 0) {
            throw new IllegalArgumentException("model.factors must be positive, got " + factors);
        }
        if (mlpLayers.length < 2) {
            throw new IllegalArgumentException("model.layers needs at least two entries (embedding width and one"
                    + " dense layer), got " + Arrays.toString(mlpLayers));
        }
        if (mlpLayers[0] % 2 != 0) {
            throw new IllegalArgumentException("model.layers[0] is the concatenated user+item MLP embedding width and"
                    + " must be even, got " + mlpLayers[0]);
        }
        for (int w : mlpLayers) {
            if (w <= 0) {
                throw new IllegalArgumentException("model.layers entries must be positive, got "
                        + Arrays.toString(mlpLayers));
            }
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("train.learning-rate must be a positive number, got " + learningRate);
        }
        mlpLayers = mlpLayers.clone();
    }

    /** Width of each of the user and item MLP embeddings. */
    public int mlpEmbedding() {
        return mlpLayers[0] / 2;
    }

    /** Width of the last MLP layer, which is concatenated with the GMF vector before the output. */
    public int mlpOut() {
        return mlpLayers[mlpLayers.length - 1];
    }

    @Override
    public int[] mlpLayers() {
        return mlpLayers.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NeuMFSpec s && s.numUsers == numUsers && s.numItems == numItems && s.factors == factors
                && Arrays.equals(s.mlpLayers, mlpLayers) && Double.compare(s.learningRate, learningRate) == 0
                && s.seed == seed;
    }

    @Override
    public int hashCode() {
        return Objects.hash(numUsers, numItems, factors, Arrays.hashCode(mlpLayers), learningRate, seed);
    }

    @Override
    public String toString() {
        return "NeuMF(users=" + numUsers + ", items=" + numItems + ", factors=" + factors + ", layers="
                + Arrays.toString(mlpLayers) + ", lr=" + learningRate + ", seed=" + seed + ")";
    }
}
