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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ring across processes: a 2-worker job on Spark {@code local-cluster[2,1,1024]}, whose two
 * executors are separate JVMs started from the test classpath (an empty Spark home with {@code jars/}
 * and {@code SPARK_SCALA_VERSION}, both set up by the build).
 */
class LocalClusterGangTest {

    @TempDir
    Path dir;

    /** The 300-user synthetic dataset every case here trains on, written under {@code dir/data}. */
    private Path dataset() throws java.io.IOException {
        Path data = dir.resolve("data");
        SyntheticDataset.Result r = SyntheticDataset.generate(new SyntheticDataset.Params(300, 200, 20, 8, 0.8, 2.5,
                7, 50));
        DatasetStore.write(Storage.configuration(), data.toString(), r.dataset(), r.source(), r.split(), false);
        return data;
    }

    @Test
    void twoExecutorJvmsTrainOneModelThroughTheRing() throws Exception {
        Path data = dataset();

        JobConfig job = JobConfig.parse("", "test", List.of(
                JobConfig.override("data", data.toString()),
                "workers=2",
                "train.epochs=2",
                "train.batch-size=128",
                JobConfig.override("run.dir", dir.resolve("runs").toString()),
                "run.id=cluster",
                "spark.master=local-cluster[2,1,1024]"));
        job = job.withSparkConf(SparkSessions.localClusterExecutorConf(dir.resolve("spark-local")));

        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        TrainJob.Outcome o = TrainJob.run(job, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("gang of 2 workers on Spark local-cluster[2,1,1024]"), out);
        assertTrue(out.contains("epoch   2  loss"), out);
        assertTrue(o.summary().best("hr") > o.baseline().get("hr"), out);

        // each rank ran in its own executor JVM: the start record lists two distinct process ids
        JsonNode summary = new ObjectMapper().readTree(dir.resolve("runs/cluster/summary.json").toFile());
        assertEquals(2, summary.get("workers").asInt());
        JsonNode pids = summary.get("workerProcesses");
        assertEquals(2, pids.size(), summary.toString());
        assertTrue(!pids.get(0).asText().equals(pids.get(1).asText()), summary.toString());
        // and the address each rank's ring listened on (one host here: both 127.0.0.1)
        assertEquals("[\"127.0.0.1\",\"127.0.0.1\"]", summary.get("workerHosts").toString(), summary.toString());
        assertTrue(Files.readString(dir.resolve("runs/cluster/metrics.jsonl")).contains("\"event\":\"done\""));
    }

    @Test
    void aRankWhoseJvmDiesHasItsLastLogLinesInTheDriversErrorAndTheRunDirectory() throws Exception {
        Path data = dataset();
        JobConfig job = JobConfig.parse("", "test", List.of(JobConfig.override("data", data.toString()), "workers=2",
                "train.epochs=2", "train.batch-size=128", JobConfig.override("run.dir", dir.resolve("runs").toString()),
                "run.id=died", "spark.master=local-cluster[2,1,1024]", "retry.max-attempts=1", "fault.kill-rank=1",
                "fault.at-step=20", "fault.kind=exit"))
                .withSparkConf(SparkSessions.localClusterExecutorConf(dir.resolve("spark-local")));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        GangFailure f = org.junit.jupiter.api.Assertions.assertThrows(GangFailure.class, () -> TrainJob.run(job,
                new PrintStream(buf, true, StandardCharsets.UTF_8)));
        String out = buf.toString(StandardCharsets.UTF_8);
        String error = f.getMessage();
        assertTrue(error.matches("(?s)rank 1 on \\S+ \\(executor \\d+\\) was lost: its JVM exited.*"), error);
        List<String> lines = error.lines().toList();
        int heading = lines.indexOf(lines.stream().filter(l -> l.matches("  last \\d+ lines of rank 1's log"
                + " \\(logs/rank-1.log\\):")).findFirst().orElseThrow(() -> new AssertionError(error)));
        List<String> tail = lines.subList(heading + 1, lines.size());
        // its INFO lines (the console shows only warnings) and, last, the warning it logged just before the JVM died
        assertTrue(tail.stream().anyMatch(l -> l.matches("    \\S+ INFO Worker: rank 1 of 2: training .*")), error);
        assertTrue(tail.get(tail.size() - 1).matches("    \\S+ WARN FaultInjection: injected fault: rank 1 halts its"
                + " JVM before step 20 .*"), error);
        // the warning also reached this console, named for its rank and host, as it happened
        assertTrue(out.lines().anyMatch(l -> l.matches("\\[rank 1 \\S+] \\S+ WARN FaultInjection: injected"
                + " fault: rank 1 halts .*")), out);
        // the neighbour's failure is the driver's to report, once: its stack is in its log, not on this console
        assertTrue(!out.contains("ERROR GangTask"), out);
        // and every rank's log is in the run directory
        String rank1 = Files.readString(dir.resolve("runs/died/logs/rank-1.log"));
        assertTrue(rank1.matches("(?s)=== attempt 1 of the job started \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,"
                + " rank 1 on \\S+ ===\n.*"), rank1);
        assertTrue(rank1.contains("WARN FaultInjection: injected fault: rank 1 halts its JVM"), rank1);
        String rank0 = Files.readString(dir.resolve("runs/died/logs/rank-0.log"));
        assertTrue(rank0.contains("INFO Worker: rank 0 of 2: training"), rank0);
    }

