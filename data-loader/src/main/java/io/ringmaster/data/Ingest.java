package io.ringmaster.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Turns a source (MovieLens {@code u.data} / {@code ratings.dat}, headed CSV, or an NCF split) into
 * a {@link Dataset}: raw ids mapped to dense indices, and the NCF test split taken from
 * {@code .test.negative} when the source has one, else built by {@link LeaveOneOutSplit}.
 */
public final class Ingest {

    /** {@code format} null means detect it from the file names. */
    public record Options(InputFormat format, int evalNegatives, long seed) {
        public static Options defaults() {
            return new Options(null, 99, 42);
        }
    }

    /** The dataset plus a description of its source and split for the manifest. */
    public record Result(Dataset dataset, DatasetManifest.Source source, String split) {
    }

    private record Located(InputFormat format, Path file) {
    }

    private Ingest() {
    }

    public static Result ingest(Configuration conf, String input, Options options) throws IOException {
        Path path = Storage.path(input);
        FileSystem fs = Storage.fs(path, conf);
        if (!fs.exists(path)) {
            throw new DataFormatException(Storage.display(path) + ": file not found");
        }
        Located src = locate(fs, path, options.format());
        return src.format() == InputFormat.NCF ? ingestNcf(fs, src.file(), options) : ingestRatings(fs, src, options);
    }

    private static Located locate(FileSystem fs, Path path, InputFormat format) throws IOException {
        if (fs.getFileStatus(path).isFile()) {
            return new Located(format != null ? format : formatOfFile(path), path);
        }
        FileStatus[] children = fs.listStatus(path);
        List<String> names = new ArrayList<>();
        for (FileStatus c : children) {
            if (c.isFile()) {
                names.add(c.getPath().getName());
            }
        }
        if (format == null || format == InputFormat.NCF) {
            List<String> trains = names.stream().filter(n -> n.endsWith(".train.rating")).toList();
            if (trains.size() == 1) {
                return new Located(InputFormat.NCF, new Path(path, trains.get(0)));
            }
            if (trains.size() > 1) {
                throw new DataFormatException(Storage.display(path) + ": several NCF splits " + trains
                        + "; pass the .train.rating file to ingest");
            }
            if (format == InputFormat.NCF) {
                throw new DataFormatException(Storage.display(path) + ": no NAME.train.rating file for --format ncf");
            }
        }
        Map<InputFormat, String> byFormat = new LinkedHashMap<>();
        byFormat.put(InputFormat.UDATA, "u.data");
        byFormat.put(InputFormat.DAT, "ratings.dat");
        byFormat.put(InputFormat.CSV, "ratings.csv");
        for (Map.Entry<InputFormat, String> e : byFormat.entrySet()) {
            if ((format == null || format == e.getKey()) && names.contains(e.getValue())) {
                return new Located(e.getKey(), new Path(path, e.getValue()));
            }
        }
        if (format == null || format == InputFormat.CSV) {
            List<String> csvs = names.stream().filter(n -> n.endsWith(".csv")).toList();
            if (csvs.size() == 1) {
                return new Located(InputFormat.CSV, new Path(path, csvs.get(0)));
            }
        }
        throw new DataFormatException(Storage.display(path) + ": no interactions file found for "
                + (format == null ? "any format" : "--format " + format.id())
                + " (looked for NAME.train.rating, u.data, ratings.dat, ratings.csv or one *.csv; found " + names
                + ")");
    }

    private static InputFormat formatOfFile(Path file) {
        String n = file.getName();
        if (n.endsWith(".train.rating")) {
            return InputFormat.NCF;
        }
        if (n.equals("u.data")) {
            return InputFormat.UDATA;
        }
        if (n.endsWith(".dat")) {
            return InputFormat.DAT;
        }
        if (n.endsWith(".csv")) {
            return InputFormat.CSV;
        }
        throw new DataFormatException(Storage.display(file) + ": cannot tell its format from the name; pass --format"
                + " udata|dat|csv|ncf");
    }

