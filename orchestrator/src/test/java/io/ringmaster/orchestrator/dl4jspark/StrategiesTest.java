package io.ringmaster.orchestrator.dl4jspark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringmaster.data.Storage;
import io.ringmaster.orchestrator.score.BundleEvaluation;
import io.ringmaster.orchestrator.score.Exporter;
import io.ringmaster.workers.export.ModelBundle;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ring and DL4J's parameter averaging train the same model from the same loader on local Spark with
 * two workers; the parameter server's start-up checks fail fast. (The parameter server's own training
 * test is {@link ParameterServerStrategyTest}, opt-in.)
 */
class StrategiesTest {

    @TempDir
    static Path dir;
    static StrategyRuns runs;

    @BeforeAll
    static void dataset() throws Exception {
        runs = new StrategyRuns(dir);
    }

    /** A local[2] session that, closed, leaves this thread no active or default session for later tests. */
    private static AutoCloseableSpark localSpark(String name) {
        return new AutoCloseableSpark(org.apache.spark.sql.SparkSession.builder().master("local[2]").appName(name)
                .config("spark.ui.enabled", "false").getOrCreate());
    }

    private record AutoCloseableSpark(org.apache.spark.sql.SparkSession session) implements AutoCloseable {

        org.apache.spark.SparkContext sparkContext() {
            return session.sparkContext();
        }

        @Override
        public void close() {
            session.stop();
            org.apache.spark.sql.SparkSession.clearActiveSession();
            org.apache.spark.sql.SparkSession.clearDefaultSession();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"allreduce", "averaging"})
    void eachStrategyTrainsOneEpochWithTwoWorkersAndItsLossFalls(String strategy) throws Exception {
        JsonNode s = runs.train("one-" + strategy, strategy, 2, 1);
        assertEquals(strategy, s.get("strategy").asText());
        assertEquals(2, s.get("workers").asInt());
        double before = runs.loss(runs.initial());
        double after = runs.loss(runs.trained("one-" + strategy));
        System.out.printf("%s: loss on the fixed set %.4f -> %.4f%n%s%n", strategy, before, after,
                s.get("console").asText());
        assertTrue(before > 0.69 && after < StrategyRuns.PRIOR_LOSS, strategy + ": loss " + before + " -> " + after);
        assertTrue(Double.isFinite(s.get("finalLoss").asDouble()) && s.get("finalLoss").asDouble() < 0.7,
                s.toString());
        assertTrue(s.get("bestHr").asDouble() > 0, s.toString());
        String metrics = Files.readString(dir.resolve("runs").resolve("one-" + strategy).resolve("metrics.jsonl"));
        assertTrue(metrics.contains("\"event\":\"epoch\"") && metrics.contains("\"event\":\"checkpoint\""), metrics);
    }

    @Test
    void averagingResumesFromItsCheckpointedNetwork() throws Exception {
        JsonNode first = runs.train("avg-resume", "averaging", 2, 1);
        JsonNode resumed = runs.train("avg-resume", "averaging", 2, 2);
        assertTrue(resumed.get("console").asText().contains("continuing from checkpoint step "
                + first.get("steps").asLong()), resumed.get("console").asText());
        assertEquals(first.get("steps").asLong(), resumed.get("resumedFromStep").asLong());
        assertTrue(resumed.get("steps").asLong() > first.get("steps").asLong());
        assertTrue(runs.loss(runs.trained("avg-resume")) < runs.loss(runs.initial()));

        // the network it saved exports and batch-scores like the ring's: HR@10 from Spark scoring output
        // equals what training recorded for that checkpoint
        String bundle = dir.resolve("avg-bundle").toString();
        Exporter.export(Storage.configuration(), dir.resolve("runs").resolve("avg-resume").toString(), null, bundle);
        try (var spark = localSpark("avg-score")) {
            double hr = BundleEvaluation.run(spark.session(), bundle, runs.data, 10, java.util.Map.of()).hr();
            java.util.Map<?, ?> recorded = (java.util.Map<?, ?>) ModelBundle.load(Storage.configuration(), bundle)
                    .provenance().get("metricsAtExport");
            assertEquals(((Number) recorded.get("hr")).doubleValue(), hr, 1e-12, "HR@10 from score output");
        }
    }

