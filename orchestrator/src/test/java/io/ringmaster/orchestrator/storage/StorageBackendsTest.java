package io.ringmaster.orchestrator.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.data.SyntheticDataset;
import io.ringmaster.data.loader.Materializer;
import io.ringmaster.orchestrator.job.JobConfig;
import io.ringmaster.orchestrator.run.TrainJob;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same end-to-end job against each real storage back end, started by the test on 127.0.0.1:
 * dataset written there, training Parquet materialized there, a 2-worker gang training one epoch
 * streaming from it with the run directory (job, metrics, checkpoint, summary) there, then the run
 * resumed from that checkpoint for a second epoch.
 */
class StorageBackendsTest {

    static TestStore start(String backend) throws Exception {
        return switch (backend) {
            case "hdfs" -> MiniHdfs.start();
            case "s3" -> S3Proxy.start();
            case "azure" -> Azurite.start();
            default -> throw new IllegalArgumentException(backend);
        };
    }

    /** A 2-worker job on the back end, streaming from {@code train}, with its run directory there. */
    static JobConfig job(TestStore store, String data, String train, int epochs, String runId) {
        List<String> sets = new java.util.ArrayList<>(List.of(
                JobConfig.override("data", data),
                JobConfig.override("loader.data", train),
                "workers=2", "train.epochs=" + epochs, "train.batch-size=100",
                JobConfig.override("run.dir", store.root() + "/runs"), "run.id=" + runId));
        store.hadoop().forEach((k, v) -> sets.add(JobConfig.override("hadoop." + k, v)));
        return JobConfig.parse("", "test", sets);
    }

    @ParameterizedTest
    @ValueSource(strings = {"hdfs", "s3", "azure"})
    void materializeAndTrainTwoWorkersOnTheBackend(String backend) throws Exception {
        try (TestStore store = start(backend)) {
            Configuration conf = Storage.configuration(store.hadoop());
            SyntheticDataset.Result r = SyntheticDataset.generate(new SyntheticDataset.Params(200, 150, 20, 8, 0.8,
                    2.5, 5, 30));
            String data = store.root() + "/datasets/synthetic";
            DatasetStore.write(conf, data, r.dataset(), r.source(), r.split(), false);
            String train = store.root() + "/datasets/synthetic-train";
            Materializer.Result m = Materializer.fromDataset(conf, data, train, new Materializer.Options(1, 2, false),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            assertTrue(m.manifest().rowGroups() >= 2, "row groups: " + m.manifest().rowGroups());

            JobConfig job = job(store, data, train, 1, backend);
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            TrainJob.run(job, new PrintStream(buf, true, StandardCharsets.UTF_8));
            String out = buf.toString(StandardCharsets.UTF_8);
            assertTrue(out.contains("loader: streaming " + train), out);
            assertTrue(out.contains("epoch   1  loss"), out);

            // resume: the same run continues to a second epoch from the checkpoint stored on the back end
            JobConfig more = job(store, data, train, 2, backend);
            ByteArrayOutputStream buf2 = new ByteArrayOutputStream();
            TrainJob.run(more, new PrintStream(buf2, true, StandardCharsets.UTF_8));
            String out2 = buf2.toString(StandardCharsets.UTF_8);
            assertTrue(out2.contains("continuing from checkpoint step "), out2);
            assertTrue(out2.contains("epoch   2  loss") && !out2.contains("epoch   1  loss"), out2);

            FileSystem fs = FileSystem.get(java.net.URI.create(store.root()), conf);
            Path run = new Path(store.root() + "/runs/" + backend);
            org.apache.hadoop.fs.FileStatus[] cps = fs.listStatus(new Path(run, "checkpoints"));
            assertTrue(cps.length == 2, "two checkpoints (epoch 1 and 2) on " + backend);
            for (org.apache.hadoop.fs.FileStatus c : cps) {
                assertTrue(fs.exists(new Path(c.getPath(), "_COMMITTED")), c.getPath().toString());
            }
            // every rank's log, both jobs' attempts in turn
            for (int rank = 0; rank < 2; rank++) {
                try (InputStream in = fs.open(new Path(run, "logs/rank-" + rank + ".log"))) {
                    String log = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    assertEquals(2, log.lines().filter(l -> l.startsWith("=== attempt 1 of the job started ")).count(),
                            log);
                    assertTrue(log.contains("INFO Worker: rank " + rank + " of 2: training"), log);
                }
            }
            // the report reads the run's records from the back end and writes report.html beside them
            io.ringmaster.orchestrator.report.RunReport.write(conf, run.toString());
            try (InputStream in = fs.open(new Path(run, "report.html"))) {
                String page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(page.contains("<h1>Run " + backend + " <span class=\"status finished\">"), page.substring(0,
                        Math.min(page.length(), 2000)));
            }
            try (InputStream in = fs.open(new Path(run, "summary.json"))) {
                JsonNode summary = new ObjectMapper().readTree(in);
                assertEquals(2, summary.get("workers").asInt());
                assertEquals(2, summary.get("epochs").asInt());
                assertTrue(summary.get("resumedFromStep").asLong() > 0, summary.toString());
            }
            try (InputStream in = fs.open(new Path(run, "job.yaml"))) {
                String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                store.hadoop().forEach((k, v) -> {
                    if (JobConfig.isCredential(k)) {
                        assertFalse(yaml.contains(v), "credentials must not be written to job.yaml:\n" + yaml);
                        assertTrue(yaml.contains(k + ": <redacted>"), yaml);
                    }
                });
            }
        }
    }
}
