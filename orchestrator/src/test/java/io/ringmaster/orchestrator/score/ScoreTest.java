package io.ringmaster.orchestrator.score;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringmaster.data.Dataset;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.data.SyntheticDataset;
import io.ringmaster.orchestrator.job.JobConfig;
import io.ringmaster.orchestrator.run.TrainJob;
import io.ringmaster.workers.checkpoint.Checkpoint;
import io.ringmaster.workers.checkpoint.CheckpointStore;
import io.ringmaster.workers.export.BundleScorer;
import io.ringmaster.workers.export.ModelBundle;
import io.ringmaster.workers.model.EmbeddingOptimizer;
import io.ringmaster.workers.model.NeuMFSpec;
import io.ringmaster.workers.model.FusedEngine;
import io.ringmaster.workers.model.NeuMF;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Export → bundle → batch scoring in Spark. */
class ScoreTest {

    @TempDir
    static Path dir;
    static String data;
    static String run;
    static String bundleUri;
    static Dataset ds;
    static SparkSession spark;
    static final Configuration CONF = Storage.configuration();

    @BeforeAll
    static void trainAndExport() throws Exception {
        SyntheticDataset.Result r = SyntheticDataset.generate(new SyntheticDataset.Params(200, 150, 20, 8, 0.8, 2.5,
                4, 30));
        data = dir.resolve("data").toString();
        DatasetStore.write(CONF, data, r.dataset(), r.source(), r.split(), false);
        ds = DatasetStore.read(CONF, data);
        TrainJob.run(JobConfig.parse("", "test", List.of(JobConfig.override("data", data), "train.epochs=2",
                JobConfig.override("run.dir", dir.resolve("runs").toString()), "run.id=r", "model.factors=8",
                "model.layers=[32,16,8]")), new PrintStream(new ByteArrayOutputStream()));
        run = dir.resolve("runs/r").toString();
        bundleUri = dir.resolve("bundle").toString();
        Exporter.export(CONF, run, null, bundleUri);
        spark = SparkSession.builder().master("local[2]").appName("score-test").config("spark.ui.enabled", "false")
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
    }

    @Test
    void theBundleScoresExactlyAsTheCheckpointedNetwork() throws Exception {
        ModelBundle b = ModelBundle.load(CONF, bundleUri);
        CheckpointStore store = new CheckpointStore(CONF, run, 3);
        Checkpoint cp = store.newest(new ArrayList<>()).orElseThrow();
        NeuMFSpec spec = b.spec();
        int n = spec.numItems() * 5;
        int[] u = new int[n];
        int[] it = new int[n];
        for (int k = 0; k < n; k++) {
            u[k] = k / spec.numItems() * 7;
            it[k] = k % spec.numItems();
        }
        float[] fromBundle = new float[n];
        float[] fromCheckpoint = new float[n];
        try (BundleScorer s = b.newScorer();
             FusedEngine e = new FusedEngine(NeuMF.restore(store.loadModel(cp)), spec, EmbeddingOptimizer.DEFAULT)) {
            s.logits(u, it, n, fromBundle);
            e.scores(u, it, n, fromCheckpoint);
        }
        assertArrayEquals(fromCheckpoint, fromBundle);
        assertEquals(cp.step(), ((Number) b.provenance().get("checkpointStep")).longValue());
        assertEquals("r", b.provenance().get("runId"));
    }

    @Test
    void aCorruptedOrFutureBundleIsRefused() throws Exception {
        Path copy = dir.resolve("bundle-copy");
        copyDir(Path.of(bundleUri), copy);
        byte[] model = Files.readAllBytes(copy.resolve("model.zip"));
        model[model.length / 3] ^= 1;
        Files.write(copy.resolve("model.zip"), model);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelBundle.load(CONF, copy.toString()));
        assertTrue(e.getMessage().contains("model.zip: SHA-256 does not match"), e.getMessage());

