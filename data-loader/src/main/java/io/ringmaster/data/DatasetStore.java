package io.ringmaster.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dataset directory on any Hadoop file system:
 * <pre>
 *   manifest.json            written last: counts, schema, source, SHA-256 of every file
 *   train.parquet            user, item (dense indices), rating, timestamp
 *   test.parquet             user, item: the held-out interaction of each test user
 *   test_negatives.parquet   user, item: each test user's negatives, in test order
 *   users.parquet            index, raw_id
 *   items.parquet            index, raw_id, title (nullable)
 * </pre>
 * Writing goes to a temporary sibling directory that is renamed into place only when complete; an
 * existing dataset is replaced only when asked, and kept until the new one is in place.
 */
public final class DatasetStore {

    public static final String MANIFEST = "manifest.json";
    public static final String TRAIN = "train.parquet";
    /** Row groups aimed for in train.parquet, so a gang's loader can shard it without re-materializing. */
    public static final int TRAIN_ROW_GROUPS = 64;

    /**
     * Row group size for a training table of {@code rows}: about {@link #TRAIN_ROW_GROUPS} groups, 16 KiB to
     * 128 MiB.
     */
    static long trainRowGroupBytes(long rows) {
        long bytes = rows * 20 / TRAIN_ROW_GROUPS; // user, item, rating, timestamp: 20 bytes a row before encoding
        return Math.max(16 * 1024, Math.min(128L << 20, bytes));
    }
    public static final String TEST = "test.parquet";
    public static final String TEST_NEGATIVES = "test_negatives.parquet";
    /**
     * The validation split, when the dataset has one ({@code ringmaster holdout}): per user the interaction
     * before the test one, held out of training (for choosing between models without touching the test).
     */
    public static final String VALIDATION = "validation.parquet";
    public static final String USERS = "users.parquet";
    public static final String ITEMS = "items.parquet";

    private static final Logger LOG = LoggerFactory.getLogger(DatasetStore.class);

    private DatasetStore() {
    }

    /**
     * Writes {@code dataset} to {@code location} and returns its manifest. Fails, leaving any existing
     * data untouched, when {@code location} exists and {@code overwrite} is false.
     */
    public static DatasetManifest write(Configuration conf, String location, Dataset dataset,
                                        DatasetManifest.Source source, String split, boolean overwrite)
            throws IOException {
        return write(conf, location, dataset, source, split, overwrite, stage -> {
        });
    }

    /** Points where tests inject a crash: {@link #BEFORE_COMMIT}, {@link #OLD_MOVED_ASIDE}. */
    static final String BEFORE_COMMIT = "before-commit";
    static final String OLD_MOVED_ASIDE = "old-moved-aside";

    static DatasetManifest write(Configuration conf, String location, Dataset dataset, DatasetManifest.Source source,
                                 String split, boolean overwrite, java.util.function.Consumer<String> fault)
            throws IOException {
        Path out = Storage.path(location);
        FileSystem fs = Storage.fs(out, conf);
        if (fs.exists(out)) {
            if (!overwrite) {
                throw new IllegalArgumentException(Storage.display(out) + " already exists; choose another --out"
                        + " or pass --overwrite to replace it");
            }
            if (fs.getFileStatus(out).isFile()) {
                throw new IllegalArgumentException(Storage.display(out) + " is a file, not a dataset directory");
            }
            if (fs.listStatus(out).length > 0 && !fs.exists(new Path(out, MANIFEST))) {
                throw new IllegalArgumentException(Storage.display(out) + " is a non-empty directory that is not a"
                        + " Ringmaster dataset; refusing to replace it");
            }
        }
        Path parent = out.getParent();
        if (parent != null) {
            fs.mkdirs(parent);
        }
        Path tmp = new Path(parent, "." + out.getName() + ".tmp-" + UUID.randomUUID());
        boolean committed = false;
        try {
            fs.mkdirs(tmp);
            DatasetManifest manifest = writeFiles(conf, fs, tmp, dataset, source, split);
            fault.accept(BEFORE_COMMIT);
            try (OutputStream os = fs.create(new Path(tmp, MANIFEST), false)) {
                os.write(manifest.toJson());
            }
            if (fs.exists(out)) {
                if (!overwrite) {
                    throw new IllegalArgumentException(Storage.display(out) + " appeared while the dataset was being"
                            + " written; nothing was replaced");
                }
                Path old = new Path(parent, "." + out.getName() + ".old-" + UUID.randomUUID());
                rename(fs, out, old);
                try {
                    fault.accept(OLD_MOVED_ASIDE);
                    rename(fs, tmp, out);
                } catch (IOException | RuntimeException e) {
                    // put the previous dataset back; if even that fails, say where it is
                    if (!fs.exists(out) && !fs.rename(old, out)) {
                        throw new IOException("could not replace " + Storage.display(out) + " and could not restore"
                                + " the previous dataset, which is intact at " + Storage.display(old), e);
                    }
                    throw e;
                }
                fs.delete(old, true);
            } else {
                rename(fs, tmp, out);
            }
            committed = true;
            return manifest;
        } finally {
            if (!committed) {
                try {
                    fs.delete(tmp, true);
                } catch (IOException e) {
                    LOG.warn("could not remove temporary directory {}: {}", tmp, e.getMessage());
                }
            }
        }
    }