    @Test
    void aMasterThatDropsTheApplicationIsReportedAsSuchNotAsTooFewSlots() throws Exception {
        // found by hand: `train --set spark.master='local-cluster[...]'` from the fat jar, without a Spark home,
        // made Spark drop the application in a second, and Ringmaster waited 60 s to say "offers 0 ... lower
        // 'workers' or give Spark more executor cores". Here the executors' classpath is given, so Ringmaster does
        // not set local-cluster up itself, and the process has no Spark home: the master drops the application.
        Path data = dataset();
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(JvmFlags.moduleFlags());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.ringmaster.orchestrator.cli.RingmasterCli",
                "train", "--data", data.toString(), "--workers", "2", "--epochs", "1", "--runs-dir",
                dir.resolve("runs").toString(), "--set", "spark.master=local-cluster[2,1,1024]", "--set",
                "spark.conf.spark.executor.extraClassPath=" + System.getProperty("java.class.path")));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().remove("SPARK_HOME");
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), err);
        List<String> errors = err.lines().filter(l -> l.startsWith("error: ")).toList();
        assertEquals(1, errors.size(), err);
        assertTrue(errors.get(0).contains("Spark master local-cluster[2,1,1024] ended the application while"
                + " Ringmaster waited for 2 task slots"), err);
    }

    @Test
    void aFrozenExecutorIsNamedWaitedForThenRemovedAndTheJobFinishes() throws Exception {
        // found by hand: after a frozen executor was found (allreduce.timeout) the relaunch waited silently for
        // Spark's 120 s heartbeat timeout, because the frozen JVM still held its slot
        Path data = dataset();
        JobConfig job = JobConfig.parse("", "test", List.of(JobConfig.override("data", data.toString()), "workers=2",
                "train.epochs=30", "train.batch-size=128", JobConfig.override("run.dir",
                        dir.resolve("runs").toString()),
                "run.id=frozen", "spark.master=local-cluster[2,1,1024]", "allreduce.timeout=5",
                "checkpoint.every-epochs=1"))
                .withSparkConf(SparkSessions.localClusterExecutorConf(dir.resolve("spark-local")));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        List<ProcessHandle> executors = new java.util.ArrayList<>();
        try {
            java.util.concurrent.Future<TrainJob.Outcome> run = pool.submit(() -> TrainJob.run(job,
                    new PrintStream(buf, true, StandardCharsets.UTF_8)));
            Path metrics = dir.resolve("runs/frozen/metrics.jsonl");
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (!(Files.exists(metrics) && Files.readString(metrics).contains("\"epoch\":2,"))) {
                assertTrue(System.nanoTime() < deadline && !run.isDone(), buf.toString(StandardCharsets.UTF_8));
                Thread.sleep(100);
            }
            ProcessHandle.current().descendants().filter(p -> p.info().command().orElse("").endsWith("java"))
                    .forEach(executors::add);
            assertEquals(2, executors.size(), ProcessHandle.current().descendants().map(p -> p.pid() + " "
                    + p.info().commandLine().orElse(p.info().command().orElse("?"))).toList().toString());
            new ProcessBuilder("kill", "-STOP", String.valueOf(executors.get(1).pid())).start().waitFor();
            TrainJob.Outcome o = run.get(240, java.util.concurrent.TimeUnit.SECONDS);
            String out = buf.toString(StandardCharsets.UTF_8);
            assertTrue(out.contains("waiting for the failed attempt's task(s) to end before relaunching: rank "), out);
            assertTrue(out.contains("did not end 5 s after the attempt failed: asked Spark to remove that executor"),
                    out);
            assertTrue(out.contains("epoch  30  loss"), out);
            assertTrue(o.summary().best("hr") > 0, out);
        } finally {
            for (ProcessHandle p : executors) {
                p.destroyForcibly();
            }
            pool.shutdownNow();
        }
    }
}