        Path future = dir.resolve("bundle-future");
        copyDir(Path.of(bundleUri), future);
        Files.writeString(future.resolve("manifest.json"),
                Files.readString(future.resolve("manifest.json")).replace("\"formatVersion\" : 1",
                        "\"formatVersion\" : 99"));
        IllegalArgumentException v = assertThrows(IllegalArgumentException.class,
                () -> ModelBundle.load(CONF, future.toString()));
        assertTrue(v.getMessage().contains("bundle format version 99; this build reads version 1"), v.getMessage());
    }

    static void copyDir(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    @Test
    void topKPerUserExcludesSeenItemsAndMatchesABruteForceRanking() throws Exception {
        String out = dir.resolve("top5").toString();
        ScoreJob.Report r = ScoreJob.topK(spark, bundleUri, "all", out, 5, data, UnknownIdPolicy.SKIP, Map.of());
        assertEquals(ds.numUsers() * 5L, r.rows());
        ModelBundle b = BundleCache.get(bundleUri, Map.of());
        Map<Long, List<Row>> byUser = new HashMap<>();
        for (Row row : spark.read().parquet(out).collectAsList()) {
            byUser.computeIfAbsent(row.getLong(row.fieldIndex("user")), x -> new ArrayList<>()).add(row);
        }
        Map<Integer, Set<Integer>> seen = new HashMap<>();
        for (int k = 0; k < ds.train().size(); k++) {
            seen.computeIfAbsent(ds.train().users()[k], x -> new HashSet<>()).add(ds.train().items()[k]);
        }
        try (BundleScorer s = b.newScorer()) {
            for (int u : new int[] {0, 17, 99, 199}) {
                // brute force: every unseen item's logit, sorted
                int n = ds.numItems();
                int[] us = new int[n];
                int[] is = new int[n];
                Arrays.fill(us, u);
                for (int i = 0; i < n; i++) {
                    is[i] = i;
                }
                float[] logits = new float[n];
                s.logits(us, is, n, logits);
                Integer[] order = new Integer[n];
                for (int i = 0; i < n; i++) {
                    order[i] = i;
                }
                Arrays.sort(order, (x, y) -> logits[y] != logits[x] ? Float.compare(logits[y], logits[x]) : x - y);
                List<Long> expected = Arrays.stream(order).filter(i -> !seen.getOrDefault(u, Set.of()).contains(i))
                        .limit(5).map(i -> ds.itemIds().rawId(i)).toList();
                List<Row> rows = byUser.get(ds.userIds().rawId(u));
                rows.sort((x, y) -> Integer.compare(x.getInt(x.fieldIndex("rank")), y.getInt(y.fieldIndex("rank"))));
                assertEquals(expected, rows.stream().map(x -> x.getLong(x.fieldIndex("item"))).toList(), "user " + u);
            }
        }
        assertEquals(1, BundleCache.loads(bundleUri), "the bundle is loaded once per JVM, not per partition");
    }

    @Test
    void unknownIdsAreReportedAndHandledByPolicy() throws Exception {
        long knownUser = ds.userIds().rawId(3);
        long knownItem = ds.itemIds().rawId(5);
        StructType schema = new StructType().add("user", DataTypes.LongType).add("item", DataTypes.LongType)
                .add("tag", DataTypes.StringType);
        List<Row> rows = List.of(RowFactory.create(knownUser, knownItem, "both known"),
                RowFactory.create(999_999L, knownItem, "unknown user"),
                RowFactory.create(knownUser, 888_888L, "unknown item"));
        String pairs = dir.resolve("pairs").toString();
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(pairs);
        ScoreJob.Report skip = ScoreJob.pairs(spark, bundleUri, pairs, dir.resolve("scored-skip").toString(),
                UnknownIdPolicy.SKIP, Map.of());
        assertEquals(1, skip.rows());
        assertEquals(1, skip.unknownUsers());
        assertEquals(List.of(999_999L), skip.unknownUserExamples());
        assertEquals(List.of(888_888L), skip.unknownItemExamples());
        Row scored = spark.read().parquet(dir.resolve("scored-skip").toString()).first();
        assertEquals("both known", scored.getString(scored.fieldIndex("tag")), "input columns are kept");
        float p = scored.getFloat(scored.fieldIndex("score"));
        assertTrue(p > 0 && p < 1, "a probability: " + p);

        String noItem = dir.resolve("pairs-no-item").toString();
        spark.createDataFrame(rows, schema).drop("item").write().parquet(noItem);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> ScoreJob.pairs(spark,
                bundleUri, noItem, dir.resolve("never").toString(), UnknownIdPolicy.SKIP, Map.of()));
        assertTrue(missing.getMessage().contains(noItem + ": no 'item' column"), missing.getMessage());
        IllegalArgumentException policy = assertThrows(IllegalArgumentException.class,
                () -> UnknownIdPolicy.parse("maybe"));
        assertTrue(policy.getMessage().contains("--unknown must be skip or popular, got 'maybe'"), policy.getMessage());

        ScoreJob.Report popular = ScoreJob.pairs(spark, bundleUri, pairs, dir.resolve("scored-pop").toString(),
                UnknownIdPolicy.POPULAR, Map.of());
        assertEquals(2, popular.rows(), "the unknown user is scored by popularity; the unknown item is still skipped");

        String users = dir.resolve("users.csv").toString();
        Files.writeString(Path.of(users), "user\n" + knownUser + "\n424242\n");
        ScoreJob.Report top = ScoreJob.topK(spark, bundleUri, users, dir.resolve("top-pop").toString(), 3, null,
                UnknownIdPolicy.POPULAR, Map.of());
        assertEquals(6, top.rows());
        assertEquals(List.of(424_242L), top.unknownUserExamples());
        ScoreJob.Report topSkip = ScoreJob.topK(spark, bundleUri, users, dir.resolve("top-skip").toString(), 3, null,
                UnknownIdPolicy.SKIP, Map.of());
        assertEquals(3, topSkip.rows());
        // found by hand: --top-k 100000 silently wrote 385 MB; it is capped at the catalogue and says so
        int items = BundleCache.get(bundleUri, Map.of()).items().size();
        ScoreJob.Report huge = ScoreJob.topK(spark, bundleUri, users, dir.resolve("top-huge").toString(), 100_000,
                null, UnknownIdPolicy.SKIP, Map.of());
        assertEquals(items, huge.rows(), "one known user, every item once");
        assertEquals(String.format("--top-k 100,000 is more than the %,d items the model knows: each user gets at most"
                + " %,d", items, items), huge.note());
        assertEquals(null, topSkip.note());
    }

    @Test
    void hitRatioFromScoreOutputEqualsTheOneTrainingReportedForTheCheckpoint() throws Exception {
        // BundleEvaluation scores the test split's candidates through ScoreJob and ranks the output's logits
        double hr = BundleEvaluation.run(spark, bundleUri, data, 10, Map.of()).hr();
        Map<?, ?> metrics = (Map<?, ?>) ModelBundle.load(CONF, bundleUri).provenance().get("metricsAtExport");
        assertEquals(((Number) metrics.get("hr")).doubleValue(), hr, 1e-12, "HR@10 from score output");
        assertTrue(hr > 0);
    }

    @Test
    void theTransformerRunsInAPipelineAndSurvivesSaveAndLoad() throws Exception {
        StructType schema = new StructType().add("customer", DataTypes.IntegerType).add("product", DataTypes.LongType);
        List<Row> rows = new ArrayList<>();
        for (int u = 0; u < 20; u++) {
            rows.add(RowFactory.create((int) ds.userIds().rawId(u), ds.itemIds().rawId((u * 7) % ds.numItems())));
        }
        org.apache.spark.sql.Dataset<Row> df = spark.createDataFrame(rows, schema);
        NeuMFModel model = new NeuMFModel(bundleUri).setUserCol("customer").setItemCol("product");
        org.apache.spark.ml.PipelineModel fitted = new org.apache.spark.ml.Pipeline()
                .setStages(new org.apache.spark.ml.PipelineStage[] {model}).fit(df);
        List<Row> before = fitted.transform(df).orderBy("customer").collectAsList();
        assertEquals(20, before.size());
        assertEquals(List.of("customer", "product", "score", "logit"),
                Arrays.asList(before.get(0).schema().fieldNames()));

        String saved = dir.resolve("pipeline").toString();
        fitted.write().save(saved);
        List<Row> after = org.apache.spark.ml.PipelineModel.load(saved).transform(df).orderBy("customer")
                .collectAsList();
        assertEquals(before, after);
        // the saved pipeline carries its own copy of the bundle
        assertTrue(Files.exists(dir.resolve("pipeline/stages")), "pipeline stages saved");
    }
}
