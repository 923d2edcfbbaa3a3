package io.ringmaster.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real full and read-only file systems (a small tmpfs mounted by the test, which needs root; skipped
 * with a message elsewhere): failures no relaunch can fix end the job at once in one line naming the
 * path, and leave nothing behind.
 */
class FullAndReadOnlyDiskTest {

    @TempDir
    Path dir;

    private static int run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    private static void mount(Path at, String options) throws Exception {
        Files.createDirectories(at);
        int rc = run("mount", "-t", "tmpfs", "-o", options, "tmpfs", at.toString());
        Assumptions.assumeTrue(rc == 0, "skipped: cannot mount a tmpfs here (needs root): mount exited " + rc);
    }

    private static void unmount(Path at) throws Exception {
        run("umount", at.toString());
    }

    private Path generated() {
        Path ds = dir.resolve("gen");
        assertEquals(0, CliRun.of("generate", "--out", ds.toString(), "--users", "50", "--items", "300").exitCode());
        return ds;
    }

    @Test
    void aFullDiskFailsTheJobAtOnceNamingThePathAndLeavesNoPartialCheckpoint() throws Exception {
        // found by hand: disk full was retried 3 times, named no path, and left .tmp-1500-* folders behind
        Path ds = generated();
        Path small = dir.resolve("small");
        mount(small, "size=96k");
        try {
            CliRun r = CliRun.of("train", "--data", ds.toString(), "--runs-dir", small.resolve("runs").toString(),
                    "--run-id", "full", "--epochs", "2", "--set", "checkpoint.every-epochs=1",
                    "--set", "retry.max-attempts=3");
            assertEquals(1, r.exitCode(), r.toString());
            assertTrue(r.err().startsWith("error: rank 0 on "), r.toString());
            assertTrue(r.err().contains(small.resolve("runs").resolve("full").resolve("checkpoints").toString()),
                    r.toString());
            assertTrue(r.err().contains("no space left on the device"), r.toString());
            assertEquals(1, r.err().strip().lines().count(), r.toString());
            assertFalse(r.out().contains("relaunching the gang"), "a full disk is not retried:\n" + r.out());
            try (Stream<Path> s = Files.list(small.resolve("runs").resolve("full").resolve("checkpoints"))) {
                assertEquals(List.of(), s.map(p -> p.getFileName().toString()).toList(), "nothing partial is left");
            }
        } finally {
            unmount(small);
        }
    }

    @Test
    void aReadOnlyRunsDirectoryIsOneLineNamingItAndWhy() throws Exception {
        // found by hand: an unwritable runs directory gave "Mkdirs failed to create ..." and a 19-line trace
        Path ds = generated();
        Path ro = dir.resolve("ro");
        mount(ro, "ro,size=64k");
        try {
            CliRun r = CliRun.of("train", "--data", ds.toString(), "--runs-dir", ro.resolve("runs").toString());
            assertEquals(1, r.exitCode(), r.toString());
            assertTrue(r.err().startsWith("error: " + ro.resolve("runs")), r.toString());
            assertTrue(r.err().contains("read-only"), r.toString());
            assertEquals(1, r.err().strip().lines().count(), r.toString());
        } finally {
            unmount(ro);
        }
    }
}