    @Test
    void aHungWorkerIsStoppedByTheWatchdogAndTheJobContinuesFromItsEpochCheckpoint() throws Exception {
        // rank 1's batches stop coming at step 5 of epoch 2 (StrategyRuns' data: 165 steps per epoch)
        JsonNode s = runs.train("avg-hang", "averaging", 2, 2, "averaging.stall-timeout=30", "fault.kill-rank=1",
                "fault.at-step=" + (StrategyRuns.STEPS_PER_EPOCH + 5));
        String console = s.get("console").asText();
        assertTrue(console.contains("attempt 1 of 3 failed: strategy averaging, epoch 2 made no progress for 30 s"),
                console);
        assertTrue(console.contains("continuing from checkpoint step " + StrategyRuns.STEPS_PER_EPOCH), console);
        assertEquals(2, s.get("attempts").asInt(), console);
        assertEquals(StrategyRuns.STEPS_PER_EPOCH, s.get("resumedFromStep").asLong(), console);
        assertTrue(console.contains("epoch   2  loss"), console);
    }

    @Test
    void theParameterServerFailsFastWhenItsPortIsTaken() throws Exception {
        try (DatagramSocket held = new DatagramSocket(new InetSocketAddress(0))) {
            int port = held.getLocalPort();
            Exception e = assertThrows(ParameterServerException.class, () -> runs.train("ps-port", "parameter-server",
                    2,
                    1, "parameter-server.ports=" + port));
            assertEquals("parameter-server: UDP port " + port + " is taken on "
                    + InetAddress.getLocalHost().getHostName()
                    + " (job key parameter-server.ports): stop what holds it or give a wider range", e.getMessage());
        }
    }

    @Test
    void aWorkerThatCannotReachTheMasterFailsFastNamingIt() throws Exception {
        // a master address that swallows datagrams and never answers
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             var spark = localSpark("probe")) {
            var jsc = org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext());
            Exception e = assertThrows(ParameterServerException.class, () -> MasterReachability.requireReachable(jsc,
                    "127.0.0.1", silent.getLocalPort(), 2, 2));
            assertTrue(e.getMessage().startsWith("parameter-server: executor driver on "), e.getMessage());
            assertTrue(e.getMessage().contains("cannot reach the master at 127.0.0.1:" + silent.getLocalPort()
                    + " (UDP, no answer within 2 s)"), e.getMessage());
        }
    }

    @Test
    void theWatchdogStopsAnEpochThatMakesNoProgressInsteadOfHanging() throws Exception {
        try (var spark = localSpark("watchdog")) {
            var jsc = org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext());
            TrainingProgress progress = new TrainingProgress(-1, java.util.Set.of());
            spark.sparkContext().addSparkListener(progress);
            long t0 = System.nanoTime();
            TrainingStalledException e = assertThrows(TrainingStalledException.class, () -> Watchdog.run(jsc,
                    "stall-test", "a stalled epoch", "strategy parameter-server, epoch 3", progress, 2, () -> {
                        jsc.parallelize(java.util.List.of(1, 2), 2).foreach(x -> Thread.sleep(120_000));
                        return null;
                    }));
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals("strategy parameter-server, epoch 3 made no progress for 2 s (0 iterations reported before"
                    + " that); its Spark jobs were cancelled", e.getMessage());
            assertTrue(seconds < 30, "stopped after " + seconds + " s");
            // the cancelled tasks gave their slots back
            assertEquals(2, jsc.parallelize(java.util.List.of(1, 2), 2).count());
            spark.sparkContext().removeSparkListener(progress);
        }
    }

    @Test
    void theMasterAnswersWorkersThatCanReachIt() throws Exception {
        try (var spark = localSpark("probe")) {
            var jsc = org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext());
            int port;
            try (DatagramSocket free = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                port = free.getLocalPort();
            }
            MasterReachability.check(jsc, "127.0.0.1", port, 2, 10);
        }
    }
}
