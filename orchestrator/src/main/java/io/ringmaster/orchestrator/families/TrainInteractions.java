package io.ringmaster.orchestrator.families;

import io.ringmaster.data.Dataset;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** A dataset's training interactions as Spark data, and the per-user views the families start from. */
final class TrainInteractions {

    static final StructType SCHEMA = new StructType().add("user", DataTypes.IntegerType, false)
            .add("item", DataTypes.IntegerType, false).add("rating", DataTypes.FloatType, false);

    private TrainInteractions() {
    }

    /** (user, item, 1.0) per training interaction, in {@code partitions} partitions. */
    static org.apache.spark.sql.Dataset<Row> frame(SparkSession spark, Dataset ds, int partitions) {
        int[] u = ds.train().users();
        int[] i = ds.train().items();
        List<Row> rows = new ArrayList<>(u.length);
        for (int j = 0; j < u.length; j++) {
            rows.add(RowFactory.create(u[j], i[j], 1.0f));
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return spark.createDataFrame(jsc.parallelize(rows, Math.max(1, partitions)), SCHEMA);
    }

    /**
     * Each user's training items in time order (ties in the order the dataset lists them): item indices,
     * one array per user index (empty for a user without training interactions).
     */
    static int[][] sequences(Dataset ds) {
        int users = ds.numUsers();
        int[] u = ds.train().users();
        int[] items = ds.train().items();
        long[] time = ds.train().timestamps();
        Integer[] order = new Integer[u.length];
        for (int j = 0; j < order.length; j++) {
            order[j] = j;
        }
        java.util.Arrays.sort(order, (a, b) -> u[a] != u[b] ? Integer.compare(u[a], u[b])
                : time == null ? Integer.compare(a, b) : time[a] != time[b] ? Long.compare(time[a], time[b])
                : Integer.compare(a, b));
        int[] counts = new int[users];
        for (int x : u) {
            counts[x]++;
        }
        int[][] seq = new int[users][];
        for (int x = 0; x < users; x++) {
            seq[x] = new int[counts[x]];
        }
        int[] at = new int[users];
        for (Integer j : order) {
            seq[u[j]][at[u[j]]++] = items[j];
        }
        return seq;
    }
}
