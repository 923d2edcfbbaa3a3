package io.ringmaster.workers.train;

import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * How one worker computes gradients and applies updates to a NeuMF network, as separate steps so a
 * {@link Collective} can average it across the gang in between:
 * {@code computeGradient → allReduce(gradient()) → applyUpdate}.
 */
public interface TrainingEngine extends AutoCloseable {

    /** Engine name as in the job file. */
    String name();

    /**
     * Computes the gradient of the mean loss over examples {@code [from, from+n)} into
     * {@link #gradient()} and returns that mean loss.
     */
    double computeGradient(int[] users, int[] items, float[] labels, int from, int n);

    /** The flat gradient of the last {@link #computeGradient}; may be rewritten before {@link #applyUpdate}. */
    float[] gradient();

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
}
