package io.ringmaster.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetStoreTest {

    @TempDir
    Path dir;

    private final Configuration conf = Storage.configuration();

    static Dataset small(String titleOfItem1) {
        IdMap users = IdMap.of(new long[] {10, 20, 30});
        IdMap items = IdMap.of(new long[] {100, 200, 300, 400, 500, 600});
        Interactions train = new Interactions(new int[] {0, 0, 1, 2, 2}, new int[] {0, 1, 2, 3, 4},
                new float[] {5, 4, 3, 2, 1}, new long[] {1, 2, 3, 4, 5});
        TestSplit test = TestSplit.of(new int[] {0, 2}, new int[] {2, 5}, new int[][] {{3, 4, 5}, {0, 1}});
        return new Dataset("small", users, items, new String[] {"A", titleOfItem1, null, "D", "E", "F"}, train, test);
    }

    private static DatasetManifest.Source source() {
        return new DatasetManifest.Source("test", "csv", null, null);
    }

    @Test
    void roundTripsEveryTableAndTheManifest() throws IOException {
        String out = dir.resolve("ds").toString();
        DatasetManifest m = DatasetStore.write(conf, out, small("B"), source(), "test split", false);
        assertEquals(3, m.counts().users());
        assertEquals(6, m.counts().items());
        assertEquals(5, m.counts().trainInteractions());
        assertEquals(2, m.counts().testUsers());
        assertEquals(5, m.counts().testNegatives());
        assertEquals(64, m.checksum().length());
        assertEquals(5, m.files().size());
        Dataset back = DatasetStore.read(conf, out);
        Dataset orig = small("B");
        assertArrayEquals(orig.userIds().rawIds(), back.userIds().rawIds());
        assertArrayEquals(orig.itemIds().rawIds(), back.itemIds().rawIds());
        assertArrayEquals(orig.itemTitles(), back.itemTitles());
        assertArrayEquals(orig.train().users(), back.train().users());
        assertArrayEquals(orig.train().items(), back.train().items());
        assertArrayEquals(orig.train().ratings(), back.train().ratings());
        assertArrayEquals(orig.train().timestamps(), back.train().timestamps());
        assertArrayEquals(orig.test().users(), back.test().users());
        assertArrayEquals(orig.test().items(), back.test().items());
        assertArrayEquals(orig.test().negOffsets(), back.test().negOffsets());
        assertArrayEquals(orig.test().negItems(), back.test().negItems());
        assertEquals(m, DatasetStore.manifest(conf, out));
    }

    @Test
    void datasetsWithoutTitlesReadBackWithoutTitles() throws IOException {
        Dataset d = small("B");
        Dataset noTitles = new Dataset("n", d.userIds(), d.itemIds(), null, d.train(), d.test());
        String out = dir.resolve("n").toString();
        DatasetStore.write(conf, out, noTitles, source(), "s", false);
        assertNull(DatasetStore.read(conf, out).itemTitles());
    }

    @Test
    void existingDatasetIsKeptUnlessOverwriteIsAsked() throws IOException {
        String out = dir.resolve("ds").toString();
        DatasetManifest first = DatasetStore.write(conf, out, small("B"), source(), "s", false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DatasetStore.write(conf, out, small("changed"), source(), "s", false));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        assertEquals("B", DatasetStore.read(conf, out).itemTitles()[1]);
        DatasetManifest second = DatasetStore.write(conf, out, small("changed"), source(), "s", true);
        assertEquals("changed", DatasetStore.read(conf, out).itemTitles()[1]);
        assertFalse(first.checksum().equals(second.checksum()));
        assertEquals(List.of("ds"), children());
    }

    @Test
    void failedWriteLeavesNothingBehindAndKeepsTheOldDataset() throws IOException {
        String out = dir.resolve("ds").toString();
        DatasetStore.write(conf, out, small("B"), source(), "s", false);
        IllegalStateException crash = assertThrows(IllegalStateException.class,
                () -> DatasetStore.write(conf, out, small("new"), source(), "s", true, stage -> {
                    if (stage.equals(DatasetStore.BEFORE_COMMIT)) {
                        throw new IllegalStateException("simulated crash before commit");
                    }
                }));
        assertEquals("simulated crash before commit", crash.getMessage());
        assertEquals("B", DatasetStore.read(conf, out).itemTitles()[1]);
        assertEquals(List.of("ds"), children());
        String fresh = dir.resolve("fresh").toString();
        assertThrows(IllegalStateException.class, () -> DatasetStore.write(conf, fresh, small("B"), source(), "s",
                false, stage -> {
                    throw new IllegalStateException("crash");
                }));
        assertEquals(List.of("ds"), children());
    }

    @Test
    void failureWhileSwappingPutsTheOldDatasetBack() throws IOException {
        String out = dir.resolve("ds").toString();
        DatasetStore.write(conf, out, small("B"), source(), "s", false);
        assertThrows(IllegalStateException.class, () -> DatasetStore.write(conf, out, small("new"), source(), "s",
                true, stage -> {
                    if (stage.equals(DatasetStore.OLD_MOVED_ASIDE)) {
                        throw new IllegalStateException("crash between the renames");
                    }
                }));
        assertEquals("B", DatasetStore.read(conf, out).itemTitles()[1]);
        assertEquals(List.of("ds"), children());
    }

    @Test
    void datasetThatAppearsDuringTheWriteIsNotReplacedWithoutOverwrite() throws IOException {
        String out = dir.resolve("ds").toString();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DatasetStore.write(conf, out, small("mine"), source(), "s", false, stage -> {
                    if (stage.equals(DatasetStore.BEFORE_COMMIT)) {
                        try {
                            DatasetStore.write(conf, out, small("theirs"), source(), "s", false);
                        } catch (IOException ex) {
                            throw new java.io.UncheckedIOException(ex);
                        }
                    }
                }));
        assertTrue(e.getMessage().contains("appeared while the dataset was being written"), e.getMessage());
        assertEquals("theirs", DatasetStore.read(conf, out).itemTitles()[1]);
        assertEquals(List.of("ds"), children());
    }

    @Test
    void corruptFileIsNamedByChecksum() throws IOException {
        String out = dir.resolve("ds").toString();
        DatasetStore.write(conf, out, small("B"), source(), "s", false);
        Path train = dir.resolve("ds").resolve(DatasetStore.TRAIN);
        byte[] bytes = java.nio.file.Files.readAllBytes(train);
        bytes[bytes.length / 2] ^= 0x5a;
        java.nio.file.Files.write(train, bytes);
        DataFormatException e = assertThrows(DataFormatException.class, () -> DatasetStore.read(conf, out));
        assertTrue(e.getMessage().contains("train.parquet"), e.getMessage());
        assertTrue(e.getMessage().contains("does not match the manifest"), e.getMessage());
    }

    @Test
    void directoryWithoutManifestIsNotADataset() throws IOException {
        Path notDs = java.nio.file.Files.createDirectories(dir.resolve("raw"));
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> DatasetStore.read(conf, notDs.toString()));
        assertTrue(e.getMessage().contains("is not a Ringmaster dataset"), e.getMessage());
        DataFormatException missing = assertThrows(DataFormatException.class,
                () -> DatasetStore.read(conf, dir.resolve("absent").toString()));
        assertTrue(missing.getMessage().contains("dataset not found"), missing.getMessage());
    }

    @Test
    void refusesToReplaceANonDatasetDirectory() throws IOException {
        Path other = java.nio.file.Files.createDirectories(dir.resolve("home"));
        Files.write(other, "precious.txt", "keep me");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DatasetStore.write(conf, other.toString(), small("B"), source(), "s", true));
        assertTrue(e.getMessage().contains("not a Ringmaster dataset"), e.getMessage());
        assertTrue(java.nio.file.Files.exists(other.resolve("precious.txt")));
    }

    private List<String> children() throws IOException {
        try (Stream<Path> s = java.nio.file.Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
