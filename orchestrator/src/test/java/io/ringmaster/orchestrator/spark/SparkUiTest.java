package io.ringmaster.orchestrator.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.data.SyntheticDataset;
import io.ringmaster.orchestrator.job.JobConfig;
import io.ringmaster.orchestrator.run.TrainJob;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark UI says what runs (issue 19, part 3): a 2-worker ring job's barrier stage is a Spark job whose
 * description names the run, the attempt, the epochs and the gang, and a DL4J strategy's jobs name their
 * epoch, as Spark's REST API ({@code /api/v1/applications/<id>/jobs}) reports them; the gang's stage
 * carries named accumulators of the steps and samples trained.
 */
class SparkUiTest {

    @TempDir
    Path dir;

    @Test
    void theGangsSparkJobNamesTheRunAttemptEpochsAndGang() throws Exception {
        SyntheticDataset.Result r = SyntheticDataset.generate(new SyntheticDataset.Params(100, 80, 15, 8, 0.8, 2.5,
                3, 20));
        String data = dir.resolve("data").toString();
        DatasetStore.write(Storage.configuration(), data, r.dataset(), r.source(), r.split(), false);
        SparkSession spark = SparkSession.builder().master("local[2]").appName("ui-test")
                .config("spark.ui.enabled", "true").config("spark.ui.port", "0")
                .config("spark.ui.showConsoleProgress", "false").getOrCreate();
        try {
            for (String[] job : new String[][] {{"run.id=shown"}, {"run.id=averaged", "strategy=averaging"}}) {
                List<String> sets = new ArrayList<>(List.of(JobConfig.override("data", data), "workers=2",
                        "train.epochs=2", "train.batch-size=200", JobConfig.override("run.dir", dir.resolve("runs")
                                .toString()), "spark.master=local[2]"));
                sets.addAll(List.of(job));
                TrainJob.run(JobConfig.parse("", "test", sets), new PrintStream(new ByteArrayOutputStream(), true,
                        StandardCharsets.UTF_8));
            }
            String url = spark.sparkContext().uiWebUrl().get() + "/api/v1/applications/"
                    + spark.sparkContext().applicationId() + "/jobs";
            JsonNode jobs = new ObjectMapper().readTree(new URL(url));
            List<String> seen = new ArrayList<>();
            for (JsonNode j : jobs) {
                seen.add(j.path("jobGroup").asText() + " | " + j.path("description").asText());
            }
            // the ring trains every epoch in one barrier stage; DL4J's masters run Spark jobs per epoch
            assertTrue(seen.contains("ringmaster-shown | ringmaster train shown attempt 1/3, gang of 2, epochs 1-2"),
                    seen.toString());
            // its stage carries the named accumulators, counted step by step on the executors
            long steps = new ObjectMapper().readTree(dir.resolve("runs/shown/summary.json").toFile()).get("steps")
                    .asLong();
            long samples = 0;
            for (String line : java.nio.file.Files.readAllLines(dir.resolve("runs/shown/metrics.jsonl"))) {
                JsonNode n = new ObjectMapper().readTree(line);
                if (n.path("event").asText().equals("epoch")) {
                    samples += n.get("samples").asLong();
                }
            }
            java.util.Map<String, String> accumulators = new java.util.HashMap<>();
            for (JsonNode stage : new ObjectMapper().readTree(new URL(url.replace("/jobs", "/stages?details=true")))) {
                for (JsonNode a : stage.path("accumulatorUpdates")) {
                    if (a.path("name").asText().startsWith("ringmaster.")) {
                        accumulators.put(a.path("name").asText(), a.path("value").asText());
                    }
                }
            }
            assertTrue(steps > 0 && samples > 0);
            assertEquals(String.valueOf(steps), accumulators.get("ringmaster.steps"), accumulators.toString());
            assertEquals(String.valueOf(samples), accumulators.get("ringmaster.samples"), accumulators.toString());
            for (int epoch = 1; epoch <= 2; epoch++) {
                String shown = "ringmaster train averaged attempt 1/3, gang of 2, epoch " + epoch
                        + "/2, strategy averaging";
                assertTrue(seen.stream().anyMatch(j -> j.endsWith(" | " + shown)), shown + " in " + seen);
            }
        } finally {
            spark.stop();
            SparkSession.clearActiveSession();
            SparkSession.clearDefaultSession();
        }
    }
}
