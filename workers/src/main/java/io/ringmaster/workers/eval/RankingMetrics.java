package io.ringmaster.workers.eval;

/**
 * Top-K metrics for one held-out item ranked among sampled negatives (the NCF protocol). Ties count
 * against the held-out item: its rank is 1 + the number of negatives scoring at least as high, so
 * a constant scorer earns nothing. A NaN score (a diverged model) ranks below everything.
 */
public final class RankingMetrics {

    private RankingMetrics() {
    }

    /** 1-based rank of {@code positive} among {@code negatives[from, to)}. */
    public static int rank(float positive, float[] negatives, int from, int to) {
        if (Float.isNaN(positive)) {
            return to - from + 1;
        }
        int rank = 1;
        for (int i = from; i < to; i++) {
            if (!(negatives[i] < positive)) { // NaN negatives count as ranking above
                rank++;
            }
        }
        return rank;
    }

    /** Hit ratio: 1 when the item is in the top K. */
    public static double hit(int rank, int k) {
        return rank <= k ? 1.0 : 0.0;
    }

    /** NDCG with one relevant item: 1/log2(rank+1) inside the top K. */
    public static double ndcg(int rank, int k) {
        return rank <= k ? 1.0 / (Math.log(rank + 1) / Math.log(2)) : 0.0;
    }

    /** Average precision at K with one relevant item: 1/rank inside the top K. */
    public static double averagePrecision(int rank, int k) {
        return rank <= k ? 1.0 / rank : 0.0;
    }
}