    private static void rename(FileSystem fs, Path from, Path to) throws IOException {
        if (!fs.rename(from, to)) {
            throw new IOException("could not rename " + Storage.display(from) + " to " + Storage.display(to));
        }
    }

    private static DatasetManifest writeFiles(Configuration conf, FileSystem fs, Path dir, Dataset ds,
                                              DatasetManifest.Source source, String split) throws IOException {
        Interactions train = ds.train();
        TestSplit test = ds.test();
        int[] negUsers = new int[test.negItems().length];
        for (int i = 0; i < test.size(); i++) {
            Arrays.fill(negUsers, test.negOffsets()[i], test.negOffsets()[i + 1], test.users()[i]);
        }
        int[] userIndex = range(ds.numUsers());
        int[] itemIndex = range(ds.numItems());
        String[] titles = ds.itemTitles() != null ? ds.itemTitles() : new String[ds.numItems()];

        Map<String, List<ParquetTable.Column>> tables = new LinkedHashMap<>();
        tables.put(TRAIN, List.of(ParquetTable.Column.ints("user", train.users()),
                ParquetTable.Column.ints("item", train.items()),
                ParquetTable.Column.floats("rating", train.ratings()),
                ParquetTable.Column.longs("timestamp", train.timestamps())));
        tables.put(TEST, List.of(ParquetTable.Column.ints("user", test.users()),
                ParquetTable.Column.ints("item", test.items())));
        tables.put(TEST_NEGATIVES, List.of(ParquetTable.Column.ints("user", negUsers),
                ParquetTable.Column.ints("item", test.negItems())));
        if (ds.validation() != null) {
            tables.put(VALIDATION, List.of(ParquetTable.Column.ints("user", ds.validation().users()),
                    ParquetTable.Column.ints("item", ds.validation().items())));
        }
        tables.put(USERS, List.of(ParquetTable.Column.ints("index", userIndex),
                ParquetTable.Column.longs("raw_id", ds.userIds().rawIds())));
        tables.put(ITEMS, List.of(ParquetTable.Column.ints("index", itemIndex),
                ParquetTable.Column.longs("raw_id", ds.itemIds().rawIds()),
                ParquetTable.Column.strings("title", titles)));

        Map<String, List<DatasetManifest.ColumnSpec>> schema = new LinkedHashMap<>();
        Map<String, DatasetManifest.FileEntry> files = new TreeMap<>();
        for (Map.Entry<String, List<ParquetTable.Column>> t : tables.entrySet()) {
            Path file = new Path(dir, t.getKey());
            String tableName = t.getKey().substring(0, t.getKey().indexOf('.'));
            long rowGroupBytes = t.getKey().equals(TRAIN) ? trainRowGroupBytes(train.size())
                    : ParquetWriter.DEFAULT_BLOCK_SIZE;
            ParquetTable.write(conf, file, tableName, t.getValue(), rowGroupBytes);
            List<DatasetManifest.ColumnSpec> cols = new ArrayList<>();
            for (ParquetTable.Column c : t.getValue()) {
                cols.add(new DatasetManifest.ColumnSpec(c.name(), c.kind().name().toLowerCase(),
                        c.kind() == ParquetTable.Kind.STRING));
            }
            schema.put(tableName, cols);
            FileStatus st = fs.getFileStatus(file);
            files.put(t.getKey(), new DatasetManifest.FileEntry(st.getLen(), t.getValue().get(0).rows(),
                    Storage.sha256(fs, file)));
        }
        int minNeg = Integer.MAX_VALUE;
        int maxNeg = 0;
        for (int i = 0; i < test.size(); i++) {
            minNeg = Math.min(minNeg, test.negativesOf(i));
            maxNeg = Math.max(maxNeg, test.negativesOf(i));
        }
        DatasetManifest.Counts counts = new DatasetManifest.Counts(ds.numUsers(), ds.numItems(), train.size(),
                test.size(), test.negItems().length, test.size() == 0 ? 0 : minNeg, maxNeg);
        return new DatasetManifest(DatasetManifest.FORMAT, DatasetManifest.VERSION, ds.name(), Instant.now().toString(),
                source, counts, split, schema, files, combinedChecksum(files));
    }