    private static Result ingestRatings(FileSystem fs, Located src, Options options) throws IOException {
        RawInteractions raw = InteractionFileReader.read(fs, src.file(), src.format());
        IdMap users = IdMap.of(raw.users());
        IdMap items = IdMap.of(raw.items());
        Interactions all = dense(raw, users, items);
        LeaveOneOutSplit.Result split = LeaveOneOutSplit.split(all, users.size(), items.size(),
                options.evalNegatives(), options.seed());
        Map<String, String> sha = new LinkedHashMap<>();
        sha.put(src.file().getName(), Storage.sha256(fs, src.file()));
        String[] titles = null;
        Path titleFile = switch (src.format()) {
            case UDATA -> new Path(src.file().getParent(), "u.item");
            case DAT -> new Path(src.file().getParent(), "movies.dat");
            default -> null;
        };
        if (titleFile != null && fs.exists(titleFile)) {
            Map<Long, String> byId = ItemTitlesReader.read(fs, titleFile, src.format() == InputFormat.UDATA ? "|"
                    : "::");
            titles = new String[items.size()];
            for (int i = 0; i < titles.length; i++) {
                titles[i] = byId.get(items.rawId(i));
            }
            sha.put(titleFile.getName(), Storage.sha256(fs, titleFile));
        }
        String splitDesc = "leave-one-out (latest interaction per user" + (raw.hasTimestamps() ? "" : ", random: no"
                + " timestamps") + "; " + options.evalNegatives() + " sampled negatives; seed " + options.seed() + ")";
        Dataset ds = new Dataset(datasetName(src.file()), users, items, titles, split.train(), split.test());
        return new Result(ds, new DatasetManifest.Source(Storage.display(src.file()), src.format().id(), sha, null),
                splitDesc);
    }

    private static Result ingestNcf(FileSystem fs, Path trainFile, Options options) throws IOException {
        if (!trainFile.getName().endsWith(".train.rating") || trainFile.getName().equals(".train.rating")) {
            throw new DataFormatException(Storage.display(trainFile) + ": the NCF split is read from NAME.train.rating"
                    + " with NAME.test.negative beside it; pass that file or its directory");
        }
        String prefix = trainFile.getName().substring(0, trainFile.getName().length() - ".train.rating".length());
        Path negFile = new Path(trainFile.getParent(), prefix + ".test.negative");
        Path testFile = new Path(trainFile.getParent(), prefix + ".test.rating");
        if (!fs.exists(negFile)) {
            throw new DataFormatException(Storage.display(negFile) + ": file not found (the NCF split needs "
                    + prefix + ".test.negative beside " + trainFile.getName() + ")");
        }
        RawInteractions train = InteractionFileReader.read(fs, trainFile, InputFormat.NCF);
        NcfNegativesReader.RawTest test = NcfNegativesReader.read(fs, negFile);
        Map<String, String> sha = new LinkedHashMap<>();
        sha.put(trainFile.getName(), Storage.sha256(fs, trainFile));
        sha.put(negFile.getName(), Storage.sha256(fs, negFile));
        if (fs.exists(testFile)) {
            checkTestRating(fs, testFile, test, negFile);
            sha.put(testFile.getName(), Storage.sha256(fs, testFile));
        }

        long[] allUsers = concat(train.users(), test.users());
        int negCount = 0;
        for (long[] n : test.negatives()) {
            negCount += n.length;
        }
        long[] allItems = new long[train.size() + test.items().length + negCount];
        System.arraycopy(train.items(), 0, allItems, 0, train.size());
        System.arraycopy(test.items(), 0, allItems, train.size(), test.items().length);
        int at = train.size() + test.items().length;
        for (long[] n : test.negatives()) {
            System.arraycopy(n, 0, allItems, at, n.length);
            at += n.length;
        }
        IdMap users = IdMap.of(allUsers);
        IdMap items = IdMap.of(allItems);
        Interactions dense = dense(train, users, items);

        Set<Long> positives = new HashSet<>();
        for (int i = 0; i < dense.size(); i++) {
            positives.add(pair(dense.users()[i], dense.items()[i]));
        }
        int n = test.users().length;
        int[] tu = new int[n];
        int[] ti = new int[n];
        int[][] negs = new int[n][];
        Set<Integer> seenUsers = new HashSet<>();
        String negName = Storage.display(negFile);
        for (int r = 0; r < n; r++) {
            tu[r] = users.indexOf(test.users()[r]);
            ti[r] = items.indexOf(test.items()[r]);
            if (!seenUsers.add(tu[r])) {
                throw new DataFormatException(negName + ": user " + test.users()[r] + " has more than one test row");
            }
            if (positives.contains(pair(tu[r], ti[r]))) {
                throw new DataFormatException(negName + ": held-out pair (" + test.users()[r] + "," + test.items()[r]
                        + ") is also in " + trainFile.getName() + " (the test item would leak into training)");
            }
            long[] rawNeg = test.negatives()[r];
            negs[r] = new int[rawNeg.length];
            for (int k = 0; k < rawNeg.length; k++) {
                int it = items.indexOf(rawNeg[k]);
                if (it == ti[r] || positives.contains(pair(tu[r], it))) {
                    throw new DataFormatException(negName + ": negative item " + rawNeg[k] + " of user "
                            + test.users()[r] + " is an item that user interacted with");
                }
                negs[r][k] = it;
            }
        }
        String splitDesc = "ncf test.negative (" + prefix + ")";
        String[] titles = ncfTitles(fs, trainFile.getParent(), train, items, sha);
        Dataset ds = new Dataset(prefix, users, items, titles, dense, TestSplit.of(tu, ti, negs));
        return new Result(ds, new DatasetManifest.Source(Storage.display(trainFile), InputFormat.NCF.id(), sha, null),
                splitDesc);
    }

