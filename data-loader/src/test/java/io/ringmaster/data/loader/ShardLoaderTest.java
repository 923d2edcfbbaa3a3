package io.ringmaster.data.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringmaster.data.DataFormatException;
import io.ringmaster.data.ParquetTable;
import io.ringmaster.data.Storage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardLoaderTest {

    @TempDir
    Path dir;

    static final List<ColumnSpec> COLS = List.of(ColumnSpec.ints("user"), ColumnSpec.ints("item"),
            ColumnSpec.floats("label"));

    /** Two part files of rows (id, 2·id, id/10), several row groups each. */
    Path write(int rows) throws IOException {
        Path out = dir.resolve("train");
        Files.createDirectories(out);
        Configuration conf = Storage.configuration();
        int half = rows / 2;
        for (int part = 0; part < 2; part++) {
            int from = part == 0 ? 0 : half;
            int to = part == 0 ? half : rows;
            int[] u = new int[to - from];
            int[] i = new int[to - from];
            float[] l = new float[to - from];
            for (int r = from; r < to; r++) {
                u[r - from] = r;
                i[r - from] = 2 * r;
                l[r - from] = r / 10f;
            }
            ParquetTable.write(conf, Storage.path(out.resolve("part-0000" + part + ".parquet").toString()), "t",
                    List.of(ParquetTable.Column.ints("user", u), ParquetTable.Column.ints("item", i),
                            ParquetTable.Column.floats("label", l)), 8 * 1024);
        }
        Files.writeString(out.resolve("_SUCCESS"), "");
        return out;
    }

    static ShardLoader loader(ParquetDataset ds, int rank, int ranks, int batch) {
        return new ShardLoader(ds, new ShardLoader.Options(batch, 2, 3, 11, NullPolicy.REJECT, Retry.defaults()),
                rank, ranks);
    }

    static List<int[]> epoch(ShardLoader l, LoaderCursor from) throws IOException {
        List<int[]> out = new ArrayList<>();
        try (ShardLoader.Epoch e = l.open(from)) {
            Batch b = new Batch(COLS, l.plan(from.epoch()).localBatch());
            while (e.next(b)) {
                int[] users = b.ints(0).clone();
                for (int k = 0; k < b.size(); k++) { // columns stay aligned row by row
                    assertEquals(2 * users[k], b.ints(1)[k]);
                    assertEquals(users[k] / 10f, b.floats(2)[k]);
                }
                out.add(users);
            }
        }
        return out;
    }

    @Test
    void everyRankRunsTheSameStepsAndTogetherTheyReadEveryRow() throws IOException {
        ParquetDataset ds = ParquetDataset.open(Storage.configuration(), write(20_000).toString(), COLS,
                Retry.defaults());
        assertTrue(ds.rowGroups().size() >= 8, "the test needs several row groups, got " + ds.rowGroups().size());
        for (int ranks : new int[] {1, 2, 3}) {
            Map<Integer, Integer> count = new HashMap<>();
            int steps = -1;
            for (int r = 0; r < ranks; r++) {
                ShardLoader l = loader(ds, r, ranks, 64);
                List<int[]> batches = epoch(l, LoaderCursor.start(0));
                if (steps < 0) {
                    steps = batches.size();
                }
                assertEquals(steps, batches.size(), "rank " + r + " runs the same number of steps");
                // the shard itself comes out once, then wrapping pads up to whole batches
                ShardPlan p = l.plan(0);
                long own = p.rows(r);
                int read = 0;
                for (int[] b : batches) {
                    for (int u : b) {
                        if (read++ < own) {
                            count.merge(u, 1, Integer::sum);
                        }
                    }
                }
            }
            assertEquals(20_000, count.size(), "every row read, gang of " + ranks);
            assertTrue(count.values().stream().allMatch(c -> c == 1), "no row twice before padding");
        }
    }

    @Test
    void rowsAreShuffledAndTheOrderChangesWithTheEpoch() throws IOException {
        ParquetDataset ds = ParquetDataset.open(Storage.configuration(), write(5_000).toString(), COLS,
                Retry.defaults());
        ShardLoader l = loader(ds, 0, 1, 100);
        int[] first = epoch(l, LoaderCursor.start(0)).get(0);
        int ascending = 0;
        for (int k = 1; k < first.length; k++) {
            ascending += first[k] > first[k - 1] ? 1 : 0;
        }
        assertTrue(ascending < 80, "a shuffled batch is not in file order: " + ascending + " ascending pairs");
        assertTrue(!java.util.Arrays.equals(first, epoch(l, LoaderCursor.start(1)).get(0)));
    }

    @Test
    void aCursorResumesWithExactlyTheNextBatch() throws IOException {
        ParquetDataset ds = ParquetDataset.open(Storage.configuration(), write(6_000).toString(), COLS,
                Retry.defaults());
        for (int rank = 0; rank < 2; rank++) {
            ShardLoader l = loader(ds, rank, 2, 50);
            List<int[]> whole = epoch(l, LoaderCursor.start(3));
            for (int at : new int[] {0, 1, 17, whole.size() - 1, whole.size()}) {
                List<int[]> rest = epoch(loader(ds, rank, 2, 50), new LoaderCursor(3, at));
                assertEquals(whole.size() - at, rest.size());
                for (int k = 0; k < rest.size(); k++) {
                    assertArrayEquals(whole.get(at + k), rest.get(k), "rank " + rank + " from step " + at);
                }
            }
        }
    }

    @Test
    void fewerRowGroupsThanWorkersFailsBeforeTraining() throws IOException {
        Path one = dir.resolve("one.parquet");
        ParquetTable.write(Storage.configuration(), Storage.path(one.toString()), "t", List.of(
                ParquetTable.Column.ints("user", new int[10]), ParquetTable.Column.ints("item", new int[10]),
                ParquetTable.Column.floats("label", new float[10])));
        ParquetDataset ds = ParquetDataset.open(Storage.configuration(), one.toString(), COLS, Retry.defaults());
        DataFormatException e = assertThrows(DataFormatException.class, () -> loader(ds, 0, 2, 4));
        assertTrue(e.getMessage().contains("1 row group(s) for 2 workers"), e.getMessage());
    }

    @Test
    void aCorruptFooterAndAWrongSchemaNameTheFileAndColumn() throws IOException {
        Path data = write(2_000);
        Path bad = data.resolve("part-00009.parquet");
        Files.write(bad, new byte[] {'P', 'A', 'R', '1', 1, 2, 3, 4, 5, 6, 7, 8, 9});
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> ParquetDataset.open(Storage.configuration(), data.toString(), COLS, Retry.defaults()));
        assertTrue(e.getMessage().contains("part-00009.parquet: not a Parquet file or its footer is corrupt"),
                e.getMessage());
        Files.delete(bad);

        DataFormatException missing = assertThrows(DataFormatException.class, () -> ParquetDataset.open(
                Storage.configuration(), data.toString(), List.of(ColumnSpec.ints("user"), ColumnSpec.ints("movie")),
                Retry.defaults()));
        assertTrue(missing.getMessage().contains("part-00000.parquet: column 'movie' is missing"),
                missing.getMessage());

        Path strings = dir.resolve("strings.parquet");
        ParquetTable.write(Storage.configuration(), Storage.path(strings.toString()), "t", List.of(
                ParquetTable.Column.strings("user", new String[] {"a"})));
        DataFormatException type = assertThrows(DataFormatException.class, () -> ParquetDataset.open(
                Storage.configuration(), strings.toString(), List.of(ColumnSpec.ints("user")), Retry.defaults()));
        assertTrue(type.getMessage().contains("strings.parquet: column 'user' has type BINARY"), type.getMessage());
    }

    @Test
    void memoryBoundCoversPrefetchAndShuffleWindow() throws IOException {
        ParquetDataset ds = ParquetDataset.open(Storage.configuration(), write(4_000).toString(), COLS,
                Retry.defaults());
        long bound = loader(ds, 0, 1, 10).memoryBoundBytes();
        assertTrue(bound >= (3 + 2) * ds.maxRowGroupRows() * 12, "bound " + bound);
    }

    @Test
    void transientStorageErrorsAreRetriedAndPermanentOnesAreNot() throws IOException {
        Retry retry = new Retry(3, 1);
        int[] calls = {0};
        assertEquals("ok", retry.run("x", () -> {
            if (calls[0]++ < 2) {
                throw new IOException("connection reset");
            }
            return "ok";
        }));
        IOException e = assertThrows(IOException.class, () -> retry.run("s3a://b/k", () -> {
            throw new IOException("503 slow down");
        }));
        assertTrue(e.getMessage().contains("s3a://b/k: failed 3 times"), e.getMessage());
        calls[0] = 0;
        assertThrows(java.io.FileNotFoundException.class, () -> retry.run("x", () -> {
            calls[0]++;
            throw new java.io.FileNotFoundException("gone");
        }));
        assertEquals(1, calls[0]);
    }
}
