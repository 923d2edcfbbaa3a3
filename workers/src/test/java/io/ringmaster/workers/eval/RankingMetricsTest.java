package io.ringmaster.workers.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringmaster.data.TestSplit;
import org.junit.jupiter.api.Test;

class RankingMetricsTest {

    @Test
    void rankCountsNegativesScoringAtLeastAsHigh() {
        float[] negs = {0.9f, 0.1f, 0.5f, 0.5f};
        assertEquals(1, RankingMetrics.rank(0.95f, negs, 0, 4));
        assertEquals(2, RankingMetrics.rank(0.6f, negs, 0, 4));
        assertEquals(4, RankingMetrics.rank(0.5f, negs, 0, 4), "the held-out item ranks below ties");
        assertEquals(5, RankingMetrics.rank(0.0f, negs, 0, 4));
    }

    @Test
    void handComputedMetrics() {
        assertEquals(1.0, RankingMetrics.hit(10, 10));
        assertEquals(0.0, RankingMetrics.hit(11, 10));
        assertEquals(1.0, RankingMetrics.ndcg(1, 10), 1e-12);
        assertEquals(0.5, RankingMetrics.ndcg(3, 10), 1e-12); // 1/log2(4)
        assertEquals(1 / (Math.log(11) / Math.log(2)), RankingMetrics.ndcg(10, 10), 1e-12);
        assertEquals(0.0, RankingMetrics.ndcg(11, 10));
        assertEquals(0.25, RankingMetrics.averagePrecision(4, 10), 1e-12);
        assertEquals(0.0, RankingMetrics.averagePrecision(4, 3));
    }

    @Test
    void evaluatorAveragesOverUsers() {
        // user 0: held-out item 0 vs negatives 1,2,3 ; user 1: held-out item 4 vs negatives 1,2
        TestSplit split = TestSplit.of(new int[] {0, 1}, new int[] {0, 4}, new int[][] {{1, 2, 3}, {1, 2}});
        // scores by item: the held-out item of user 0 ranks 3rd (items 1 and 2 beat it); user 1's ranks 1st
        float[] byItem = {0.5f, 0.9f, 0.7f, 0.1f, 0.95f};
        Scorer scorer = (users, items, n, out) -> {
            for (int i = 0; i < n; i++) {
                out[i] = byItem[items[i]];
            }
        };
        Metrics r = new RankingEvaluator(split, 2).evaluate(scorer);
        assertEquals(2, r.users());
        assertEquals(0.5, r.get("hr"), 1e-12, "only user 1 is in the top 2");
        assertEquals(0.5, r.get("ndcg"), 1e-12);
        assertEquals(0.5, r.get("map"), 1e-12);
        Metrics at3 = new RankingEvaluator(split, 3).evaluate(scorer);
        assertEquals(1.0, at3.get("hr"), 1e-12);
        assertEquals((0.5 + 1.0) / 2, at3.get("ndcg"), 1e-12);
        assertEquals((1.0 / 3 + 1.0) / 2, at3.get("map"), 1e-12);
    }

    @Test
    void nanScoresRankLast() {
        float[] negs = {0.9f, Float.NaN, 0.1f};
        assertEquals(4, RankingMetrics.rank(Float.NaN, negs, 0, 3));
        assertEquals(3, RankingMetrics.rank(0.5f, negs, 0, 3), "a NaN negative ranks above the held-out item");
        TestSplit split = TestSplit.of(new int[] {0}, new int[] {0}, new int[][] {{1, 2}});
        Metrics r = new RankingEvaluator(split, 2).evaluate((u, it, n, out) -> java.util.Arrays.fill(out, 0, n,
                Float.NaN));
        assertEquals(0.0, r.get("hr"), "a diverged model must not look perfect");
    }

    @Test
    void constantScorerEarnsNothing() {
        TestSplit split = TestSplit.of(new int[] {0}, new int[] {0}, new int[][] {{1, 2}});
        Metrics r = new RankingEvaluator(split, 2).evaluate((u, it, n, out) -> java.util.Arrays.fill(out, 0, n, 1f));
        assertEquals(0.0, r.get("hr"));
    }

    @Test
    void popularityBaselineRanksByTrainingCount() {
        PopularityBaseline pop = new PopularityBaseline(4, new int[] {2, 2, 2, 1, 1, 3});
        float[] out = new float[4];
        pop.score(new int[4], new int[] {0, 1, 2, 3}, 4, out);
        assertEquals(0f, out[0]);
        assertEquals(2f, out[1]);
        assertEquals(3f, out[2]);
        assertEquals(1f, out[3]);
    }
}