    /**
     * Item titles for an NCF split that sits beside the MovieLens files it was made from ({@code u.item}
     * and {@code u.data}): NCF splits renumber ids from 0, so the offset between the split's ids and
     * MovieLens's is found by matching the split's first rows (user, item, timestamp) against
     * {@code u.data}; titles are attached only when every checked row matches one offset. Null otherwise.
     */
    private static String[] ncfTitles(FileSystem fs, Path dir, RawInteractions train, IdMap items,
                                      Map<String, String> sha) throws IOException {
        Path uItem = new Path(dir, "u.item");
        Path uData = new Path(dir, "u.data");
        if (!fs.exists(uItem) || !fs.exists(uData) || train.size() == 0 || !train.hasTimestamps()) {
            return null;
        }
        RawInteractions ml = InteractionFileReader.read(fs, uData, InputFormat.UDATA);
        Set<String> rows = new HashSet<>();
        for (int i = 0; i < ml.size(); i++) {
            rows.add(ml.user(i) + "|" + ml.item(i) + "|" + ml.timestamp(i));
        }
        int checked = Math.min(200, train.size());
        for (long offset : new long[] {1, 0}) {
            boolean all = true;
            for (int i = 0; i < checked && all; i++) {
                all = rows.contains((train.user(i) + offset) + "|" + (train.item(i) + offset) + "|"
                        + train.timestamp(i));
            }
            if (all) {
                Map<Long, String> byId = ItemTitlesReader.read(fs, uItem, "|");
                String[] titles = new String[items.size()];
                for (int i = 0; i < titles.length; i++) {
                    titles[i] = byId.get(items.rawId(i) + offset);
                }
                sha.put(uItem.getName(), Storage.sha256(fs, uItem));
                return titles;
            }
        }
        return null;
    }

    private static void checkTestRating(FileSystem fs, Path testFile, NcfNegativesReader.RawTest test, Path negFile)
            throws IOException {
        RawInteractions rated = InteractionFileReader.read(fs, testFile, InputFormat.NCF);
        Map<Long, Long> itemByUser = new LinkedHashMap<>();
        for (int i = 0; i < rated.size(); i++) {
            itemByUser.put(rated.user(i), rated.item(i));
        }
        for (int r = 0; r < test.users().length; r++) {
            Long item = itemByUser.get(test.users()[r]);
            if (item == null || item != test.items()[r]) {
                throw new DataFormatException(Storage.display(negFile) + ": test pair (" + test.users()[r] + ","
                        + test.items()[r] + ") disagrees with " + testFile.getName() + " ("
                        + (item == null ? "user missing" : "item " + item) + ")");
            }
        }
    }

    static Interactions dense(RawInteractions raw, IdMap users, IdMap items) {
        int n = raw.size();
        int[] u = new int[n];
        int[] it = new int[n];
        float[] r = new float[n];
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            u[i] = users.indexOf(raw.user(i));
            it[i] = items.indexOf(raw.item(i));
            r[i] = raw.rating(i);
            t[i] = raw.timestamp(i);
        }
        return new Interactions(u, it, r, t);
    }

    private static long pair(int user, int item) {
        return ((long) user << 32) | (item & 0xffffffffL);
    }

    private static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String datasetName(Path file) {
        Path parent = file.getParent();
        return parent != null && !parent.getName().isEmpty() ? parent.getName() : file.getName();
    }
}
