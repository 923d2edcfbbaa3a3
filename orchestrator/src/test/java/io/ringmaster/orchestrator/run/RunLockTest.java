package io.ringmaster.orchestrator.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringmaster.data.Storage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLockTest {

    @TempDir
    java.nio.file.Path tmp;

    private FileSystem fs() throws Exception {
        return Storage.fs(Storage.path(tmp.toString()), Storage.configuration());
    }

    private Path run(String id) throws Exception {
        Path dir = new Path(Storage.path(tmp.toString()), id);
        fs().mkdirs(dir);
        return dir;
    }

    @Test
    void aLiveProcessOwnsTheRunUntilItEndsAndAKilledOneLosesItAtOnce() throws Exception {
        // found by hand: two jobs on one run id both ran, each into the other's run
        Path dir = run("r1");
        Process holder = new ProcessBuilder(java(), "-cp", System.getProperty("java.class.path"),
                RunLockHolder.class.getName(), dir.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                    StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("holding ")) {
                // its logging
            }
            assertNotNull(line, "the holder process did not take the lock");
            assertEquals(holder.pid(), Long.parseLong(line.substring("holding ".length())));
            RunInUseException e = assertThrows(RunInUseException.class, () -> RunLock.acquire(fs(), dir, "r1"));
            assertTrue(e.getMessage().startsWith("run r1 is in use by another job: host "), e.getMessage());
            assertTrue(e.getMessage().contains("pid " + holder.pid() + ","), e.getMessage());
            assertTrue(e.getMessage().contains("pick another run.id"), e.getMessage());
            holder.destroyForcibly(); // kill -9: no chance to release
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
            assertTrue(Files.exists(tmp.resolve("r1").resolve(RunLock.FILE)), "a killed owner leaves its lock");
            try (RunLock mine = RunLock.acquire(fs(), dir, "r1")) { // its process is gone: taken over at once
                assertEquals(ProcessHandle.current().pid(), RunLock.owner(fs(), dir).orElseThrow().pid());
            }
            assertFalse(Files.exists(tmp.resolve("r1").resolve(RunLock.FILE)), "released on close");
        } finally {
            holder.destroyForcibly();
        }
    }

    @Test
    void anotherHostsLockIsTakenOverOnlyOnceItStopsBeingRefreshed() throws Exception {
        Path dir = run("r2");
        java.nio.file.Path file = tmp.resolve("r2").resolve(RunLock.FILE);
        Files.writeString(file, "{\"host\":\"some-other-host\",\"pid\":4242,\"acquired\":\"2026-01-01T00:00:00Z\","
                + "\"token\":\"theirs\"}");
        RunInUseException e = assertThrows(RunInUseException.class,
                () -> RunLock.acquire(fs(), dir, "r2", Duration.ofSeconds(10), Duration.ofSeconds(60)));
        assertTrue(e.getMessage().contains("host some-other-host, pid 4242"), e.getMessage());
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()
                - 120_000));
        try (RunLock mine = RunLock.acquire(fs(), dir, "r2", Duration.ofSeconds(10), Duration.ofSeconds(60))) {
            assertNotEquals("theirs", RunLock.owner(fs(), dir).orElseThrow().token());
        }
    }

    @Test
    void theOwnerRefreshesItsLockAndNoticesWhenItIsTakenOver() throws Exception {
        Path dir = run("r3");
        java.nio.file.Path file = tmp.resolve("r3").resolve(RunLock.FILE);
        try (RunLock mine = RunLock.acquire(fs(), dir, "r3", Duration.ofMillis(100), Duration.ofSeconds(60))) {
            Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(0));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (Files.getLastModifiedTime(file).toMillis() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(Files.getLastModifiedTime(file).toMillis() > 0, "not refreshed");
            assertNull(mine.lost());
            Files.writeString(file, "{\"host\":\"h2\",\"pid\":7,\"acquired\":\"now\",\"token\":\"theirs\"}");
            while (mine.lost() == null && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(mine.lost() != null && mine.lost().contains("taken over by host h2, pid 7"), mine.lost());
        }
        assertTrue(Files.exists(file), "a lock someone else holds is not deleted on close");
        assertEquals(List.of("theirs"), List.of(RunLock.owner(fs(), dir).orElseThrow().token()));
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }
}
