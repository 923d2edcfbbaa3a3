package io.ringmaster.workers.train;

import java.io.Serializable;
import java.util.Objects;

/**
 * How a worker trains: epochs, batch size (examples per optimiser step), negatives per positive,
 * seed (initialisation, sampling and shuffling), engine, top-K of evaluation, and BLAS threads.
 */
public record TrainingSettings(int epochs, int batchSize, int negatives, long seed, EngineKind engine, int evalK,
                               int threads) implements Serializable {

    public TrainingSettings {
        Objects.requireNonNull(engine, "engine");
        if (epochs < 1) {
            throw new IllegalArgumentException("train.epochs must be >= 1, got " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("train.batch-size must be >= 1, got " + batchSize);
        }
        if (negatives < 0) {
            throw new IllegalArgumentException("train.negatives must be >= 0, got " + negatives);
        }
        if (evalK < 1) {
            throw new IllegalArgumentException("eval.k must be >= 1, got " + evalK);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("train.threads must be >= 1, got " + threads);
        }
    }
}
