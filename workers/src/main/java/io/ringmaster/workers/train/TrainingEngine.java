package io.ringmaster.workers.train;

import io.ringmaster.workers.gradient.Gradient;
import java.io.IOException;

/**
 * How one worker computes gradients and applies updates to a model, as separate steps so the gang can
 * average the gradient in between ({@link GradientExchange}):
 * {@code computeGradient → exchange(gradient()) → applyUpdate}. A {@link io.ringmaster.workers.model.ModelSpec}
 * builds it; the trainer, exchange and checkpoints know it only through this interface.
 */
public interface TrainingEngine extends AutoCloseable {

    /** Engine name as in the job file. */
    String name();

    /**
     * Computes the gradient of the mean loss over examples {@code [from, from+n)} of {@code batch} (the
     * columns the model reads, by name) into {@link #gradient()} and returns that mean loss.
     */
    double computeGradient(Examples batch, int from, int n);

    /**
     * The gradient of the last {@link #computeGradient}: a dense block plus the touched rows of each
     * embedding table (a dense block only for an engine that keeps no tables apart); may be rewritten
     * before {@link #applyUpdate}.
     */
    Gradient gradient();

    /** Applies one optimiser step with the current {@link #gradient()}. */
    void applyUpdate();

    /**
     * Ranking scores for {@code n} (user, item) pairs, higher meaning more likely (for a model with a
     * sigmoid output: its logits, which order as the probabilities without their float saturation at 1).
     */
    void scores(int[] users, int[] items, int n, float[] out);

    /** Updates applied so far. */
    long step();

    /**
     * The model with its optimiser state and step, as a checkpoint stores it; its
     * {@link io.ringmaster.workers.model.ModelSpec#restoreEngine} continues from it bit for bit.
     */
    byte[] save() throws IOException;

    /** SHA-256 of the parameters, to compare runs bit for bit. */
    String paramsSha256();

    @Override
    void close();

    /**
     * Called before each epoch with its zero-based index, for engines whose arithmetic depends on it
     * (DL4J's updater keeps an epoch count); nothing by default.
     */
    default void startEpoch(int epoch) {
    }
}
