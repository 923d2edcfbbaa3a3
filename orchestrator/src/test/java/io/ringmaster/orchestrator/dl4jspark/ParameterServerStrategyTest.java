package io.ringmaster.orchestrator.dl4jspark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DL4J's SharedTrainingMaster as strategy parameter-server, on local Spark with two workers. Opt-in
 * ({@code mvn -Pparameter-server test -pl orchestrator}): it hangs now and then, which the watchdog turns
 * into a failed attempt that the job's retry relaunches from the newest checkpoint.
 */
@Tag("parameter-server")
class ParameterServerStrategyTest {

    @TempDir
    static Path dir;
    static StrategyRuns runs;

    @BeforeAll
    static void dataset() throws Exception {
        runs = new StrategyRuns(dir);
    }

    @Test
    void trainsOneEpochWithTwoWorkersAndItsLossFalls() throws Exception {
        Set<String> aeronBefore = aeronDirs();
        JsonNode s = runs.train("ps-one", "parameter-server", 2, 1, "parameter-server.stall-timeout=60");
        assertEquals("parameter-server", s.get("strategy").asText());
        double before = runs.loss(runs.initial());
        double after = runs.loss(runs.trained("ps-one"));
        System.out.printf("parameter-server: loss on the fixed set %.4f -> %.4f%n%s%n", before, after,
                s.get("console").asText());
        assertTrue(after < StrategyRuns.PRIOR_LOSS, "loss " + before + " -> " + after + "\n"
                + s.get("console").asText());
        assertNoAeronFolderLeft(aeronBefore);
        assertNoTransportThreadLeft();
    }

    @Test
    void aHungWorkerIsStoppedByTheWatchdogAndTheJobContinuesFromItsEpochCheckpoint() throws Exception {
        JsonNode s = runs.train("ps-hang", "parameter-server", 2, 2, "parameter-server.stall-timeout=30",
                "fault.kill-rank=1", "fault.at-step=" + (StrategyRuns.STEPS_PER_EPOCH + 5));
        String console = s.get("console").asText();
        assertTrue(console.contains("attempt 1 of 3 failed: strategy parameter-server, epoch 2 made no progress for"
                + " 30 s"), console);
        assertEquals(2, s.get("attempts").asInt(), console);
        assertEquals(StrategyRuns.STEPS_PER_EPOCH, s.get("resumedFromStep").asLong(), console);
        assertTrue(console.contains("epoch   2  loss"), console);
        assertNoTransportThreadLeft();
    }

    @Test
    void onExecutorJvmsAHungWorkersAttemptIsRelaunchedInAFreshSparkApplication() throws Exception {
        Set<String> aeronBefore = aeronDirs();
        JsonNode s = runs.trainOnTwoExecutorJvms("ps-cluster-hang", "parameter-server", 2,
                "parameter-server.stall-timeout=30", "fault.kill-rank=1",
                "fault.at-step=" + (StrategyRuns.STEPS_PER_EPOCH + 5));
        String console = s.get("console").asText();
        assertTrue(console.contains("attempt 1 of 3 failed: strategy parameter-server, epoch 2 made no progress for"
                + " 30 s"), console);
        assertTrue(console.contains("restarting the Spark application, so the next attempt gets executor JVMs"
                + " without the last attempt's DL4J parameter-server client"), console);
        assertEquals(2, s.get("attempts").asInt(), console);
        assertEquals(StrategyRuns.STEPS_PER_EPOCH, s.get("resumedFromStep").asLong(), console);
        assertTrue(console.contains("epoch   2  loss"), console);
        assertNoAeronFolderLeft(aeronBefore);
    }

    /** Every JVM's Aeron media driver deleted its /dev/shm folder (executor JVMs get 20 s to exit). */
    private static void assertNoAeronFolderLeft(Set<String> before) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        Set<String> left;
        do {
            Thread.sleep(200);
            left = aeronDirs();
            left.removeAll(before);
        } while (!left.isEmpty() && System.nanoTime() < deadline);
        assertEquals(Set.of(), left, "Aeron folders left in /dev/shm");
    }

    /**
     * The driver's Aeron transport is shut down, and its subscription poller and heartbeat (DL4J leaves
     * both running) ended.
     */
    private static void assertNoTransportThreadLeft() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!ParameterServerSingletons.leftoverThreads().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(List.of(), ParameterServerSingletons.leftoverThreads().stream().map(Thread::getName).toList());
    }

    @Test
    void twoExecutorJvmsOnOneHostEachBindTheirOwnPortAndShareUpdates() throws Exception {
        Set<String> aeronBefore = aeronDirs();
        JsonNode s = runs.trainOnTwoExecutorJvms("ps-cluster", "parameter-server", 1,
                "parameter-server.stall-timeout=60");
        String console = s.get("console").asText();
        double after = runs.loss(runs.trained("ps-cluster"));
        System.out.printf("parameter-server on two executor JVMs: loss on the fixed set %.4f -> %.4f%n%s%n",
                runs.loss(runs.initial()), after, console);
        assertTrue(console.contains("on Spark local-cluster[2,1,1536]"), console);
        // each executor JVM bound its own port of the range on its own address (DL4J's StaticPortSupplier
        // would have given all three 49876)
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("parameter-server: master 127\\.0\\.0\\.1:(\\d+),"
                + " workers 127\\.0\\.0\\.1:(\\d+) \\(executor 0\\), 127\\.0\\.0\\.1:(\\d+) \\(executor 1\\)")
                .matcher(console);
        assertTrue(m.find(), console);
        Set<Integer> ports = Set.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)));
        assertEquals(3, ports.size(), console);
        assertTrue(ports.stream().allMatch(p -> p >= 40100 && p <= 40199), console);
        // a single epoch of threshold-encoded sharing between two JVMs learns more slowly than one trainer
        assertTrue(after < runs.loss(runs.initial()) - 0.05, "loss " + after + "\n" + console);
        assertNoAeronFolderLeft(aeronBefore);
    }

    @Test
    void resumesFromItsCheckpointedNetwork() throws Exception {
        JsonNode first = runs.train("ps-resume", "parameter-server", 2, 1, "parameter-server.stall-timeout=60");
        JsonNode resumed = runs.train("ps-resume", "parameter-server", 2, 2, "parameter-server.stall-timeout=60");
        assertEquals(first.get("steps").asLong(), resumed.get("resumedFromStep").asLong(),
                resumed.get("console").asText());
        assertTrue(runs.loss(runs.trained("ps-resume")) < runs.loss(runs.initial()));
    }

    private static Set<String> aeronDirs() {
        File[] f = new File("/dev/shm").listFiles((d, n) -> n.startsWith("aeron"));
        return f == null ? new java.util.HashSet<>() : Stream.of(f).map(File::getName)
                .collect(Collectors.toCollection(java.util.HashSet::new));
    }
}
