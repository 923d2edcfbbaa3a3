package io.ringmaster.orchestrator.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringmaster.data.Storage;
import io.ringmaster.orchestrator.job.JobConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirectoryTest {

    @TempDir
    Path dir;

    @Test
    void aRunFromBeforeLazyAdamContinuesWithAdamAndANewRunKeepsTheOptimizerItNamed() throws Exception {
        Path old = dir.resolve("old");
        Files.createDirectories(old);
        // a job.yaml as runs wrote it before train.embedding-optimizer existed
        Files.writeString(old.resolve(RunDirectory.JOB_FILE), "data: d\ntrain:\n  epochs: 3\n  engine: fused\n");
        JobConfig job = RunDirectory.readJob(Storage.configuration(), old.toString(), List.of());
        assertEquals("adam", job.embeddingOptimizer().id());
        assertEquals("lazy-adam", RunDirectory.readJob(Storage.configuration(), old.toString(),
                List.of("train.embedding-optimizer=lazy-adam")).embeddingOptimizer().id(), "an override still wins");

        Path fresh = dir.resolve("new");
        Files.createDirectories(fresh);
        Files.writeString(fresh.resolve(RunDirectory.JOB_FILE), JobConfig.parse("data: d\n", "job.yaml",
                List.of("train.embedding-optimizer=lazy-adam")).validate().toRedactedYaml());
        assertEquals("lazy-adam", RunDirectory.readJob(Storage.configuration(), fresh.toString(), List.of())
                .embeddingOptimizer().id());
    }
}
