package io.ringmaster.workers.eval;

import io.ringmaster.data.TestSplit;

/**
 * The NCF leave-one-out protocol: each test user's held-out item is scored together with its sampled
 * negatives, and HR@K, NDCG@K and MAP@K are averaged over users. The candidate lists are built once;
 * one evaluation is one batched scoring pass.
 */
public final class NcfEvaluator {

    private final TestSplit test;
    private final int k;
    private final int[] users;
    private final int[] items;
    private final float[] scores;

    public NcfEvaluator(TestSplit test, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("eval.k must be >= 1, got " + k);
        }
        if (test.size() == 0) {
            throw new IllegalArgumentException("the dataset has no test users to evaluate");
        }
        this.test = test;
        this.k = k;
        int n = test.size() + test.negItems().length;
        users = new int[n];
        items = new int[n];
        scores = new float[n];
        int at = 0;
        for (int r = 0; r < test.size(); r++) {
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

    public int k() {
        return k;
    }

    public EvalResult evaluate(Scorer scorer) {
        scorer.score(users, items, users.length, scores);
        double hr = 0;
        double ndcg = 0;
        double map = 0;
        int at = 0;
        for (int r = 0; r < test.size(); r++) {
            int negs = test.negativesOf(r);
            int rank = RankingMetrics.rank(scores[at], scores, at + 1, at + 1 + negs);
            hr += RankingMetrics.hit(rank, k);
            ndcg += RankingMetrics.ndcg(rank, k);
            map += RankingMetrics.averagePrecision(rank, k);
            at += 1 + negs;
        }
        int n = test.size();
        return new EvalResult(k, hr / n, ndcg / n, map / n, n);
    }
}
