package io.ringmaster.orchestrator.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.data.SyntheticDataset;
import io.ringmaster.orchestrator.job.JobConfig;
import io.ringmaster.orchestrator.job.JobConfigException;
import io.ringmaster.orchestrator.run.TrainJob;
import io.ringmaster.orchestrator.spark.GangTasks;
import io.ringmaster.orchestrator.spark.GangTraining;
import io.ringmaster.orchestrator.spark.SparkSessions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Studies (issue 21) on local Spark with small generated data: trials run as concurrent gangs as the task slots
 * allow, a failed trial does not stop the study, the timeout cancels running trials through their job groups and
 * frees their slots at once, a promoted trial continues from its checkpoint, and what cannot be gang-scheduled is
 * refused before any trial runs.
 */
class StudyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static String data;

    @BeforeAll
    static void dataset() throws Exception {
        SyntheticDataset.Result r = SyntheticDataset.generate(new SyntheticDataset.Params(150, 120, 20, 8, 0.8, 2.5,
                9, 20));
        data = dir.resolve("data").toString();
        DatasetStore.write(Storage.configuration(), data, r.dataset(), r.source(), r.split(), false);
    }

    static String study(int workers, int epochs, String search) {
        return "data: " + data + "\nworkers: " + workers + "\nspark:\n  master: local[2]\ntrain:\n  epochs: " + epochs
                + "\n  batch-size: 200\nsearch:\n" + search;
    }

    record Ran(Study.Result result, String out) {
    }

    static Ran start(String name, String yaml) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Study.Result r = Study.start(StudySpec.parse(yaml, name), dir.resolve(name).toString(),
                Storage.configuration(), new PrintStream(buf, true, StandardCharsets.UTF_8));
        return new Ran(r, buf.toString(StandardCharsets.UTF_8));
    }

    static List<JsonNode> trials(String name) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve(name).resolve(StudyDirectory.TRIALS_FILE))) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    /** Every attempt's [start, end] of each trial's run, from its attempts.jsonl. */
    static List<long[]> attempts(String name) throws Exception {
        List<long[]> spans = new ArrayList<>();
        for (JsonNode t : trials(name)) {
            Path file = Path.of(Storage.path(t.get("runDir").asText()).toUri()).resolve("attempts.jsonl");
            for (String line : Files.readAllLines(file)) {
                JsonNode a = JSON.readTree(line);
                spans.add(new long[] {a.get("start").asLong(), a.get("end").asLong()});
            }
        }
        return spans;
    }

    /** {@code ringmaster tune FILE --study DIR} as a driver process of its own, output and errors merged. */
    static Process tuneInAChildJvm(Path file, Path studyDir) throws java.io.IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(io.ringmaster.orchestrator.spark.JvmFlags.moduleFlags());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
                io.ringmaster.orchestrator.cli.RingmasterCli.class.getName(), "tune", file.toString(), "--study",
                studyDir.toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    static boolean anyOverlap(List<long[]> spans) {
        for (int i = 0; i < spans.size(); i++) {
            for (int j = i + 1; j < spans.size(); j++) {
                if (spans.get(i)[0] < spans.get(j)[1] && spans.get(j)[0] < spans.get(i)[1]) {
                    return true;
                }
            }
        }
        return false;
    }

    private static final String FOUR_TRIALS = """
              space:
                train.learning-rate: {loguniform: [0.0005, 0.01]}
              trials: 4
              scheduler: none
            """;

    @Test
    void withTwoSlotsOneWorkerTrialsRunTwoAtATimeAndTwoWorkerTrialsOneAtATime() throws Exception {
        Ran one = start("one-worker", study(1, 3, FOUR_TRIALS));
        assertTrue(one.out().contains("up to 2 at once, gangs of 1 on Spark local[2]"), one.out());
        assertEquals(Map.of("completed", 4), one.result().statuses(), one.out());
        assertTrue(anyOverlap(attempts("one-worker")), "two 1-worker trials ran at the same time");

        Ran two = start("two-workers", study(2, 3, FOUR_TRIALS));
        assertTrue(two.out().contains("up to 1 at once, gangs of 2 on Spark local[2]"), two.out());
        assertEquals(Map.of("completed", 4), two.result().statuses(), two.out());
        assertFalse(anyOverlap(attempts("two-workers")), "2-worker trials on 2 slots ran one at a time");
    }

    @Test
    void maxConcurrentAboveWhatTheClusterCanGangScheduleIsRefusedBeforeTheStudyDirectoryIsWritten() {
        JobConfigException e = assertThrows(JobConfigException.class, () -> start("too-many", study(2, 1, """
                  space:
                    train.learning-rate: {loguniform: [0.0005, 0.01]}
                  trials: 4
                  max-concurrent: 2
                """)));
        assertEquals("study: 'search.max-concurrent' (2) is above what Spark master local[2] can gang-schedule: its 2"
                + " task slot(s) hold 1 gang(s) of 2 worker(s) at once; lower max-concurrent or give Spark more"
                + " executor cores", e.getMessage());
        assertFalse(Files.exists(dir.resolve("too-many")), "nothing written: the corrected file starts afresh");
    }

    @Test
    void aMissingDatasetIsRefusedBeforeTheStudyDirectoryIsWritten() {
        Exception e = assertThrows(Exception.class, () -> start("no-data", study(1, 1, FOUR_TRIALS).replace(data,
                dir.resolve("nowhere").toString())));
        assertTrue(e.getMessage().contains("nowhere: dataset not found"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("no-data")), "nothing written: the same command works once it is there");
    }

    @Test
    void aFailingTrialIsRecordedWithItsCauseAndTheStudyGoesOn() throws Exception {
        // rank 0 fails at step 3 in the trials that draw it, with no relaunch; the others never reach step 10^6
        String yaml = study(1, 2, """
                  space:
                    fault.at-step: {choice: [3, 1000000]}
                  trials: 4
                  scheduler: none
                  seed: 5
                """).replace("spark:", "fault:\n  kill-rank: 0\n  at-step: 1000000\nretry:\n  max-attempts: 1\nspark:");
        StudySpec spec = StudySpec.parse(yaml, "failing");
        long failing = java.util.stream.IntStream.range(0, 4).filter(i -> spec.params(i).get("fault.at-step")
                .equals(3)).count();
        assertTrue(failing > 0 && failing < 4, "the seed draws both kinds of trial");
        Ran r = start("failing", yaml);
        assertEquals(Map.of("completed", (int) (4 - failing), "failed", (int) failing).entrySet(),
                r.result().statuses().entrySet(), r.out());
        for (JsonNode t : trials("failing")) {
            if (t.get("status").asText().equals("failed")) {
                assertTrue(t.get("error").asText().contains("injected"), t.toString());
                assertTrue(r.out().contains(t.get("trial").asText() + " failed: "), r.out());
            }
        }
        assertTrue(r.result().finished());
    }

    @Test
    void whenTheFirstTrialsAllFailTheStudyFailsNamingTheCause() {
        String yaml = study(1, 2, """
                  space:
                    train.learning-rate: {loguniform: [0.0005, 0.01]}
                  trials: 5
                  scheduler: none
                """).replace("spark:", "fault:\n  kill-rank: 0\n  at-step: 2\nretry:\n  max-attempts: 1\nspark:");
        StudyFailedException e = assertThrows(StudyFailedException.class, () -> start("all-fail", yaml));
        // the first three failed with none through a rung: the rest would fail alike, the study stops
        assertTrue(e.getMessage().contains(" trials failed before any finished a rung, so it stopped; the first: t0: ")
                || e.getMessage().contains("every trial failed; the first: t0: "), e.getMessage());
        assertTrue(e.getMessage().contains("injected"), e.getMessage());
    }

    @Test
    void thePromotedTrialContinuesFromItsCheckpointToTheParametersOfAnUninterruptedRun() throws Exception {
        Ran r = start("promoted", study(1, 3, """
                  space:
                    train.learning-rate: {loguniform: [0.0005, 0.01]}
                  trials: 3
                  max-concurrent: 1
                  min-epochs: 1
                  eta: 3
                """));
        JsonNode promoted = trials("promoted").stream().filter(t -> t.get("epochs").asInt() == 3).findFirst()
                .orElseThrow(() -> new AssertionError(r.out()));
        assertEquals(2, promoted.get("rungs").size(), promoted.toString()); // figures at 1 and 3 epochs
        Path run = Path.of(Storage.path(promoted.get("runDir").asText()).toUri());
        JsonNode summary = JSON.readTree(run.resolve("summary.json").toFile());
        String log = Files.readString(dir.resolve("promoted").resolve("logs").resolve(promoted.get("trial").asText()
                + ".log"));
        assertTrue(log.contains("continuing from checkpoint step "), log);
        long firstRungSteps = summary.get("steps").asLong() / 3;
        assertEquals(firstRungSteps, summary.get("resumedFromStep").asLong(), "it resumed after its first epoch");

        // the same settings trained straight through: the same parameters, so nothing was trained twice
        List<String> sets = new ArrayList<>();
        JSON.convertValue(promoted.get("params"), Map.class).forEach((k, v) -> sets.add(JobConfig.override(
                (String) k, v)));
        sets.addAll(List.of(JobConfig.override("data", data), "workers=1", "train.epochs=3", "train.batch-size=200",
                "spark.master=local[2]", JobConfig.override("run.dir", dir.resolve("straight").toString()),
                "run.id=straight"));
        TrainJob.run(JobConfig.parse("", "test", sets), new PrintStream(new ByteArrayOutputStream()));
        JsonNode straight = JSON.readTree(dir.resolve("straight").resolve("straight").resolve("summary.json")
                .toFile());
        assertEquals(straight.get("paramsSha256").asText(), summary.get("paramsSha256").asText());
        assertTrue(straight.get("resumedFromStep").asLong() < 1, "trained straight through");
    }

    @Test
    void theTimeoutCancelsRunningTrialsThroughTheirJobGroupsFreeingTheirSlotsAtOnce()
            throws Exception {
        // two 1-worker trials that would train for hours hold both slots when the timeout passes
        String yaml = study(1, 100000, """
                  space:
                    train.learning-rate: {loguniform: [0.0005, 0.01]}
                  trials: 2
                  scheduler: none
                  timeout: 6
                """);
        SparkSession spark = SparkSessions.create("local[2]", "study-test", Map.of());
        try {
            long t0 = System.currentTimeMillis();
            Ran r = start("timeout", yaml);
            assertTrue(System.currentTimeMillis() - t0 < 40_000, "the study stopped soon after its timeout");
            assertTrue(r.out().contains("the study's timeout of 6 s passed: cancelling 2 running trial(s)"), r.out());
            assertEquals(Map.of("cancelled", 2), r.result().statuses(), r.out());
            assertFalse(r.result().finished());
            for (JsonNode t : trials("timeout")) {
                // Spark tells its listeners a moment later; a task that ignored the kill would train for hours
                long until = System.currentTimeMillis() + 10_000;
                List<GangTasks.Running> left;
                do {
                    left = GangTasks.of(spark.sparkContext()).running(GangTraining.jobGroup(t.get("trial").asText()));
                    Thread.sleep(100);
                } while (!left.isEmpty() && System.currentTimeMillis() < until);
                assertEquals(List.of(), left, "the cancelled trial's tasks ended");
                assertTrue(t.get("error").asText().contains("cancelled during attempt 1 (the study's timeout"),
                        t.toString());
            }
            // both slots are free: a 2-worker gang runs in the same application (it would wait for ever otherwise)
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            java.util.concurrent.CompletableFuture<TrainJob.Outcome> after = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> {
                        try {
                            return TrainJob.run(JobConfig.parse("", "test", List.of(JobConfig.override("data", data),
                                    "workers=2", "train.epochs=1", "train.batch-size=200", "spark.master=local[2]",
                                    JobConfig.override("run.dir", dir.resolve("after").toString()), "run.id=after")),
                                    new PrintStream(buf));
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
            assertEquals(1, after.get(60, java.util.concurrent.TimeUnit.SECONDS).summary().epochs(), buf.toString());
        } finally {
            SparkSessions.stop(spark);
        }
    }

    @Test
    void aStudyWhoseDriverWasKilledResumesWithoutTrainingItsFinishedRungsAgain() throws Exception {
        Path file = dir.resolve("killed.yaml");
        Files.writeString(file, study(1, 9, """
                  space:
                    train.learning-rate: {loguniform: [0.0005, 0.01]}
                  trials: 9
                  min-epochs: 1
                  eta: 3
                """));
        Path studyDir = dir.resolve("killed");
        Process p = tuneInAChildJvm(file, studyDir);
        StringBuilder out = new StringBuilder();
        List<JsonNode> atKill;
        try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            int rungs = 0;
            while ((line = r.readLine()) != null) {
                out.append(line).append('\n');
                if (line.matches("t\\d+ +\\d+ epochs .*") && ++rungs == 4) {
                    p.destroyForcibly(); // SIGKILL: no hook runs, trials are left mid-rung
                    break;
                }
            }
            assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        atKill = trials("killed");
        long finishedRungs = atKill.stream().mapToLong(t -> t.get("rungs").size()).sum();
        assertTrue(finishedRungs >= 3, out.toString());
        assertTrue(atKill.stream().anyMatch(t -> t.get("status").asText().equals("running")), out.toString());

        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Study.Result r = Study.resume(studyDir.toString(), List.of(), Storage.configuration(),
                new PrintStream(buf, true, StandardCharsets.UTF_8));
        String resumed = buf.toString(StandardCharsets.UTF_8);
        assertTrue(resumed.startsWith("resuming study "), resumed);
        assertTrue(r.finished(), resumed);
        assertEquals(9, trials("killed").size());
        assertTrue(trials("killed").stream().allMatch(t -> List.of("completed", "pruned").contains(t.get("status")
                .asText())), resumed);
        // no epoch of a rung finished before the kill was trained again (it would be marked superseded)
        for (JsonNode t : atKill) {
            int done = t.get("epochs").asInt();
            Path metrics = Path.of(Storage.path(t.get("runDir").asText()).toUri()).resolve("metrics.jsonl");
            for (String line : Files.readAllLines(metrics)) {
                JsonNode m = JSON.readTree(line);
                if (m.path("event").asText().equals("epoch") && m.path("epoch").asInt() <= done) {
                    assertFalse(m.has("superseded"), t.get("trial") + " trained epoch " + m.get("epoch") + " again");
                }
            }
            assertFalse(resumed.contains(t.get("trial").asText() + " starts"), "a trial started before is not"
                    + " started over:\n" + resumed);
        }
        assertTrue(Files.exists(studyDir.resolve(StudyDirectory.REPORT_FILE)));
    }

    @Test
    void sigtermToTheDriverCancelsTheRunningTrialsAndRecordsThemResumable() throws Exception {
        Path file = dir.resolve("signalled.yaml");
        Files.writeString(file, study(1, 100000, FOUR_TRIALS));
        Path studyDir = dir.resolve("signalled");
        Process p = tuneInAChildJvm(file, studyDir);
        StringBuilder out = new StringBuilder();
        try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                out.append(line).append('\n');
                if (line.startsWith("t1 starts")) {
                    // both trials train once their first checkpoint is there
                    Path checkpoints = studyDir.resolve("trials").resolve("t1").resolve("checkpoints");
                    long until = System.currentTimeMillis() + 60_000;
                    while (!(Files.isDirectory(checkpoints) && Files.list(checkpoints).findAny().isPresent())
                            && System.currentTimeMillis() < until) {
                        Thread.sleep(100);
                    }
                    p.toHandle().destroy(); // SIGTERM
                    break;
                }
            }
            while ((line = r.readLine()) != null) {
                out.append(line).append('\n');
            }
        } finally {
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the driver did not stop:\n" + out);
            p.destroyForcibly();
        }
        assertTrue(out.toString().contains("study stopped (a signal to the driver); `ringmaster tune --resume "),
                out.toString());
        assertFalse(out.toString().contains("error: "), out.toString());
        assertFalse(out.toString().contains("\tat "), "no stack trace:\n" + out);
        List<JsonNode> t = trials("signalled");
        assertEquals(2, t.size(), out.toString());
        for (JsonNode trial : t) {
            assertEquals("cancelled", trial.get("status").asText(), trial.toString());
        }
    }
}
