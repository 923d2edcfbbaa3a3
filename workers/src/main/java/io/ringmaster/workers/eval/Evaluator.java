package io.ringmaster.workers.eval;

import java.util.List;

/**
 * How a model is judged after each epoch: it scores candidates through a {@link Scorer} and returns
 * named figures. A gang's ranks each evaluate a share and combine their {@link Metrics#users()}-weighted
 * means, so every figure must be a mean over users.
 */
public interface Evaluator {

    /** The names of the figures {@link #evaluate} returns, in order. */
    List<String> metricNames();

    /** The cut-off the figures are taken at (0 if none). */
    int k();

    Metrics evaluate(Scorer scorer);
}
