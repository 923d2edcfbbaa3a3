package io.ringmaster.orchestrator.families;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringmaster.data.Dataset;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.data.SyntheticDataset;
import io.ringmaster.orchestrator.job.JobConfig;
import io.ringmaster.orchestrator.job.JobConfigException;
import io.ringmaster.orchestrator.run.FamilyJob;
import io.ringmaster.orchestrator.run.TrainJob;
import io.ringmaster.workers.eval.Metrics;
import io.ringmaster.workers.eval.RankingEvaluator;
import io.ringmaster.workers.model.FactorModel;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Spark MLlib families (issue 20): ALS, item2vec and SVD each train through `train` on generated data,
 * beat most-popular, and leave a run directory like NeuMF's whose saved factors score as the model did;
 * settings that cannot work are refused naming the key.
 */
class SparkFamiliesTest {

    @TempDir
    static Path dir;
    private static String data;

    @BeforeAll
    static void dataset() throws Exception {
        // power-law popularity with per-user taste: what a recommender must beat most-popular on
        SyntheticDataset.Result r = SyntheticDataset.generate(new SyntheticDataset.Params(400, 150, 25, 8, 0.8, 2.5,
                5, 40));
        data = dir.resolve("data").toString();
        DatasetStore.write(Storage.configuration(), data, r.dataset(), r.source(), r.split(), false);
    }

    private static JobConfig job(String type, String runId, String... more) {
        List<String> o = new ArrayList<>(List.of(JobConfig.override("data", data), "model.type=" + type,
                JobConfig.override("run.dir", dir.resolve("runs").toString()), "run.id=" + runId));
        o.addAll(List.of(more));
        return JobConfig.parse("", "test", o);
    }

    @ParameterizedTest
    @ValueSource(strings = {"als", "item2vec", "svd"})
    void eachFamilyTrainsBeatsMostPopularAndItsSavedFactorsScoreTheSame(String type) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        String[] settings = switch (type) {
            case "als" -> new String[] {"als.rank=8", "als.iterations=8"};
            case "item2vec" -> new String[] {"item2vec.vector-size=16", "item2vec.window=20",
                "item2vec.iterations=5", "item2vec.partitions=5"};
            default -> new String[] {"svd.k=8"};
        };
        TrainJob.Outcome o = TrainJob.run(job(type, type, settings), new PrintStream(buf, true,
                StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains(type + ": "), out);
        double hr = o.summary().best("hr");
        assertTrue(hr > o.baseline().get("hr"), type + " HR@10 " + hr + " vs most-popular " + o.baseline().get("hr")
                + "\n" + out);

        Path run = dir.resolve("runs").resolve(type);
        JsonNode summary = new ObjectMapper().readTree(run.resolve("summary.json").toFile());
        assertEquals(type, summary.get("modelType").asText());
        assertEquals(hr, summary.get("bestHr").asDouble(), 1e-12);
        List<String> records = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertEquals(List.of("start", "baseline", "epoch", "done"), records.stream().map(l -> {
            try {
                return new ObjectMapper().readTree(l).get("event").asText();
            } catch (Exception e) {
                throw new AssertionError(l, e);
            }
        }).toList());
        // the saved factors score the test candidates exactly as the fitted model did
        FactorModel saved;
        try (InputStream in = Files.newInputStream(run.resolve(FamilyJob.MODEL_FILE))) {
            saved = FactorModel.read(in, FamilyJob.MODEL_FILE);
        }
        Dataset ds = DatasetStore.read(Storage.configuration(), data);
        Metrics again = new RankingEvaluator(ds.test(), 10).evaluate(saved);
        assertEquals(o.summary().best().get("hr"), again.get("hr"), 0.0);
        assertEquals(o.summary().best().get("map"), again.get("map"), 0.0);
        assertEquals(type, saved.type());

        // exported as a bundle, it scores every test candidate as the fitted model did
        String bundle = dir.resolve(type + "-bundle").toString();
        io.ringmaster.orchestrator.score.Exporter.export(Storage.configuration(), run.toString(), null, bundle);
        io.ringmaster.workers.export.ModelBundle b = io.ringmaster.workers.export.ModelBundle.load(
                Storage.configuration(), bundle);
        assertEquals(type, b.type());
        int n = ds.test().size();
        float[] fromBundle = new float[n];
        float[] fromModel = new float[n];
        try (io.ringmaster.workers.export.BundleScorer s = b.newScorer()) {
            s.logits(ds.test().users(), ds.test().items(), n, fromBundle);
        }
        saved.score(ds.test().users(), ds.test().items(), n, fromModel);
        assertTrue(java.util.Arrays.equals(fromModel, fromBundle), type + ": bundle scores differ");
    }

