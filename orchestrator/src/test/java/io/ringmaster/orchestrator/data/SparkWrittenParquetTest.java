package io.ringmaster.orchestrator.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringmaster.data.DataFormatException;
import io.ringmaster.data.Storage;
import io.ringmaster.data.loader.Batch;
import io.ringmaster.data.loader.ColumnSpec;
import io.ringmaster.data.loader.LoaderCursor;
import io.ringmaster.data.loader.NullPolicy;
import io.ringmaster.data.loader.ParquetDataset;
import io.ringmaster.data.loader.Retry;
import io.ringmaster.data.loader.ShardLoader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader reads Parquet that Spark wrote: nullable columns, a long id, a double label, dictionary
 * and RLE encodings, each codec; null rows are rejected (naming file, row group, row and column) or
 * skipped on request.
 */
class SparkWrittenParquetTest {

    static SparkSession spark;

    @TempDir
    static Path dir;

    static final int ROWS = 3_000;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[1]").appName("parquet-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
    }

    /** Rows (user = i as long, item = i % 50 as int: dictionary-friendly, label = i / 4.0); every 100th item null. */
    static Dataset<Row> frame(boolean withNulls) {
        StructType schema = new StructType()
                .add("user", DataTypes.LongType, true)
                .add("item", DataTypes.IntegerType, true)
                .add("label", DataTypes.DoubleType, true)
                .add("comment", DataTypes.StringType, true);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            rows.add(RowFactory.create((long) i, withNulls && i % 100 == 7 ? null : i % 50, i / 4.0, "r" + i));
        }
        return spark.createDataFrame(rows, schema).repartition(3);
    }

    static final List<ColumnSpec> COLS = List.of(ColumnSpec.ints("user"), ColumnSpec.ints("item"),
            ColumnSpec.floats("label"));

    static long[] readAll(ParquetDataset ds, NullPolicy nulls) throws IOException {
        ShardLoader l = new ShardLoader(ds, new ShardLoader.Options(10, 2, 2, 1, nulls, Retry.defaults()), 0, 1);
        long own = l.plan(0).rows(0);
        long users = 0;
        long checked = 0;
        long read = 0;
        try (ShardLoader.Epoch e = l.open(LoaderCursor.start(0))) {
            Batch b = new Batch(COLS, 10);
            while (e.next(b)) {
                for (int k = 0; k < 10 && read < own; k++, read++) {
                    int u = b.ints(0)[k];
                    assertEquals(u % 50, b.ints(1)[k], "item of user " + u);
                    assertEquals(u / 4.0f, b.floats(2)[k], "label of user " + u);
                    users += u;
                    checked++;
                }
            }
        }
        return new long[] {checked, users};
    }

    @ParameterizedTest
    @ValueSource(strings = {"snappy", "zstd", "gzip", "uncompressed"})
    void readsEveryCodecWithNullableColumns(String codec) throws IOException {
        Path out = dir.resolve("plain-" + codec);
        frame(false).write().option("compression", codec).option("parquet.block.size", 4096).parquet(out.toString());
        ParquetDataset ds = ParquetDataset.open(Storage.configuration(), out.toString(), COLS, Retry.defaults());
        assertEquals(ROWS, ds.rows());
        long[] r = readAll(ds, NullPolicy.REJECT);
        assertEquals(ROWS, r[0]);
        assertEquals((long) ROWS * (ROWS - 1) / 2, r[1], "every row exactly once");
    }

    @ParameterizedTest
    @ValueSource(strings = {"reject", "skip"})
    void nullRowsAreRejectedOrSkippedAsAsked(String policy) throws IOException {
        Path out = dir.resolve("nulls-" + policy);
        frame(true).write().parquet(out.toString());
        ParquetDataset ds = ParquetDataset.open(Storage.configuration(), out.toString(), COLS, Retry.defaults());
        if (policy.equals("reject")) {
            DataFormatException e = assertThrows(DataFormatException.class, () -> readAll(ds, NullPolicy.REJECT));
            assertTrue(e.getMessage().matches("(?s).*part-.*\\.parquet: row group \\d+, row \\d+: column 'item' is"
                    + " null.*"), e.getMessage());
        } else {
            // the plan counts rows from the footers; skipped rows are made up by padding, so count distinct users
            java.util.Set<Integer> users = new java.util.HashSet<>();
            ShardLoader l = new ShardLoader(ds, new ShardLoader.Options(10, 2, 2, 1, NullPolicy.SKIP, Retry.defaults()),
                    0, 1);
            try (ShardLoader.Epoch e = l.open(LoaderCursor.start(0))) {
                Batch b = new Batch(COLS, 10);
                while (e.next(b)) {
                    for (int k = 0; k < 10; k++) {
                        users.add(b.ints(0)[k]);
                        assertEquals(b.ints(0)[k] % 50, b.ints(1)[k]);
                    }
                }
            }
            assertEquals(ROWS - ROWS / 100, users.size(), "null rows dropped, all others read");
            assertTrue(users.stream().noneMatch(u -> u % 100 == 7));
        }
    }

    @org.junit.jupiter.api.Test
    void aDataFrameMaterializesIntoEnoughRowGroupsForTheGang() throws IOException {
        String out = dir.resolve("from-frame").toString();
        io.ringmaster.data.loader.LoaderManifest m = DataFrameMaterializer.write(
                frame(false).withColumnRenamed("label", "rating"), out, 64, 2, java.util.Map.of());
        assertEquals(ROWS, m.rows());
        assertTrue(m.rowGroups() >= 8, "row groups: " + m.rowGroups());
        ParquetDataset ds = ParquetDataset.open(Storage.configuration(), out, List.of(ColumnSpec.ints("user"),
                ColumnSpec.ints("item"), ColumnSpec.floats("rating")), Retry.defaults());
        assertEquals(m.rowGroups(), ds.rowGroups().size(), "the manifest and _SUCCESS are not data");
        long[] r = readAll(ds, NullPolicy.REJECT);
        assertEquals((long) ROWS * (ROWS - 1) / 2, r[1]);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> DataFrameMaterializer.write(frame(false).withColumnRenamed("item", "movie"),
                        dir.resolve("bad").toString(), 64, 2, java.util.Map.of()));
        assertTrue(e.getMessage().contains("no 'item' column"), e.getMessage());
    }
}
