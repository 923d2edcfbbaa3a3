package io.ringmaster.orchestrator.score;

import io.ringmaster.data.Dataset;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.data.TestSplit;
import io.ringmaster.workers.eval.RankingMetrics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code ringmaster evaluate}: the NCF protocol computed from batch-scoring output. Each test user's
 * held-out item and sampled negatives (raw ids) go through {@link ScoreJob#score}; HR/NDCG@K come from
 * the scored rows' logits with the training evaluation's tie rule, so for the same checkpoint they
 * equal what training reported.
 */
public final class BundleEvaluation {

    public record Result(int k, double hr, double ndcg, int users) {
    }

    private BundleEvaluation() {
    }

    public static Result run(SparkSession spark, String bundleUri, String dataUri, int k, Map<String, String> hadoop)
            throws IOException {
        Dataset ds = DatasetStore.read(Storage.configuration(hadoop), dataUri);
        TestSplit test = ds.test();
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < test.size(); r++) {
            long user = ds.userIds().rawId(test.users()[r]);
            rows.add(RowFactory.create(user, ds.itemIds().rawId(test.items()[r]), r, true));
            for (int j = test.negOffsets()[r]; j < test.negOffsets()[r + 1]; j++) {
                rows.add(RowFactory.create(user, ds.itemIds().rawId(test.negItems()[j]), r, false));
            }
        }
        StructType schema = new StructType().add("user", DataTypes.LongType).add("item", DataTypes.LongType)
                .add("case", DataTypes.IntegerType).add("held_out", DataTypes.BooleanType);
        ScoreJob.Scored scored = ScoreJob.score(spark, bundleUri, spark.createDataFrame(rows, schema),
                UnknownIdPolicy.SKIP, hadoop);
        Map<Integer, Float> positive = new HashMap<>();
        Map<Integer, List<Float>> negatives = new HashMap<>();
        for (Row row : scored.rows().select("case", "held_out", "logit").collectAsList()) {
            if (row.getBoolean(1)) {
                positive.put(row.getInt(0), row.getFloat(2));
            } else {
                negatives.computeIfAbsent(row.getInt(0), x -> new ArrayList<>()).add(row.getFloat(2));
            }
        }
        double hr = 0;
        double ndcg = 0;
        for (Map.Entry<Integer, Float> e : positive.entrySet()) {
            List<Float> neg = negatives.getOrDefault(e.getKey(), List.of());
            float[] n = new float[neg.size()];
            for (int i = 0; i < n.length; i++) {
                n[i] = neg.get(i);
            }
            int rank = RankingMetrics.rank(e.getValue(), n, 0, n.length);
            hr += RankingMetrics.hit(rank, k);
            ndcg += RankingMetrics.ndcg(rank, k);
        }
        int users = positive.size();
        return new Result(k, hr / users, ndcg / users, users);
    }
}
