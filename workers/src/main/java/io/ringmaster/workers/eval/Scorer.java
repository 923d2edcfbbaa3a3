package io.ringmaster.workers.eval;

/** Scores (user, item) pairs; higher means more likely to interact. */
@FunctionalInterface
public interface Scorer {

    void score(int[] users, int[] items, int n, float[] out);
}
