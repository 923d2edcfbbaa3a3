package io.ringmaster.workers.train;

import io.ringmaster.workers.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * How one worker computes gradients and applies updates to a NeuMF network, as separate steps so the
 * gang can average it in between ({@link GradientExchange}):
 * {@code computeGradient → exchange(gradient()) → applyUpdate}.
 */
public interface TrainingEngine extends AutoCloseable {

    /** Engine name as in the job file. */
    String name();

    /**
     * Computes the gradient of the mean loss over examples {@code [from, from+n)} into
     * {@link #gradient()} and returns that mean loss.
     */
    double computeGradient(int[] users, int[] items, float[] labels, int from, int n);

    /**
     * The gradient of the last {@link #computeGradient}: a dense block plus the touched rows of each
     * embedding table (a dense block only for an engine that keeps no tables apart); may be rewritten
     * before {@link #applyUpdate}.
     */
    Gradient gradient();

    /** Applies one optimiser step with the current {@link #gradient()}. */
    void applyUpdate();

    /** Predicted probabilities for {@code n} (user, item) pairs. */
    void predict(int[] users, int[] items, int n, float[] out);

    /**
     * Ranking scores (output logits) for {@code n} pairs: ordered as the probabilities, but without
     * their float saturation at 1, which would turn confident predictions into ties.
     */
    void scores(int[] users, int[] items, int n, float[] out);

    /** Updates applied so far. */
    long step();

    /** The network as a DL4J graph with the current parameters and optimiser state. */
    ComputationGraph toGraph();

    @Override
    void close();

    /**
     * Called before each epoch with its zero-based index, for engines whose arithmetic depends on it
     * (DL4J's updater keeps an epoch count); nothing by default.
     */
    default void startEpoch(int epoch) {
    }
}