    @Test
    void fullCatalogueMapAsASparkJobEqualsAPlainLoop() throws Exception {
        Dataset ds = DatasetStore.read(Storage.configuration(), data);
        io.ringmaster.orchestrator.score.ModelSource popular = io.ringmaster.orchestrator.score.ModelSource
                .mostPopular(ds);
        org.apache.spark.sql.SparkSession spark = io.ringmaster.orchestrator.spark.SparkSessions.create("local[2]",
                "full-map-test", java.util.Map.of());
        double job;
        try {
            job = io.ringmaster.orchestrator.score.FullCatalogueMap.compute(spark, popular, ds, 10, 3);
        } finally {
            spark.stop();
        }
        // by hand: rank the held-out item among the items the user did not train on, ties against it
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (int j = 0; j < ds.train().size(); j++) {
            seen.add((long) ds.train().users()[j] * ds.numItems() + ds.train().items()[j]);
        }
        float[] counts = new float[ds.numItems()];
        for (int i : ds.train().items()) {
            counts[i]++;
        }
        double sum = 0;
        for (int r = 0; r < ds.test().size(); r++) {
            int user = ds.test().users()[r];
            int held = ds.test().items()[r];
            int rank = 1;
            for (int i = 0; i < ds.numItems(); i++) {
                if (i != held && !seen.contains((long) user * ds.numItems() + i) && counts[i] >= counts[held]) {
                    rank++;
                }
            }
            sum += rank <= 10 ? 1.0 / rank : 0;
        }
        assertEquals(sum / ds.test().size(), job, 1e-12);
        assertTrue(job > 0, "most-popular hits some held-out items: " + job);
    }

    @Test
    void settingsThatCannotWorkAreRefusedNamingTheKey() {
        // the seed's pitfall: MLlib's Word2Vec requires iterations <= partitions
        JobConfigException w2v = assertThrows(JobConfigException.class, () -> job("item2vec", "x",
                "item2vec.iterations=5", "item2vec.partitions=2").validate());
        assertTrue(w2v.getMessage().contains("'item2vec.iterations' (5) must not exceed 'item2vec.partitions' (2)"),
                w2v.getMessage());
        JobConfigException section = assertThrows(JobConfigException.class, () -> job("neumf", "x", "als.rank=4")
                .validate());
        assertTrue(section.getMessage().contains("'als' settings are for model.type als, but model.type is neumf"),
                section.getMessage());
        JobConfigException rank = assertThrows(JobConfigException.class, () -> job("als", "x", "als.rank=0")
                .validate());
        assertTrue(rank.getMessage().contains("'als.rank' must be >= 1, got 0"), rank.getMessage());
        JobConfigException timeline = assertThrows(JobConfigException.class, () -> job("svd", "x",
                "trace.timeline=true").validate());
        assertTrue(timeline.getMessage().contains("'trace.timeline'"), timeline.getMessage());
        // a k the catalogue cannot give is refused when the data is known, naming svd.k and both sizes
        IllegalArgumentException k = assertThrows(IllegalArgumentException.class, () -> TrainJob.run(job("svd",
                "bigk", "svd.k=150"), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
        assertTrue(k.getMessage().contains("svd.k 150 must be below the catalogue's 150 items"), k.getMessage());
    }
}
