package io.ringmaster.orchestrator.score;

import io.ringmaster.data.Dataset;
import io.ringmaster.workers.eval.Scorer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * MAP@K over the whole catalogue, as the seed's team reported it ("m@pk"): each test user's held-out item
 * is ranked among every item the user did not train on, and AP@K is 1/rank when it is in the top K, else 0
 * (one relevant item); the mean over test users. Ties count against the held-out item. A Spark job over the
 * test users, the model opened once per task.
 */
public final class FullCatalogueMap {

    private FullCatalogueMap() {
    }

    /** The mean AP@K of {@code model} over {@code ds}'s test users, in {@code partitions} tasks. */
    public static double compute(SparkSession spark, ModelSource model, Dataset ds, int k, int partitions) {
        double[] ap = perUser(spark, model, ds, ds.test(), k, partitions);
        return ap.length == 0 ? Double.NaN : java.util.Arrays.stream(ap).sum() / ap.length;
    }

    /**
     * AP@K of {@code model} for each row of {@code split} (a test or validation split of {@code ds}): its item
     * ranked among every item the user did not train on.
     */
    public static double[] perUser(SparkSession spark, ModelSource model, Dataset ds,
                                   io.ringmaster.data.TestSplit split, int k, int partitions) {
        int users = ds.numUsers();
        int items = ds.numItems();
        int[][] seen = new int[users][];
        int[] counts = new int[users];
        for (int u : ds.train().users()) {
            counts[u]++;
        }
        for (int u = 0; u < users; u++) {
            seen[u] = new int[counts[u]];
        }
        int[] at = new int[users];
        for (int j = 0; j < ds.train().size(); j++) {
            int u = ds.train().users()[j];
            seen[u][at[u]++] = ds.train().items()[j];
        }
        int[] testUsers = split.users();
        int[] testItems = split.items();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<int[][]> seenB = jsc.broadcast(seen);
        List<Integer> rows = IntStream.range(0, testUsers.length).boxed().toList();
        List<double[]> found = jsc.parallelize(rows, Math.max(1, partitions)).mapPartitions(it -> {
            Scorer scorer = model.scorer();
            int[][] s = seenB.value();
            int[] u = new int[items];
            int[] all = IntStream.range(0, items).toArray();
            float[] scores = new float[items];
            boolean[] excluded = new boolean[items];
            List<double[]> out = new ArrayList<>();
            while (it.hasNext()) {
                int r = it.next();
                int user = testUsers[r];
                Arrays.fill(u, user);
                scorer.score(u, all, items, scores);
                for (int i : s[user]) {
                    excluded[i] = true;
                }
                float mine = scores[testItems[r]];
                int rank = 1;
                for (int i = 0; i < items && rank <= k; i++) {
                    if (i != testItems[r] && !excluded[i] && scores[i] >= mine) {
                        rank++;
                    }
                }
                for (int i : s[user]) {
                    excluded[i] = false;
                }
                out.add(new double[] {r, rank <= k ? 1.0 / rank : 0});
            }
            return out.iterator();
        }).collect();
        seenB.destroy();
        double[] ap = new double[testUsers.length];
        for (double[] f : found) {
            ap[(int) f[0]] = f[1];
        }
        return ap;
    }
}
