package io.ringmaster.workers.train;

import io.ringmaster.workers.model.EmbeddingOptimizer;
import java.io.Serializable;
import java.util.Objects;

/**
 * How a worker trains: epochs, batch size (examples per optimiser step), negatives per positive,
 * seed (initialisation, sampling and shuffling), engine, top-K of evaluation, BLAS threads, how Adam
 * updates embedding tables, how the gang sums their gradients, and the evaluation figure that picks the
 * best epoch ({@code eval.select}; null: the evaluator's first).
 */
public record TrainingSettings(int epochs, int batchSize, int negatives, long seed, EngineKind engine, int evalK,
                               int threads, EmbeddingOptimizer embeddingOptimizer, EmbeddingExchange embeddings,
                               String select) implements Serializable {

    /** The engine's default embedding optimizer; embeddings exchanged as {@code auto} picks. */
    public TrainingSettings(int epochs, int batchSize, int negatives, long seed, EngineKind engine, int evalK,
                            int threads) {
        this(epochs, batchSize, negatives, seed, engine, evalK, threads, engine.defaultEmbeddingOptimizer(),
                EmbeddingExchange.AUTO, null);
    }

    /** The best epoch picked by the evaluator's first figure. */
    public TrainingSettings(int epochs, int batchSize, int negatives, long seed, EngineKind engine, int evalK,
                            int threads, EmbeddingOptimizer embeddingOptimizer, EmbeddingExchange embeddings) {
        this(epochs, batchSize, negatives, seed, engine, evalK, threads, embeddingOptimizer, embeddings, null);
    }

    public TrainingSettings {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(embeddingOptimizer, "embeddingOptimizer");
        Objects.requireNonNull(embeddings, "embeddings");
        engine.check(embeddingOptimizer);
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

    /** The same settings with another number of epochs. */
    public TrainingSettings withEpochs(int e) {
        return new TrainingSettings(e, batchSize, negatives, seed, engine, evalK, threads, embeddingOptimizer,
                embeddings,
                select);
    }

    /** The same settings with another (global) batch size. */
    public TrainingSettings withBatchSize(int b) {
        return new TrainingSettings(epochs, b, negatives, seed, engine, evalK, threads, embeddingOptimizer, embeddings,
                select);
    }

    /** The same settings with the best epoch picked by figure {@code name}. */
    public TrainingSettings withSelect(String name) {
        return new TrainingSettings(epochs, batchSize, negatives, seed, engine, evalK, threads, embeddingOptimizer,
                embeddings, name);
    }

    /** The same settings with another embedding optimizer. */
    public TrainingSettings withEmbeddingOptimizer(EmbeddingOptimizer o) {
        return new TrainingSettings(epochs, batchSize, negatives, seed, engine, evalK, threads, o, embeddings, select);
    }

    /** The same settings with another way of exchanging embedding gradients. */
    public TrainingSettings withEmbeddings(EmbeddingExchange e) {
        return new TrainingSettings(epochs, batchSize, negatives, seed, engine, evalK, threads, embeddingOptimizer, e,
                select);
    }
}
