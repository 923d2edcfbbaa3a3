package io.ringmaster.workers.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringmaster.data.Storage;
import io.ringmaster.workers.model.EmbeddingOptimizer;
import io.ringmaster.workers.model.NeuMFSpec;
import io.ringmaster.workers.eval.Metrics;
import io.ringmaster.workers.model.FusedEngine;
import io.ringmaster.workers.model.NeuMF;
import io.ringmaster.workers.train.Examples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {

    @TempDir
    Path dir;

    static final NeuMFSpec SPEC = new NeuMFSpec(30, 40, 4, new int[] {16, 8}, 1e-3, 3);

    static CheckpointState state(long step) {
        return new CheckpointState(1, (int) step, step, 0.5, 1, new Metrics(10, java.util.List.of("hr", "ndcg", "map"),
                new double[] {0.6, 0.4, 0.3}, 0), 1.0, 100, 2, "hash", null);
    }

    /** An engine after a few real steps, so parameters and Adam state are non-trivial. */
    static FusedEngine trained(int steps) {
        FusedEngine e = new FusedEngine(SPEC, EmbeddingOptimizer.LAZY_ADAM);
        int[] u = {0, 1, 2, 3};
        int[] i = {5, 6, 7, 8};
        float[] y = {1, 0, 1, 0};
        for (int s = 0; s < steps; s++) {
            e.computeGradient(Examples.interactions(u, i, y), 0, 4);
            e.applyUpdate();
        }
        return e;
    }

    @Test
    void roundTripsParametersAdamStateAndStepExactly() throws IOException {
        Configuration conf = Storage.configuration();
        CheckpointStore store = new CheckpointStore(conf, dir.toString(), 3);
        try (FusedEngine e = trained(7)) {
            store.save(e.save(), state(7), "job: yes\n");
            Checkpoint c = store.newest(new ArrayList<>()).orElseThrow();
            assertEquals(7, c.step());
            assertEquals(state(7), c.state());
            assertEquals("job: yes\n", store.loadJob(c));
            try (FusedEngine back = new FusedEngine(NeuMF.restore(store.loadModel(c)), SPEC,
                    EmbeddingOptimizer.LAZY_ADAM)) {
                assertEquals(7, back.step());
                assertArrayEquals(e.parameters(), back.parameters());
                // the same next step on both: Adam's moments and bias correction came back exactly
                int[] u = {4, 5};
                int[] i = {1, 2};
                float[] y = {1, 0};
                e.computeGradient(Examples.interactions(u, i, y), 0, 2);
                e.applyUpdate();
                back.computeGradient(Examples.interactions(u, i, y), 0, 2);
                back.applyUpdate();
                assertArrayEquals(e.parameters(), back.parameters());
            }
        }
    }

    @Test
    void aCrashBeforeTheCommitLeavesThePreviousCheckpointNewest() throws IOException {
        Configuration conf = Storage.configuration();
        try (FusedEngine e = trained(3)) {
            new CheckpointStore(conf, dir.toString(), 3).save(e.save(), state(3), "");
            CheckpointStore crashing = new CheckpointStore(conf, dir.toString(), 3, () -> {
                throw new IOException("simulated crash");
            });
            assertThrows(IOException.class, () -> crashing.save(e.save(), state(9), ""));
            assertEquals(3, new CheckpointStore(conf, dir.toString(),
                    3).newest(new ArrayList<>()).orElseThrow().step());
        }
    }

    @Test
    void aCorruptOrUnmarkedCheckpointIsSkippedWithAWarningNamingIt() throws IOException {
        Configuration conf = Storage.configuration();
        CheckpointStore store = new CheckpointStore(conf, dir.toString(), 5);
        try (FusedEngine e = trained(2)) {
            store.save(e.save(), state(2), "");
            store.save(e.save(), state(4), "");
            store.save(e.save(), state(6), "");
        }
        Path cp = dir.resolve(CheckpointStore.DIR);
        byte[] model = Files.readAllBytes(cp.resolve("6/model.zip"));
        model[model.length / 2] ^= 1;
        Files.write(cp.resolve("6/model.zip"), model);
        Files.delete(cp.resolve("4/" + CheckpointStore.MARKER));
        List<String> warnings = new ArrayList<>();
        assertEquals(2, store.newest(warnings).orElseThrow().step());
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("checkpoints/6") && warnings.get(0).contains("model.zip: SHA-256"),
                warnings.get(0));
        assertTrue(warnings.get(1).contains("checkpoints/4") && warnings.get(1).contains("_COMMITTED"),
                warnings.get(1));
        IOException bad = assertThrows(IOException.class, () -> store.open(cp.resolve("6").toString()));
        assertTrue(bad.getMessage().contains("SHA-256"), bad.getMessage());
    }

    @Test
    void keepsOnlyTheNewestK() throws IOException {
        Configuration conf = Storage.configuration();
        CheckpointStore store = new CheckpointStore(conf, dir.toString(), 2);
        try (FusedEngine e = trained(1)) {
            for (long s : new long[] {10, 20, 30, 40}) {
                store.save(e.save(), state(s), "");
            }
        }
        try (var list = Files.list(dir.resolve(CheckpointStore.DIR))) {
            assertEquals(List.of("30", "40"), list.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void theNewestEpochEndIsKeptBesideTheNewestKForASmallerGangToContinueFrom() throws IOException {
        Configuration conf = Storage.configuration();
        CheckpointStore store = new CheckpointStore(conf, dir.toString(), 2);
        try (FusedEngine e = trained(1)) {
            store.save(e.save(), epochEnd(100, 3), ""); // end of epoch 1
            for (long s : new long[] {120, 140, 160}) {
                store.save(e.save(), state(s), ""); // mid-epoch 2, by a gang of 2
            }
        }
        try (var list = Files.list(dir.resolve(CheckpointStore.DIR))) {
            assertEquals(List.of("100", "140", "160"), list.map(p -> p.getFileName().toString()).sorted().toList());
        }
        // the mid-epoch ones were written by a gang of 2 (state()): a gang of 3 continues from the epoch end
        List<String> warnings = new java.util.ArrayList<>();
        assertEquals(160, store.newest(warnings).orElseThrow().state().globalStep());
        assertEquals(100, store.newest(warnings, st -> st.workers() == 3 || st.stepInEpoch() == 0).orElseThrow()
                .state().globalStep());
        try (FusedEngine e = trained(1)) {
            store.save(e.save(), epochEnd(200, 2), ""); // a newer epoch end replaces the old one
            store.save(e.save(), state(210), "");
        }
        try (var list = Files.list(dir.resolve(CheckpointStore.DIR))) {
            assertEquals(List.of("200", "210"), list.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void theBestEpochsCheckpointIsKeptBesideTheNewestK() throws IOException {
        Configuration conf = Storage.configuration();
        CheckpointStore store = new CheckpointStore(conf, dir.toString(), 2);
        try (FusedEngine e = trained(1)) {
            for (int epoch = 1; epoch <= 5; epoch++) { // the figures peaked at epoch 2
                store.save(e.save(), new CheckpointState(epoch, 0, 100L * epoch, 0, Math.min(epoch, 2), null, 1.0,
                        100, 1, "hash", null), "");
            }
        }
        try (var list = Files.list(dir.resolve(CheckpointStore.DIR))) {
            assertEquals(List.of("200", "400", "500"), list.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    private static CheckpointState epochEnd(long step, int workers) {
        return new CheckpointState(1, 0, step, 0, 1, null, 1.0, 100, workers, "hash", null);
    }

    @Test
    void aFailedWriteLeavesNoTemporaryDirectoryAndLeftoversAreRemovedOnRequest() throws IOException {
        // found by hand: a full disk left three .tmp-1500-* folders behind, keeping the disk full
        Configuration conf = Storage.configuration();
        Path cp = dir.resolve(CheckpointStore.DIR);
        try (FusedEngine e = trained(2)) {
            new CheckpointStore(conf, dir.toString(), 3).save(e.save(), state(2), "");
            CheckpointStore failing = new CheckpointStore(conf, dir.toString(), 3, () -> {
                throw new IOException("No space left on device");
            });
            assertThrows(IOException.class, () -> failing.save(e.save(), state(4), ""));
        }
        try (var list = Files.list(cp)) {
            assertEquals(List.of("2"), list.map(p -> p.getFileName().toString()).sorted().toList());
        }
        Files.createDirectories(cp.resolve(".tmp-1500-abc/inner"));
        Files.writeString(cp.resolve(".tmp-1500-abc/inner/model.zip"), "partial");
        CheckpointStore store = new CheckpointStore(conf, dir.toString(), 3);
        List<String> removed = store.removeUnfinishedWrites();
        assertEquals(1, removed.size(), removed.toString());
        assertTrue(removed.get(0).endsWith("checkpoints/.tmp-1500-abc"), removed.toString());
        assertFalse(Files.exists(cp.resolve(".tmp-1500-abc")));
        assertEquals(2, store.newest(new ArrayList<>()).orElseThrow().step());
    }

    @Test
    void retentionNeverDeletesACheckpointItCouldNotVerify() throws IOException {
        // found by hand: a run whose checkpoints lacked _COMMITTED was retrained and retention deleted them
        Configuration conf = Storage.configuration();
        CheckpointStore store = new CheckpointStore(conf, dir.toString(), 1);
        Path cp = dir.resolve(CheckpointStore.DIR);
        try (FusedEngine e = trained(1)) {
            new CheckpointStore(conf, dir.toString(), 5).save(e.save(), state(10), "");
            new CheckpointStore(conf, dir.toString(), 5).save(e.save(), state(20), "");
            Files.delete(cp.resolve("10/" + CheckpointStore.MARKER));
            Files.delete(cp.resolve("20/" + CheckpointStore.MARKER));
            store.save(e.save(), state(30), "");
            store.save(e.save(), state(40), "");
        }
        try (var list = Files.list(cp)) { // 30 went as retention asks; the unmarked 10 and 20 stay
            assertEquals(List.of("10", "20", "40"), list.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void readsTheStateOfCheckpointsWrittenBeforeNamedFigures() throws Exception {
        String before = "{\"epoch\":3,\"stepInEpoch\":0,\"globalStep\":90,\"epochLossSum\":0.0,\"bestEpoch\":2,"
                + "\"bestHr\":0.61,\"bestNdcg\":0.35,\"bestMap\":0.28,\"trainSeconds\":4.5,\"trained\":900,"
                + "\"workers\":2,\"configHash\":\"h\",\"exchangeState\":[0.5,1.0]}";
        @SuppressWarnings("unchecked")
        CheckpointState st = CheckpointState.fromJson(new com.fasterxml.jackson.databind.ObjectMapper()
                .readValue(before, java.util.Map.class));
        assertEquals(java.util.List.of("hr", "ndcg", "map"), st.best().names());
        assertEquals(0.61, st.best().get("hr"));
        assertEquals(0.28, st.best().get("map"));
        assertEquals(2, st.bestEpoch());
        assertEquals(90, st.globalStep());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {0.5, 1.0}, st.exchangeState());
        CheckpointState again = CheckpointState.fromJson(st.toJson());
        assertEquals(st.best(), again.best(), "its own form round-trips");
        org.junit.jupiter.api.Assertions.assertArrayEquals(st.exchangeState(), again.exchangeState());
    }
}