    /** SHA-256 over the sorted {@code name:sha256} lines of the data files: one id for the content. */
    static String combinedChecksum(Map<String, DatasetManifest.FileEntry> files) {
        var digest = Storage.newSha256();
        new TreeMap<>(files).forEach((name, entry) ->
                digest.update((name + ":" + entry.sha256() + "\n").getBytes(StandardCharsets.UTF_8)));
        return java.util.HexFormat.of().formatHex(digest.digest());
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }

    /** Reads only the manifest; fails clearly when {@code location} is not a dataset. */
    public static DatasetManifest manifest(Configuration conf, String location) throws IOException {
        Path dir = Storage.path(location);
        FileSystem fs = Storage.fs(dir, conf);
        Path m = new Path(dir, MANIFEST);
        if (!fs.exists(dir)) {
            throw new DataFormatException(Storage.display(dir) + ": dataset not found (create one with"
                    + " `ringmaster ingest` or `ringmaster generate`)");
        }
        if (!fs.exists(m)) {
            throw new DataFormatException(Storage.display(dir) + " is not a Ringmaster dataset: no " + MANIFEST
                    + " (create one with `ringmaster ingest` or `ringmaster generate`)");
        }
        byte[] bytes;
        try (InputStream in = fs.open(m); ByteArrayOutputStream buf = new ByteArrayOutputStream()) {
            in.transferTo(buf);
            bytes = buf.toByteArray();
        }
        DatasetManifest manifest = DatasetManifest.fromJson(bytes, Storage.display(m));
        if (!DatasetManifest.FORMAT.equals(manifest.format())) {
            throw new DataFormatException(Storage.display(m) + ": format is '" + manifest.format() + "', expected '"
                    + DatasetManifest.FORMAT + "'");
        }
        if (manifest.version() != DatasetManifest.VERSION) {
            throw new DataFormatException(Storage.display(m) + ": dataset format version " + manifest.version()
                    + " is not supported by this Ringmaster (reads version " + DatasetManifest.VERSION + ")");
        }
        return manifest;
    }

    /** Reads a whole dataset, verifying every file against the manifest's SHA-256 first. */
    public static Dataset read(Configuration conf, String location) throws IOException {
        DatasetManifest manifest = manifest(conf, location);
        Path dir = Storage.path(location);
        FileSystem fs = Storage.fs(dir, conf);
        List<String> names = new ArrayList<>(List.of(TRAIN, TEST, TEST_NEGATIVES, USERS, ITEMS));
        if (manifest.files() != null && manifest.files().containsKey(VALIDATION)) {
            names.add(VALIDATION);
        }
        for (String name : names) {
            DatasetManifest.FileEntry entry = manifest.files() == null ? null : manifest.files().get(name);
            Path file = new Path(dir, name);
            if (entry == null) {
                throw new DataFormatException(Storage.display(dir) + ": manifest does not list " + name);
            }
            if (!fs.exists(file)) {
                throw new DataFormatException(Storage.display(file) + ": missing (listed in the manifest)");
            }
            String actual = Storage.sha256(fs, file);
            if (!actual.equals(entry.sha256())) {
                throw new DataFormatException(Storage.display(file) + ": SHA-256 " + actual
                        + " does not match the manifest's " + entry.sha256() + " (file changed or corrupt)");
            }
        }
        return readTables(conf, dir, manifest);
    }

