package io.ringmaster.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {

    @TempDir
    Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();

    private static void ok(CliRun r) {
        assertEquals(0, r.exitCode(), r.toString());
    }

    private static void failsWith(CliRun r, String fragment) {
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("error: "), r.toString());
        assertTrue(r.err().contains(fragment), "expected '" + fragment + "' in:\n" + r);
        assertFalse(r.err().contains("\tat "), "user errors print no stack trace:\n" + r);
    }

    private static List<Path> runDirs(Path runs) throws IOException {
        try (Stream<Path> s = Files.list(runs)) {
            return s.toList();
        }
    }

    @Test
    void demoRunsEndToEndOnEmbeddedSpark() throws IOException {
        Path demo = dir.resolve("demo");
        CliRun r = CliRun.of("demo", "--dir", demo.toString(), "--users", "500", "--items", "300", "--epochs", "3");
        ok(r);
        // a barrier stage of two tasks on local Spark, one model trained through the ring
        assertTrue(r.out().contains("gang of 2 workers on Spark local[2], global batch 256 (128 per worker),"
                + " ring all-reduce (fp32)"), r.out());
        assertTrue(r.out().contains("most-popular baseline  HR@10"), r.out());
        assertTrue(r.out().contains("epoch   1  loss"), r.out());
        assertTrue(r.out().contains("epoch   2  loss"), r.out());
        assertTrue(r.out().contains("demo finished"), r.out());
        assertTrue(r.out().contains("[3/3] export the model"), r.out());
        assertTrue(r.out().contains("wrote 5,000 recommendations"), r.out()); // 500 users x top 10
        assertTrue(r.out().contains("   1. item "), r.out());
        assertTrue(Files.exists(demo.resolve("data/manifest.json")));
        List<Path> runs = runDirs(demo.resolve("runs"));
        assertEquals(1, runs.size());
        List<String> lines = Files.readAllLines(runs.get(0).resolve("metrics.jsonl"));
        assertEquals(List.of("start", "baseline", "epoch", "checkpoint", "epoch", "checkpoint", "epoch", "checkpoint",
                "done"),
                lines.stream().map(l -> event(l)).toList());
        JsonNode epoch2 = JSON.readTree(lines.get(4));
        assertEquals(2, epoch2.get("epoch").asInt());
        assertTrue(epoch2.get("hr").asDouble() > 0 && epoch2.get("samplesPerSecond").asDouble() > 0);
        JsonNode start = JSON.readTree(lines.get(0));
        assertEquals(2, start.get("workers").asInt());
        assertEquals("stream", start.get("loader").asText(), "the demo reads its batches through the loader");
        assertTrue(start.get("rowGroups").asInt() >= 8, start.toString());
        assertTrue(r.out().contains("loader: streaming "), r.out());
        JsonNode summary = JSON.readTree(runs.get(0).resolve("summary.json").toFile());
        assertEquals(2, summary.get("workers").asInt());
        assertTrue(summary.get("bestHr").asDouble() > summary.get("baselineHr").asDouble(), summary.toString());
        assertTrue(Files.readString(runs.get(0).resolve("job.yaml")).contains("epochs: 3"));
    }

    private static String event(String line) {
        try {
            return JSON.readTree(line).get("event").asText();
        } catch (IOException e) {
            throw new AssertionError(line, e);
        }
    }

    @Test
    void ingestThenTrainFromAJobFileWithOverrides() throws IOException {
        Path src = dir.resolve("src");
        Files.createDirectories(src);
        StringBuilder data = new StringBuilder();
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(1);
        for (int u = 1; u <= 60; u++) {
            for (int k = 0; k < 12; k++) {
                data.append(u).append('\t').append(1 + rnd.nextInt(150)).append("\t4\t").append(1000 + k).append('\n');
            }
        }
        Files.writeString(src.resolve("u.data"), data.toString());
        Path ds = dir.resolve("ds");
        CliRun ingest = CliRun.of("ingest", "--input", src.toString(), "--out", ds.toString(), "--eval-negatives",
                "20");
        ok(ingest);
        assertTrue(ingest.out().contains("60 users"), ingest.out());
        assertTrue(ingest.out().contains("leave-one-out"), ingest.out());

        Path job = dir.resolve("job.yaml");
        Files.writeString(job, "data: " + ds + "\nrun:\n  dir: " + dir.resolve("runs") + "\n  id: first\ntrain:\n"
                + "  epochs: 5\n  batch-size: 64\n");
        ok(CliRun.of("train", "--config", job.toString(), "--epochs", "1", "--set", "eval.k=5"));
        Path run = dir.resolve("runs/first");
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        List<String> epochs = lines.stream().filter(l -> l.contains("\"event\":\"epoch\"")).toList();
        assertEquals(1, epochs.size(), "--epochs overrides the file: " + epochs);
        assertTrue(Files.readString(run.resolve("summary.json")).contains("\"k\" : 5"));

        // the same run id continues the run from its newest checkpoint, up to the file's 5 epochs
        CliRun more = CliRun.of("train", "--config", job.toString(), "--set", "eval.k=5");
        ok(more);
        assertTrue(more.out().contains("continuing from checkpoint step"), more.out());
        assertTrue(more.out().contains("epoch   5  loss") && !more.out().contains("epoch   1  loss"), more.out());
        // but not with another model
        failsWith(CliRun.of("train", "--config", job.toString(), "--set", "model.factors=16"),
                "cannot continue with a changed model or data: model.factors: 8 -> 16");
    }

    @Test
    void swappedColumnsWarnAtIngestFailWithStrictAndTrainingRefusesAtOnce() throws IOException {
        // found by hand: a CSV whose columns were swapped under an unchanged header ingested with exit 0, 0 test
        // users and no warning, and training was then retried 3 times
        Path src = dir.resolve("swapped");
        Files.createDirectories(src);
        StringBuilder data = new StringBuilder();
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        int event = 0;
        for (int u = 1; u <= 40; u++) {
            for (int k = 0; k < 8; k++) { // (event id, user) where (user, item) belongs: every "user" seen once
                data.append(++event).append('\t').append(1 + rnd.nextInt(150)).append("\t4\t").append(1000 + k)
                        .append('\n');
            }
        }
        Files.writeString(src.resolve("u.data"), data.toString());
        Path strict = dir.resolve("strict");
        CliRun refused = CliRun.of("ingest", "--input", src.toString(), "--out", strict.toString(), "--strict");
        failsWith(refused, "the test split is empty: no user has two or more distinct items");
        assertTrue(refused.err().contains("(--strict: nothing written)"), refused.toString());
        assertFalse(Files.exists(strict), "nothing is written under --strict");
        Path ds = dir.resolve("ds");
        CliRun warned = CliRun.of("ingest", "--input", src.toString(), "--out", ds.toString());
        ok(warned);
        assertTrue(warned.out().contains("warning: " + src + ": the test split is empty"), warned.out());
        CliRun train = CliRun.of("train", "--data", ds.toString(), "--runs-dir", dir.resolve("runs").toString(),
                "--set", "retry.max-attempts=3");
        failsWith(train, ds + ": the dataset has no test users to evaluate");
        assertFalse(train.out().contains("relaunching"), train.toString());
        assertEquals(null, IngestCommand.splitDoubt(60, 100));
        assertTrue(IngestCommand.splitDoubt(10, 100).startsWith("only 10 of 100 users have a test item"));
    }

    @Test
    void badInputFailsWithFileAndLine() throws IOException {
        Path src = dir.resolve("bad");
        Files.createDirectories(src);
        Files.writeString(src.resolve("u.data"), "1\t2\t3\t4\n1\tx\t3\t4\n");
        Path out = dir.resolve("out");
        failsWith(CliRun.of("ingest", "--input", src.toString(), "--out", out.toString()),
                src.resolve("u.data") + ":2: non-numeric item id 'x'");
        assertFalse(Files.exists(out), "nothing is written for bad input");
        failsWith(CliRun.of("ingest", "--input", dir.resolve("missing").toString(), "--out", out.toString()),
                "file not found");
    }

    @Test
    void benchTrainPrintsGangRowsTheCeilingAndTheTwoScalingLinesLast() {
        Path ds = dir.resolve("bench-data");
        ok(CliRun.of("generate", "--out", ds.toString(), "--users", "60", "--items", "200"));
        CliRun r = CliRun.of("bench", "train", "--data", ds.toString(), "--workers", "1,2", "--batch-sizes", "64",
                "--epochs", "1", "--rounds", "1", "--dl4j-steps", "0");
        ok(r);
        List<String> lines = r.out().lines().toList();
        int n = lines.size();
        assertTrue(lines.get(n - 2).matches("strong: 2 workers = \\d+\\.\\d\\dx 1 worker at global batch 64"), r.out());
        assertTrue(lines.get(n - 1).matches("weak: 2 workers = \\d+\\.\\d\\dx 1 worker at 64 per worker"), r.out());
        assertTrue(lines.get(n - 3).startsWith("ceiling: 2 workers apart = "), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("apart +64 +2 +\\d+ .*none \\(apart\\)")), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("weak +64 +2 +\\d+ .*shared memory")), r.out());
    }

    @Test
    void trainExplainsWhatIsMissing() throws IOException {
        failsWith(CliRun.of("train", "--data", dir.resolve("nothing").toString()), "dataset not found");
        Path ds = dir.resolve("gen");
        ok(CliRun.of("generate", "--out", ds.toString(), "--users", "50", "--items", "300"));
        CliRun slots = CliRun.of("train", "--data", ds.toString(), "--workers", "4", "--set", "spark.master=local[2]",
                "--runs-dir", dir.resolve("runs").toString());
        failsWith(slots, "a gang of 4 workers needs 4 task slots at once (barrier stage), but Spark master local[2]"
                + " offers 2");
        failsWith(CliRun.of("train", "--data", ds.toString(), "--workers", "2", "--batch-size", "255"),
                "must be a multiple of 'workers'");
        failsWith(CliRun.of("train", "--data", ds.toString(), "--set", "allreduce.compression=zip"),
                "allreduce.compression must be none or fp16");
        failsWith(CliRun.of("train", "--data", ds.toString(), "--set", "train.engine=tpu"), "unknown train.engine");
        failsWith(CliRun.of("train", "--data", ds.toString(), "--workers", "2", "--strategy", "averaging", "--set",
                "checkpoint.every-steps=5"), "strategy averaging checkpoints at epoch ends only");
        failsWith(CliRun.of("train", "--data", ds.toString(), "--strategy", "horovod"), "'strategy' must be one of");
        Path job = dir.resolve("job.yaml");
        Files.writeString(job, "data: " + ds + "\ntrain:\n  epoch: 3\n");
        failsWith(CliRun.of("train", "--config", job.toString()), "unknown key 'train.epoch'");
        failsWith(CliRun.of("generate", "--out", ds.toString()), "already exists");
        failsWith(CliRun.of("resume", dir.resolve("no-run").toString()), "is not a run directory (no job.yaml)");
        failsWith(CliRun.of("export", ds.toString(), "--out", dir.resolve("model").toString()),
                "is not a run directory (no job.yaml)");
    }

    @Test
    void aSecondJobOnALiveRunIdIsRefusedNamingTheOwnerAndWritesNothing() throws Exception {
        // found by hand: two `train --run-id` on one runs directory both ran and exited 0, writing into one run
        Path ds = dir.resolve("gen");
        ok(CliRun.of("generate", "--out", ds.toString(), "--users", "50", "--items", "300"));
        Path runs = dir.resolve("runs");
        org.apache.hadoop.fs.Path run = io.ringmaster.data.Storage.path(runs.resolve("shared").toString());
        org.apache.hadoop.fs.FileSystem fs = io.ringmaster.data.Storage.fs(run,
                io.ringmaster.data.Storage.configuration());
        fs.mkdirs(run);
        try (io.ringmaster.orchestrator.run.RunLock live = io.ringmaster.orchestrator.run.RunLock.acquire(fs, run,
                "shared")) {
            for (String cmd : List.of("train", "resume")) {
                CliRun r = cmd.equals("train")
                        ? CliRun.of("train", "--data", ds.toString(), "--runs-dir", runs.toString(), "--run-id",
                                "shared",
                        "--epochs", "1")
                        : CliRun.of("resume", runs.resolve("shared").toString());
                if (cmd.equals("train")) {
                    failsWith(r, "run shared is in use by another job: host ");
                    assertTrue(r.err().contains("pid " + ProcessHandle.current().pid() + ","), r.toString());
                    assertEquals(1, r.err().lines().count(), r.toString());
                } else {
                    assertEquals(1, r.exitCode(), r.toString()); // nothing to resume yet: refused either way
                }
            }
            try (Stream<Path> files = Files.list(runs.resolve("shared"))) {
                assertEquals(List.of(io.ringmaster.orchestrator.run.RunLock.FILE),
                        files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).toList());
            }
        }
        ok(CliRun.of("train", "--data", ds.toString(), "--runs-dir", runs.toString(), "--run-id", "shared",
                "--epochs", "1"));
        assertFalse(Files.exists(runs.resolve("shared").resolve(io.ringmaster.orchestrator.run.RunLock.FILE)),
                "the job releases its run when it ends");
        try (io.ringmaster.orchestrator.run.RunLock live = io.ringmaster.orchestrator.run.RunLock.acquire(fs, run,
                "shared")) {
            CliRun r = CliRun.of("resume", runs.resolve("shared").toString(), "--epochs", "2");
            failsWith(r, "run shared is in use by another job: host ");
            // found by hand: export took the newest checkpoint of a live run without a word
            CliRun export = CliRun.of("export", runs.resolve("shared").toString(), "--out",
                    dir.resolve("live-model").toString());
            ok(export);
            assertTrue(export.out().contains("warning: run shared is still training (host "), export.toString());
            assertFalse(Files.readString(runs.resolve("shared").resolve("metrics.jsonl")).contains("\"epoch\":2"),
                    "the refused resume trained nothing");
        }
    }

    @Test
    void resumeOfARunWithNoUsableCheckpointIsRefusedUnlessFromScratchAndKeepsTheCheckpoints() throws IOException {
        // found by hand: resume of a run whose checkpoints all lacked _COMMITTED retrained from step 0, exited 0,
        // and retention then deleted the old checkpoint directories
        Path ds = dir.resolve("gen");
        ok(CliRun.of("generate", "--out", ds.toString(), "--users", "50", "--items", "300"));
        Path runs = dir.resolve("runs");
        ok(CliRun.of("train", "--data", ds.toString(), "--runs-dir", runs.toString(), "--run-id", "r", "--epochs", "2",
                "--set", "checkpoint.every-epochs=1", "--set", "checkpoint.keep=1"));
        Path cps = runs.resolve("r").resolve("checkpoints");
        List<String> steps;
        try (Stream<Path> s = Files.list(cps)) {
            steps = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertEquals(1, steps.size(), steps.toString());
        Files.delete(cps.resolve(steps.get(0)).resolve("_COMMITTED"));
        Files.createDirectories(cps.resolve(".tmp-7-left-by-a-full-disk"));
        String jobBefore = Files.readString(runs.resolve("r").resolve("job.yaml"));
        CliRun refused = CliRun.of("resume", runs.resolve("r").toString(), "--epochs", "3");
        failsWith(refused, "run r has no usable checkpoint (skipping checkpoint ");
        assertTrue(refused.err().contains("checkpoints/" + steps.get(0) + ": no _COMMITTED marker"),
                refused.toString());
        assertTrue(refused.err().contains("give --from-scratch"), refused.toString());
        assertEquals(jobBefore, Files.readString(runs.resolve("r").resolve("job.yaml")), "nothing rewritten");
        // (1 epoch: its checkpoint comes before the old one's step, which retention must now leave alone)
        CliRun again = CliRun.of("resume", runs.resolve("r").toString(), "--epochs", "1", "--from-scratch");
        ok(again);
        assertTrue(again.out().contains("removed an unfinished checkpoint write: "), again.out());
        assertTrue(again.out().contains("no complete checkpoint: starting from the beginning"), again.out());
        // found by hand: a skipped checkpoint's warning was printed twice
        String both = again.out() + again.err();
        assertEquals(1, both.split("skipping checkpoint ", -1).length - 1, both);
        assertTrue(Files.isDirectory(cps.resolve(steps.get(0))), "the unverifiable checkpoint is kept");
        assertFalse(Files.exists(cps.resolve(".tmp-7-left-by-a-full-disk")));
    }

    @Test
    void aRunThatFailedToStartLeavesItsIdFreeForOtherSettings() throws IOException {
        // found by hand: a failed start left runs/<id>/job.yaml, so the same id was refused next time
        Path ds = dir.resolve("gen");
        ok(CliRun.of("generate", "--out", ds.toString(), "--users", "50", "--items", "300"));
        Path runs = dir.resolve("runs");
        failsWith(CliRun.of("train", "--data", ds.toString(), "--workers", "4", "--set", "spark.master=local[2]",
                "--runs-dir", runs.toString(), "--run-id", "again"), "needs 4 task slots at once");
        assertFalse(Files.exists(runs.resolve("again").resolve("job.yaml")), "nothing ran: no job.yaml is left");
        ok(CliRun.of("train", "--data", ds.toString(), "--workers", "2", "--epochs", "1", "--runs-dir",
                runs.toString(), "--run-id", "again"));
    }

    @Test
    void epochsTrainedAgainAfterASkippedCheckpointMarkTheirEarlierRecordsSuperseded() throws IOException {
        // found by hand: resuming past a corrupt newest checkpoint left two `epoch` records for the same epoch
        Path ds = dir.resolve("gen");
        ok(CliRun.of("generate", "--out", ds.toString(), "--users", "50", "--items", "300"));
        Path runs = dir.resolve("runs");
        ok(CliRun.of("train", "--data", ds.toString(), "--runs-dir", runs.toString(), "--run-id", "twice", "--epochs",
                "3", "--set", "checkpoint.every-epochs=1"));
        Path cps = runs.resolve("twice").resolve("checkpoints");
        List<Long> steps;
        try (Stream<Path> s = Files.list(cps)) {
            steps = s.map(p -> Long.parseLong(p.getFileName().toString())).sorted().toList();
        }
        Files.delete(cps.resolve(String.valueOf(steps.get(steps.size() - 1))).resolve("_COMMITTED"));
        CliRun again = CliRun.of("resume", runs.resolve("twice").toString());
        ok(again);
        assertTrue(again.out().contains("1 epoch record(s) after epoch 2 are trained again"), again.out());
        List<String> epochs = Files.readAllLines(runs.resolve("twice").resolve("metrics.jsonl")).stream()
                .filter(l -> l.contains("\"event\":\"epoch\"")).toList();
        List<String> third = epochs.stream().filter(l -> l.contains("\"epoch\":3,")).toList();
        assertEquals(2, third.size(), epochs.toString());
        assertTrue(third.get(0).contains("\"superseded\":true") && !third.get(1).contains("superseded"),
                third.toString());
    }

    @Test
    void corruptDatasetFailsTheGangWithOneLineNamingTheFile() throws IOException {
        Path ds = dir.resolve("gen");
        ok(CliRun.of("generate", "--out", ds.toString(), "--users", "50", "--items", "300"));
        Files.write(ds.resolve("train.parquet"), new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
        CliRun r = CliRun.of("train", "--data", ds.toString(), "--runs-dir", dir.resolve("runs").toString());
        failsWith(r, ds.resolve("train.parquet") + ": SHA-256");
        assertTrue(r.err().contains("does not match the manifest"), r.toString());
        assertFalse(r.err().contains("SparkException"), r.toString());
    }

    @Test
    void aFailedRankFailsTheGangAndTheCliNamesRankHostAndCause() throws IOException {
        Path ds = dir.resolve("gen");
        ok(CliRun.of("generate", "--out", ds.toString(), "--users", "80", "--items", "200"));
        long t0 = System.nanoTime();
        // with no retries left, the worker's failure is the job's, reported in one line
        CliRun r = CliRun.of("train", "--data", ds.toString(), "--workers", "2", "--runs-dir",
                dir.resolve("runs").toString(), "--set", "fault.kill-rank=1", "--set", "fault.at-step=3",
                "--set", "retry.max-attempts=1");
        failsWith(r, "error: rank 1 on ");
        assertTrue(r.err().contains("injected fault: rank 1 stopped at step 3"), r.toString());
        assertFalse(r.err().contains("SparkException"), r.toString());
        assertTrue((System.nanoTime() - t0) / 1e9 < 60, "the gang must not wait for the ring timeout");
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertEquals(2, CliRun.of("train", "--no-such-option").exitCode());
        assertEquals(2, CliRun.of().exitCode());
    }
}
