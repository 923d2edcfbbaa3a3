package io.ringmaster.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The validation split (issue 20, king of the hill): no validation or test pair is left in training, each
 * user's validation item is the latest training interaction before the test, the split is recorded in the
 * manifest with its checksum, and a dataset without one reads back without one.
 */
class ValidationSplitTest {

    @TempDir
    Path tmp;

    @Test
    void noValidationOrTestPairLeaksIntoTrainingAndTheSplitIsRecorded() throws Exception {
        SyntheticDataset.Result r = SyntheticDataset.generate(new SyntheticDataset.Params(200, 80, 15, 6, 0.8, 2.5,
                5, 20));
        Dataset ds = r.dataset();
        Dataset held = ValidationSplit.holdOut(ds, 7);
        Set<Long> train = new HashSet<>();
        for (int j = 0; j < held.train().size(); j++) {
            train.add(pair(held.train().users()[j], held.train().items()[j]));
        }
        for (int j = 0; j < held.validation().size(); j++) {
            assertTrue(!train.contains(pair(held.validation().users()[j], held.validation().items()[j])),
                    "validation pair " + j + " is in training");
        }
        for (int j = 0; j < held.test().size(); j++) {
            assertTrue(!train.contains(pair(held.test().users()[j], held.test().items()[j])),
                    "test pair " + j + " is in training");
        }
        // the validation item is each user's latest training interaction: no later one is left in training
        long[] latestLeft = new long[ds.numUsers()];
        java.util.Arrays.fill(latestLeft, Long.MIN_VALUE);
        for (int j = 0; j < held.train().size(); j++) {
            int u = held.train().users()[j];
            latestLeft[u] = Math.max(latestLeft[u], held.train().timestamps()[j]);
        }
        long[] validationTime = new long[ds.numUsers()];
        for (int j = 0; j < ds.train().size(); j++) {
            int u = ds.train().users()[j];
            for (int v = 0; v < held.validation().size(); v++) {
                if (held.validation().users()[v] == u && held.validation().items()[v] == ds.train().items()[j]) {
                    validationTime[u] = Math.max(validationTime[u], ds.train().timestamps()[j]);
                }
            }
        }
        for (int v = 0; v < held.validation().size(); v++) {
            int u = held.validation().users()[v];
            assertTrue(validationTime[u] >= latestLeft[u], "user " + u + " kept a later interaction in training");
        }
        assertTrue(held.validation().size() > ds.numUsers() / 2, "most users get a validation item");
        assertTrue(ds.train().size() - held.train().size() >= held.validation().size());

        // written and read back: listed in the manifest, checked like every file
        String dir = tmp.resolve("held").toString();
        DatasetManifest m = DatasetStore.write(Storage.configuration(), dir, held, r.source(), "ncf; validation",
                false);
        assertTrue(m.files().containsKey(DatasetStore.VALIDATION), m.files().keySet().toString());
        Dataset back = DatasetStore.read(Storage.configuration(), dir);
        assertEquals(java.util.Arrays.toString(held.validation().items()),
                java.util.Arrays.toString(back.validation().items()));
        assertThrows(IllegalArgumentException.class, () -> ValidationSplit.holdOut(back, 7));
        java.nio.file.Files.write(tmp.resolve("held").resolve(DatasetStore.VALIDATION), new byte[] {0});
        DataFormatException e = assertThrows(DataFormatException.class, () -> DatasetStore.read(
                Storage.configuration(), dir));
        assertTrue(e.getMessage().contains("validation.parquet: SHA-256"), e.getMessage());

        String plain = tmp.resolve("plain").toString();
        DatasetStore.write(Storage.configuration(), plain, ds, r.source(), "ncf", false);
        assertNull(DatasetStore.read(Storage.configuration(), plain).validation());
    }

    private static long pair(int user, int item) {
        return (long) user << 32 | item;
    }
}