    private static Dataset readTables(Configuration conf, Path dir, DatasetManifest manifest) throws IOException {
        var I = ParquetTable.Kind.INT32;
        Map<String, Object> train = ParquetTable.read(conf, new Path(dir, TRAIN), Map.of("user", I, "item", I,
                "rating", ParquetTable.Kind.FLOAT, "timestamp", ParquetTable.Kind.INT64));
        Map<String, Object> test = ParquetTable.read(conf, new Path(dir, TEST), Map.of("user", I, "item", I));
        Map<String, Object> negs = ParquetTable.read(conf, new Path(dir, TEST_NEGATIVES), Map.of("user", I, "item", I));
        Map<String, Object> users = ParquetTable.read(conf, new Path(dir, USERS), Map.of("index", I,
                "raw_id", ParquetTable.Kind.INT64));
        Map<String, Object> items = ParquetTable.read(conf, new Path(dir, ITEMS), Map.of("index", I,
                "raw_id", ParquetTable.Kind.INT64, "title", ParquetTable.Kind.STRING));

        IdMap userIds = IdMap.fromRawIds(orderedRaw((int[]) users.get("index"), (long[]) users.get("raw_id"),
                Storage.display(new Path(dir, USERS))), Storage.display(new Path(dir, USERS)));
        IdMap itemIds = IdMap.fromRawIds(orderedRaw((int[]) items.get("index"), (long[]) items.get("raw_id"),
                Storage.display(new Path(dir, ITEMS))), Storage.display(new Path(dir, ITEMS)));
        String[] titles = (String[]) items.get("title");
        boolean anyTitle = Arrays.stream(titles).anyMatch(t -> t != null);
        int[] tu = (int[]) test.get("user");
        int[] negUsers = (int[]) negs.get("user");
        int[] offsets = new int[tu.length + 1];
        int at = 0;
        for (int i = 0; i < tu.length; i++) {
            while (at < negUsers.length && negUsers[at] == tu[i]) {
                at++;
            }
            offsets[i + 1] = at;
        }
        if (at != negUsers.length) {
            throw new DataFormatException(Storage.display(new Path(dir, TEST_NEGATIVES)) + ": row " + at
                    + " (user " + negUsers[at] + ") is not in test order");
        }
        Dataset ds = new Dataset(manifest.name() == null ? dir.getName() : manifest.name(), userIds, itemIds,
                anyTitle ? titles : null,
                new Interactions((int[]) train.get("user"), (int[]) train.get("item"), (float[]) train.get("rating"),
                        (long[]) train.get("timestamp")),
                new TestSplit(tu, (int[]) test.get("item"), offsets, (int[]) negs.get("item")),
                validation(conf, dir, manifest));
        checkRanges(dir, ds);
        return ds;
    }

    /** The validation split the manifest lists (one held-out item per user, no negatives), or null. */
    private static TestSplit validation(Configuration conf, Path dir, DatasetManifest manifest) throws IOException {
        if (manifest.files() == null || !manifest.files().containsKey(VALIDATION)) {
            return null;
        }
        var I = ParquetTable.Kind.INT32;
        Map<String, Object> v = ParquetTable.read(conf, new Path(dir, VALIDATION), Map.of("user", I, "item", I));
        int[] users = (int[]) v.get("user");
        return new TestSplit(users, (int[]) v.get("item"), new int[users.length + 1], new int[0]);
    }

    private static long[] orderedRaw(int[] index, long[] raw, String file) {
        long[] out = new long[index.length];
        boolean[] seen = new boolean[index.length];
        for (int i = 0; i < index.length; i++) {
            int k = index[i];
            if (k < 0 || k >= index.length || seen[k]) {
                throw new DataFormatException(file + ": row " + i + " has index " + k
                        + "; indices must be 0.." + (index.length - 1) + ", each once");
            }
            seen[k] = true;
            out[k] = raw[i];
        }
        return out;
    }

    private static void checkRanges(Path dir, Dataset ds) {
        checkIndex(dir, TRAIN, "user", ds.train().users(), ds.numUsers());
        checkIndex(dir, TRAIN, "item", ds.train().items(), ds.numItems());
        checkIndex(dir, TEST, "user", ds.test().users(), ds.numUsers());
        checkIndex(dir, TEST, "item", ds.test().items(), ds.numItems());
        checkIndex(dir, TEST_NEGATIVES, "item", ds.test().negItems(), ds.numItems());
        if (ds.validation() != null) {
            checkIndex(dir, VALIDATION, "user", ds.validation().users(), ds.numUsers());
            checkIndex(dir, VALIDATION, "item", ds.validation().items(), ds.numItems());
        }
    }

    private static void checkIndex(Path dir, String file, String column, int[] values, int bound) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0 || values[i] >= bound) {
                throw new DataFormatException(Storage.display(new Path(dir, file)) + ": row " + i + " column '"
                        + column + "' = " + values[i] + " is outside 0.." + (bound - 1));
            }
        }
    }
}
