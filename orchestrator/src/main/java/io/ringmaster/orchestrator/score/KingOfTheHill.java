package io.ringmaster.orchestrator.score;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ringmaster.data.Dataset;
import io.ringmaster.data.ParquetTable;
import io.ringmaster.data.Storage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * "King of the hill", as the seed's team served its users: every model is scored on each user's validation
 * item (full-catalogue AP@K, Spark jobs), each user is routed to the model with the best AP@K for that user
 * (ties go to the model best overall), and users without a validation item to the best overall model. The
 * routed recommender's test MAP@K is measured beside every model's alone. The validation split must be the
 * dataset's own ({@code ringmaster holdout}) and every model trained on that dataset, so none saw it.
 */
public final class KingOfTheHill {

    /** The routing file in the output directory: user (raw id), model (name), model_index. */
    public static final String ROUTING = "routing.parquet";
    /** The figures and the models' locations. */
    public static final String SUMMARY = "koth.json";

    /** Per model: its validation and test MAP@K and how many users it serves. */
    public record Result(List<ModelSource> models, double[] validationMap, double[] testMap, int best,
                         int[] route, int[] served, int fallbackUsers, double routedTestMap, int k) {
    }

    private KingOfTheHill() {
    }

    /** Scores, routes and measures; refuses a dataset without a validation split, or a model trained elsewhere. */
    public static Result run(SparkSession spark, Dataset ds, String datasetChecksum, List<ModelSource> models, int k,
                             int partitions) {
        if (ds.validation() == null) {
            throw new IllegalArgumentException("dataset " + ds.name() + " has no validation split: make one with"
                    + " `ringmaster holdout --data <dataset> --out <copy>` and train the models on the copy");
        }
        if (models.size() < 2) {
            throw new IllegalArgumentException("king of the hill needs at least two models, got " + models.size());
        }
        for (ModelSource m : models) {
            if (m.datasetChecksum() != null && !m.datasetChecksum().equals(datasetChecksum)) {
                throw new IllegalArgumentException("model " + m.name() + " was trained on another dataset (checksum "
                        + m.datasetChecksum() + ", this one " + datasetChecksum + "): its training may hold the"
                        + " validation pairs; train it on this dataset");
            }
        }
        int n = models.size();
        double[][] validation = new double[n][];
        double[][] test = new double[n][];
        double[] validationMap = new double[n];
        double[] testMap = new double[n];
        for (int m = 0; m < n; m++) {
            validation[m] = FullCatalogueMap.perUser(spark, models.get(m), ds, ds.validation(), k, partitions);
            test[m] = FullCatalogueMap.perUser(spark, models.get(m), ds, ds.test(), k, partitions);
            validationMap[m] = mean(validation[m]);
            testMap[m] = mean(test[m]);
        }
        // the order ties are broken in: best overall on validation first
        Integer[] byOverall = new Integer[n];
        for (int m = 0; m < n; m++) {
            byOverall[m] = m;
        }
        Arrays.sort(byOverall, Comparator.comparingDouble((Integer m) -> -validationMap[m]));
        int best = byOverall[0];
        int[] route = new int[ds.numUsers()];
        Arrays.fill(route, -1);
        for (int r = 0; r < ds.validation().size(); r++) {
            int chosen = byOverall[0];
            for (int m : byOverall) {
                if (validation[m][r] > validation[chosen][r]) {
                    chosen = m;
                }
            }
            route[ds.validation().users()[r]] = chosen;
        }
        int fallback = 0;
        int[] served = new int[n];
        for (int u = 0; u < route.length; u++) {
            if (route[u] < 0) {
                route[u] = best;
                fallback++;
            }
            served[route[u]]++;
        }
        double routed = 0;
        for (int r = 0; r < ds.test().size(); r++) {
            routed += test[route[ds.test().users()[r]]][r];
        }
        return new Result(List.copyOf(models), validationMap, testMap, best, route, served, fallback,
                ds.test().size() == 0 ? Double.NaN : routed / ds.test().size(), k);
    }

    /** Writes {@link #ROUTING} (every user of {@code ds}) and {@link #SUMMARY} into {@code outUri}. */
    public static void write(Configuration conf, Dataset ds, String dataUri, Result r, String outUri)
            throws IOException {
        Path out = Storage.path(outUri);
        FileSystem fs = Storage.fs(out, conf);
        if (fs.exists(out)) {
            throw new IllegalArgumentException(Storage.display(out) + " already exists; choose another --out");
        }
        Storage.mkdirs(fs, out);
        String[] names = new String[ds.numUsers()];
        for (int u = 0; u < names.length; u++) {
            names[u] = r.models().get(r.route()[u]).name();
        }
        ParquetTable.write(conf, new Path(out, ROUTING), "routing", List.of(
                ParquetTable.Column.longs("user", ds.userIds().rawIds()), ParquetTable.Column.strings("model", names),
                ParquetTable.Column.ints("model_index", r.route().clone())));
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("dataset", dataUri);
        s.put("k", r.k());
        List<Map<String, Object>> models = new ArrayList<>();
        for (int m = 0; m < r.models().size(); m++) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", r.models().get(m).name());
            e.put("type", r.models().get(m).type());
            e.put("uri", r.models().get(m).uri());
            e.put("validationMap", r.validationMap()[m]);
            e.put("testMap", r.testMap()[m]);
            e.put("users", r.served()[m]);
            models.add(e);
        }
        s.put("models", models);
        s.put("bestOverall", r.models().get(r.best()).name());
        s.put("fallbackUsers", r.fallbackUsers());
        s.put("routedTestMap", r.routedTestMap());
        Storage.writeBytes(fs, new Path(out, SUMMARY), new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsBytes(s));
    }

    private static double mean(double[] v) {
        return v.length == 0 ? Double.NaN : Arrays.stream(v).sum() / v.length;
    }
}
