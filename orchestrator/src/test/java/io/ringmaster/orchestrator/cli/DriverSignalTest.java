package io.ringmaster.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringmaster.data.Storage;
import io.ringmaster.orchestrator.run.RunLock;
import io.ringmaster.orchestrator.spark.JvmFlags;
import io.ringmaster.workers.checkpoint.CheckpointStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM to a training driver (a real process): one line, no relaunch, checkpoints and the run in order. */
class DriverSignalTest {

    @TempDir
    Path dir;

    @Test
    void sigtermStopsTrainingInOneLineWithoutARelaunchAndLeavesTheRunResumable() throws Exception {
        // found by hand: SIGTERM printed "attempt 1 of 3 failed ... SparkContext was shut down", "relaunching the
        // gang", then ~90 stack lines
        Path ds = dir.resolve("gen");
        assertEquals(0, CliRun.of("generate", "--out", ds.toString(), "--users", "80", "--items", "300").exitCode());
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(JvmFlags.moduleFlags());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), RingmasterCli.class.getName(), "train",
                "--data", ds.toString(), "--runs-dir", dir.resolve("runs").toString(), "--run-id", "sig",
                "--epochs", "100000", "--set", "checkpoint.every-epochs=1", "--set", "retry.max-attempts=3"));
        Process p = new ProcessBuilder(cmd).start();
        try {
            stopAndCheck(p);
        } finally {
            p.destroyForcibly();
        }
    }

    private void stopAndCheck(Process p) throws Exception {
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                out.append(line).append('\n');
                if (line.startsWith("checkpoint  step") && out.toString().contains("epoch   3")) {
                    p.toHandle().destroy(); // SIGTERM (Process.destroy would also close our end of its output)
                    break;
                }
            }
            while ((line = r.readLine()) != null) {
                out.append(line).append('\n');
            }
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the driver did not stop");
        String e = err.get(10, TimeUnit.SECONDS);
        String all = out + e;
        assertFalse(all.contains("relaunching"), all);
        assertFalse(all.contains("\tat "), "no stack trace:\n" + all);
        List<String> errors = e.lines().filter(l -> l.startsWith("error: ")).toList();
        assertEquals(1, errors.size(), all);
        assertTrue(errors.get(0).startsWith("error: run sig: stopped by a signal to the driver during attempt 1;"
                + " its checkpoints are intact: `ringmaster resume "), all);
        Path run = dir.resolve("runs").resolve("sig");
        assertFalse(Files.exists(run.resolve(RunLock.FILE)), "the run is released");
        List<String> warnings = new ArrayList<>();
        assertTrue(new CheckpointStore(Storage.configuration(), run.toString(), 3).newest(warnings).isPresent());
        assertEquals(List.of(), warnings);
    }
}
