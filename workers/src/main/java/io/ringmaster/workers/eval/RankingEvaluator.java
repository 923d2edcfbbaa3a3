package io.ringmaster.workers.eval;

import io.ringmaster.data.TestSplit;

/**
 * The NCF leave-one-out protocol: each test user's held-out item is scored together with its sampled
 * negatives, and HR@K, NDCG@K and MAP@K are averaged over users. The candidate lists are built once;
 * one evaluation is one batched scoring pass.
 */
public final class RankingEvaluator implements Evaluator {

    /** The figures it gives: hit ratio, NDCG and MAP at K. */
    public static final java.util.List<String> METRICS = java.util.List.of("hr", "ndcg", "map");

    private final TestSplit test;
    private final int k;
    private final int fromRow;
    private final int toRow;
    private final int[] users;
    private final int[] items;
    private final float[] scores;

    public RankingEvaluator(TestSplit test, int k) {
        this(test, k, 0, test.size());
        if (test.size() == 0) {
            throw new IllegalArgumentException("the dataset has no test users to evaluate");
        }
    }

    /**
     * Evaluates test rows {@code [fromRow, toRow)} only: rank r of N takes {@link #slice} r, and the
     * ranks combine their {@link Metrics#users()}-weighted means.
     */
    public RankingEvaluator(TestSplit test, int k, int fromRow, int toRow) {
        if (k < 1) {
            throw new IllegalArgumentException("eval.k must be >= 1, got " + k);
        }
        if (fromRow < 0 || toRow < fromRow || toRow > test.size()) {
            throw new IllegalArgumentException("test rows [" + fromRow + ", " + toRow + ") outside " + test.size());
        }
        this.test = test;
        this.k = k;
        this.fromRow = fromRow;
        this.toRow = toRow;
        int n = (toRow - fromRow) + test.negOffsets()[toRow] - test.negOffsets()[fromRow];
        users = new int[n];
        items = new int[n];
        scores = new float[n];
        int at = 0;
        for (int r = fromRow; r < toRow; r++) {
            users[at] = test.users()[r];
            items[at] = test.items()[r];
            at++;
            for (int j = test.negOffsets()[r]; j < test.negOffsets()[r + 1]; j++) {
                users[at] = test.users()[r];
                items[at] = test.negItems()[j];
                at++;
            }
        }
    }

    /** The evaluator for rank {@code rank} of a gang of {@code size}: a contiguous share of the test users. */
    public static RankingEvaluator slice(TestSplit test, int k, int rank, int size) {
        long t = test.size();
        return new RankingEvaluator(test, k, (int) (t * rank / size), (int) (t * (rank + 1) / size));
    }

    @Override
    public int k() {
        return k;
    }

    @Override
    public java.util.List<String> metricNames() {
        return METRICS;
    }

    @Override
    public Metrics evaluate(Scorer scorer) {
        if (toRow == fromRow) {
            return new Metrics(k, METRICS, new double[3], 0);
        }
        scorer.score(users, items, users.length, scores);
        double hr = 0;
        double ndcg = 0;
        double map = 0;
        int at = 0;
        for (int r = fromRow; r < toRow; r++) {
            int negs = test.negativesOf(r);
            int rank = RankingMetrics.rank(scores[at], scores, at + 1, at + 1 + negs);
            hr += RankingMetrics.hit(rank, k);
            ndcg += RankingMetrics.ndcg(rank, k);
            map += RankingMetrics.averagePrecision(rank, k);
            at += 1 + negs;
        }
        int n = toRow - fromRow;
        return new Metrics(k, METRICS, new double[] {hr / n, ndcg / n, map / n}, n);
    }
}
