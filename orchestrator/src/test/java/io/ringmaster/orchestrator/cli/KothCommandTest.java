package io.ringmaster.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.data.SyntheticDataset;
import io.ringmaster.orchestrator.spark.SparkSessions;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The king-of-the-hill path through the CLI (issue 20): holdout, two families trained on the copy and
 * exported, koth routes the users, and `score --koth` gives every user exactly the top K its routed model
 * gives it alone.
 */
class KothCommandTest {

    @TempDir
    Path dir;

    @Test
    void scoreKothEqualsScoringEachUserWithItsRoutedModel() throws Exception {
        SyntheticDataset.Result r = SyntheticDataset.generate(new SyntheticDataset.Params(200, 100, 15, 6, 0.8, 2.5,
                5, 25));
        String raw = dir.resolve("data").toString();
        DatasetStore.write(Storage.configuration(), raw, r.dataset(), r.source(), r.split(), false);
        String data = dir.resolve("held").toString();
        CliRun h = CliRun.of("holdout", "--data", raw, "--out", data);
        assertEquals(0, h.exitCode(), h.toString());
        assertTrue(h.out().contains("validation split: 200 users"), h.toString());
        // a model trained on the dataset without the holdout saw the validation pairs: refused
        CliRun leaky = CliRun.of("train", "--data", raw, "--runs-dir", dir.resolve("runs").toString(), "--run-id",
                "leaky", "--set", "model.type=svd", "--set", "svd.k=4");
        assertEquals(0, leaky.exitCode(), leaky.toString());

        String runs = dir.resolve("runs").toString();
        Map<String, String> bundles = new TreeMap<>();
        for (String type : List.of("als", "svd")) {
            CliRun t = CliRun.of("train", "--data", data, "--runs-dir", runs, "--run-id", type, "--set",
                    "model.type=" + type, "--set", type.equals("als") ? "als.rank=8" : "svd.k=8");
            assertEquals(0, t.exitCode(), t.toString());
            String b = dir.resolve(type + "-bundle").toString();
            assertEquals(0, CliRun.of("export", dir.resolve("runs").resolve(type).toString(), "--out", b).exitCode());
            bundles.put(type, b);
        }
        CliRun refused = CliRun.of("koth", "--data", data, "--models", bundles.get("als") + ","
                + dir.resolve("runs/leaky"), "--out", dir.resolve("nope").toString());
        assertEquals(1, refused.exitCode(), refused.toString());
        assertTrue(refused.err().contains("model leaky was trained on another dataset"), refused.toString());

        String routing = dir.resolve("routing").toString();
        CliRun k = CliRun.of("koth", "--data", data, "--models", bundles.get("als") + "," + bundles.get("svd"),
                "--out", routing);
        assertEquals(0, k.exitCode(), k.toString());
        assertTrue(k.out().contains("king of the hill (routed)"), k.toString());
        assertTrue(k.out().lines().anyMatch(l -> l.matches("routed test MAP@10 0\\.\\d{4} vs the best single model's"
                + " 0\\.\\d{4} \\([+-]\\d+\\.\\d%\\); 0 user\\(s\\) without a validation item go to the best overall"
                + " model")), k.toString());

        CliRun routed = CliRun.of("score", "--koth", routing, "--users", "all", "--top-k", "5", "--exclude-seen",
                data, "--out", dir.resolve("routed").toString());
        assertEquals(0, routed.exitCode(), routed.toString());
        for (String type : bundles.keySet()) {
            CliRun one = CliRun.of("score", "--model", bundles.get(type), "--users", "all", "--top-k", "5",
                    "--exclude-seen", data, "--out", dir.resolve("alone-" + type).toString());
            assertEquals(0, one.exitCode(), one.toString());
        }
        SparkSession spark = SparkSessions.create("local[1]", "koth-check", Map.of());
        try {
            Map<Long, String> routeOf = new HashMap<>();
            for (Row row : spark.read().parquet(routing + "/routing.parquet").collectAsList()) {
                routeOf.put(row.getLong(row.fieldIndex("user")), row.getString(row.fieldIndex("model")));
            }
            Map<String, Map<Long, String>> alone = new HashMap<>();
            for (String type : bundles.keySet()) {
                alone.put(type + "-bundle", lists(spark, dir.resolve("alone-" + type).toString()));
            }
            Map<Long, String> got = lists(spark, dir.resolve("routed").toString());
            assertEquals(200, got.size());
            for (Map.Entry<Long, String> e : got.entrySet()) {
                String model = routeOf.get(e.getKey());
                assertEquals(alone.get(model).get(e.getKey()), e.getValue(), "user " + e.getKey() + " via " + model);
            }

            // the Spark ML side: RoutedModel scores each (user, item) row with the user's model, saved and loaded too
            org.apache.spark.sql.Dataset<Row> recs = spark.read().parquet(dir.resolve("routed").toString())
                    .select("user", "item");
            io.ringmaster.orchestrator.score.RoutedModel transformer = new io.ringmaster.orchestrator.score.RoutedModel(
                    routing);
            String saved = dir.resolve("saved-koth").toString();
            transformer.save(saved);
            io.ringmaster.orchestrator.score.RoutedModel loaded = io.ringmaster.orchestrator.score.RoutedModel.load(
                    saved);
            Map<String, Float> alonePairs = new HashMap<>();
            for (String type : bundles.keySet()) {
                for (Row row : new io.ringmaster.orchestrator.score.NeuMFModel(bundles.get(type)).transform(recs)
                        .collectAsList()) {
                    alonePairs.put(type + "-bundle " + row.getLong(0) + " " + row.getLong(1), row.getFloat(
                            row.fieldIndex("score")));
                }
            }
            for (io.ringmaster.orchestrator.score.RoutedModel t : List.of(transformer, loaded)) {
                List<Row> scored = t.transform(recs).collectAsList();
                assertEquals(recs.count(), scored.size());
                for (Row row : scored) {
                    String model = routeOf.get(row.getLong(0));
                    assertEquals(alonePairs.get(model + " " + row.getLong(0) + " " + row.getLong(1)), row.getFloat(
                            row.fieldIndex("score")), "pair " + row);
                }
            }
        } finally {
            spark.stop();
        }
    }

    /** Each user's top list as "item:score,..." in rank order. */
    private static Map<Long, String> lists(SparkSession spark, String dir) {
        Map<Long, TreeMap<Integer, String>> byUser = new HashMap<>();
        for (Row row : spark.read().parquet(dir).collectAsList()) {
            byUser.computeIfAbsent(row.getLong(row.fieldIndex("user")), u -> new TreeMap<>()).put(
                    row.getInt(row.fieldIndex("rank")), row.getLong(row.fieldIndex("item")) + ":"
                            + row.getFloat(row.fieldIndex("score")));
        }
        Map<Long, String> out = new HashMap<>();
        byUser.forEach((u, ranks) -> out.put(u, String.join(",", ranks.values())));
        return out;
    }
}
