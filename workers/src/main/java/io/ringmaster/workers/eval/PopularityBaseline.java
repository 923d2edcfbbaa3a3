package io.ringmaster.workers.eval;

/**
 * The most-popular baseline: every user gets the same ranking, by number of training interactions
 * per item.
 */
public final class PopularityBaseline implements Scorer {

    private final float[] counts;

    public PopularityBaseline(int numItems, int[] trainItems) {
        counts = new float[numItems];
        for (int it : trainItems) {
            counts[it]++;
        }
    }

    @Override
    public void score(int[] users, int[] items, int n, float[] out) {
        for (int i = 0; i < n; i++) {
            out[i] = counts[items[i]];
        }
    }
}
