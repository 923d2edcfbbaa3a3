package io.ringmaster.orchestrator.score;

import io.ringmaster.data.Dataset;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.workers.export.BundleScorer;
import io.ringmaster.workers.export.ModelBundle;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;

/**
 * Batch scoring in Spark with an exported {@link ModelBundle}. The bundle is loaded once per JVM
 * ({@link BundleCache}); each partition scores with its own kernel, a user's whole catalogue (top-K)
 * or 64k pairs at a time. Output is Parquet with raw ids.
 */
public final class ScoreJob {

    /** What a scoring run did: rows written and unknown ids met (with up to a few examples). */
    public record Report(long rows, long unknownUsers, List<Long> unknownUserExamples, long unknownItems,
                         List<Long> unknownItemExamples, String note) {

        Report(long rows, long unknownUsers, List<Long> unknownUserExamples, long unknownItems,
               List<Long> unknownItemExamples) {
            this(rows, unknownUsers, unknownUserExamples, unknownItems, unknownItemExamples, null);
        }
    }

    public static final StructType TOP_K = new StructType()
            .add("user", DataTypes.LongType, false)
            .add("rank", DataTypes.IntegerType, false)
            .add("item", DataTypes.LongType, false)
            .add("score", DataTypes.FloatType, false)
            .add("title", DataTypes.StringType, true);

    private ScoreJob() {
    }

    /** Top-K items per user ({@code users}: "all" or a Parquet/CSV file with a {@code user} column of raw ids). */
    public static Report topK(SparkSession spark, String bundleUri, String users, String outUri, int k,
                              String excludeSeen, UnknownIdPolicy policy, Map<String, String> hadoop)
            throws IOException {
        if (k < 1) {
            throw new IllegalArgumentException("--top-k must be >= 1, got " + k);
        }
        ModelBundle bundle = BundleCache.get(bundleUri, hadoop);
        String note = null;
        if (k > bundle.items().size()) { // more would repeat nothing: there are no more items to rank
            note = String.format("--top-k %,d is more than the %,d items the model knows: each user gets at most %,d",
                    k, bundle.items().size(), bundle.items().size());
            k = bundle.items().size();
        }
        org.apache.spark.sql.Dataset<Long> ids = userIds(spark, bundle, users);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<HashMap<Integer, int[]>> seen = jsc.broadcast(seen(spark, bundle, bundleUri, excludeSeen, hadoop));
        LongAccumulator unknown = spark.sparkContext().longAccumulator("unknown users");
        CollectionAccumulator<Long> examples = spark.sparkContext().collectionAccumulator("unknown user examples");
        org.apache.spark.sql.Dataset<Row> out = ids.mapPartitions(new TopKPartition(bundleUri, new HashMap<>(hadoop),
                k, seen, policy, unknown, examples), Encoders.row(TOP_K));
        out.write().mode(SaveMode.ErrorIfExists).parquet(outUri);
        long rows = spark.read().parquet(outUri).count();
        return new Report(rows, unknown.value(), firstFew(examples.value()), 0, List.of(), note);
    }

    /**
     * Top-K items per user, each from the model a king-of-the-hill routing ({@code ringmaster koth --out})
     * routes that user to, in one Spark job; same output as {@link #topK}. Its models must be bundles of one
     * dataset.
     */
    public static Report topKRouted(SparkSession spark, String routingUri, String users, String outUri, int k,
                                    String excludeSeen, UnknownIdPolicy policy, Map<String, String> hadoop)
            throws IOException {
        if (k < 1) {
            throw new IllegalArgumentException("--top-k must be >= 1, got " + k);
        }
        List<String> uris = routedBundles(routingUri, hadoop);
        ModelBundle first = BundleCache.get(uris.get(0), hadoop);
        HashMap<Long, Integer> route = routes(routingUri, hadoop, uris.size());
        k = Math.min(k, first.items().size());
        org.apache.spark.sql.Dataset<Long> ids = userIds(spark, first, users);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<HashMap<Integer, int[]>> seen = jsc.broadcast(seen(spark, first, uris.get(0), excludeSeen, hadoop));
        Broadcast<HashMap<Long, Integer>> routes = jsc.broadcast(route);
        LongAccumulator unknown = spark.sparkContext().longAccumulator("unknown users");
        CollectionAccumulator<Long> examples = spark.sparkContext().collectionAccumulator("unknown user examples");
        org.apache.spark.sql.Dataset<Row> out = ids.mapPartitions(new TopKPartition(uris, routes,
                new HashMap<>(hadoop), k, seen, policy, unknown, examples), Encoders.row(TOP_K));
        out.write().mode(SaveMode.ErrorIfExists).parquet(outUri);
        long rows = spark.read().parquet(outUri).count();
        return new Report(rows, unknown.value(), firstFew(examples.value()), 0, List.of(), null);
    }

    /** The raw user ids to score: every user {@code bundle} knows ("all"), or a file's {@code user} column. */
    private static org.apache.spark.sql.Dataset<Long> userIds(SparkSession spark, ModelBundle bundle, String users) {
        if (!"all".equals(users)) {
            return read(spark, users, "user").select(functions.col("user").cast(DataTypes.LongType))
                    .as(Encoders.LONG());
        }
        List<Long> all = new ArrayList<>();
        for (long id : bundle.users().rawIds()) {
            all.add(id);
        }
        return spark.createDataset(all, Encoders.LONG())
                .repartition(Math.max(1, spark.sparkContext().defaultParallelism()));
    }

    /**
     * The bundles a king-of-the-hill routing ({@code koth.json}) routes to, in model-index order, checked: each a
     * model bundle, all with one dataset's users and items.
     */
    static List<String> routedBundles(String routingUri, Map<String, String> hadoop) throws IOException {
        org.apache.hadoop.conf.Configuration conf = io.ringmaster.data.Storage.configuration(hadoop);
        org.apache.hadoop.fs.Path dir = io.ringmaster.data.Storage.path(routingUri);
        org.apache.hadoop.fs.FileSystem fs = io.ringmaster.data.Storage.fs(dir, conf);
        org.apache.hadoop.fs.Path summaryFile = new org.apache.hadoop.fs.Path(dir, KingOfTheHill.SUMMARY);
        if (!fs.exists(summaryFile)) {
            throw new IllegalArgumentException(io.ringmaster.data.Storage.display(dir) + " is not a routing (no "
                    + KingOfTheHill.SUMMARY + "; `ringmaster koth --out` writes one)");
        }
        com.fasterxml.jackson.databind.JsonNode summary = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                io.ringmaster.data.Storage.readBytes(fs, summaryFile));
        List<String> uris = new ArrayList<>();
        ModelBundle first = null;
        for (com.fasterxml.jackson.databind.JsonNode m : summary.path("models")) {
            String uri = m.path("uri").asText();
            if (!fs.exists(new org.apache.hadoop.fs.Path(io.ringmaster.data.Storage.path(uri), "manifest.json"))) {
                throw new IllegalArgumentException("routing model " + m.path("name").asText() + " (" + uri + ") is"
                        + " not a model bundle: export it (`ringmaster export " + uri + " --out <bundle>`) and run koth"
                        + " with the bundles");
            }
            ModelBundle b = BundleCache.get(uri, hadoop);
            if (first == null) {
                first = b;
            } else if (!Arrays.equals(first.users().rawIds(), b.users().rawIds())
                    || !Arrays.equals(first.items().rawIds(), b.items().rawIds())) {
                throw new IllegalArgumentException("routing model " + m.path("name").asText() + " knows other users or"
                        + " items than " + uris.get(0) + ": the routed models must come from one dataset");
            }
            uris.add(uri);
        }
        if (uris.isEmpty()) {
            throw new IllegalArgumentException(io.ringmaster.data.Storage.display(summaryFile) + " lists no models");
        }
        return uris;
    }

    /** The routing's user (raw id) → model index, checked against {@code models}. */
    static HashMap<Long, Integer> routes(String routingUri, Map<String, String> hadoop, int models)
            throws IOException {
        org.apache.hadoop.conf.Configuration conf = io.ringmaster.data.Storage.configuration(hadoop);
        org.apache.hadoop.fs.Path dir = io.ringmaster.data.Storage.path(routingUri);
        Map<String, Object> table = io.ringmaster.data.ParquetTable.read(conf, new org.apache.hadoop.fs.Path(dir,
                KingOfTheHill.ROUTING), Map.of("user", io.ringmaster.data.ParquetTable.Kind.INT64, "model_index",
                io.ringmaster.data.ParquetTable.Kind.INT32));
        long[] routedUsers = (long[]) table.get("user");
        int[] modelIndex = (int[]) table.get("model_index");
        HashMap<Long, Integer> route = new HashMap<>();
        for (int i = 0; i < routedUsers.length; i++) {
            if (modelIndex[i] < 0 || modelIndex[i] >= models) {
                throw new IllegalArgumentException(io.ringmaster.data.Storage.display(dir) + "/" + KingOfTheHill.ROUTING
                        + ": row " + i + " routes to model " + modelIndex[i] + " of " + models);
            }
            route.put(routedUsers[i], modelIndex[i]);
        }
        return route;
    }

    /**
     * {@code in}'s (user, item) rows each scored by the model its user is routed to (users the routing does not
     * know go to the first model, whose unknown-id policy applies): the input columns plus score and logit.
     */
    public static org.apache.spark.sql.Dataset<Row> scoreRouted(SparkSession spark, String routingUri,
                                                                org.apache.spark.sql.Dataset<Row> in,
                                                                UnknownIdPolicy policy, Map<String, String> hadoop)
            throws IOException {
        List<String> uris = routedBundles(routingUri, hadoop);
        HashMap<Long, Integer> route = routes(routingUri, hadoop, uris.size());
        List<Row> pairs = new ArrayList<>();
        route.forEach((u, m) -> pairs.add(RowFactory.create(u, m)));
        org.apache.spark.sql.Dataset<Row> table = spark.createDataFrame(pairs, new StructType()
                .add("ringmaster_user", DataTypes.LongType, false).add("ringmaster_model", DataTypes.IntegerType,
                        false));
        org.apache.spark.sql.Dataset<Row> tagged = in.join(functions.broadcast(table), in.col("user")
                .cast(DataTypes.LongType).equalTo(table.col("ringmaster_user")), "left");
        org.apache.spark.sql.Dataset<Row> out = null;
        for (int m = 0; m < uris.size(); m++) {
            org.apache.spark.sql.Column mine = functions.coalesce(tagged.col("ringmaster_model"), functions.lit(0))
                    .equalTo(m);
            org.apache.spark.sql.Dataset<Row> part = tagged.filter(mine).drop("ringmaster_user", "ringmaster_model");
            org.apache.spark.sql.Dataset<Row> scored = score(spark, uris.get(m), part, policy, hadoop).rows();
            out = out == null ? scored : out.unionByName(scored);
        }
        return out;
    }

    /** Scores given (user, item) rows: the input columns plus {@code score} (probability) and {@code logit}. */
    public static Report pairs(SparkSession spark, String bundleUri, String pairsUri, String outUri,
                               UnknownIdPolicy policy, Map<String, String> hadoop) {
        Scored scored = score(spark, bundleUri, read(spark, pairsUri, "user", "item"), policy, hadoop);
        scored.rows().write().mode(SaveMode.ErrorIfExists).parquet(outUri);
        long rows = spark.read().parquet(outUri).count();
        return scored.report(rows);
    }

    /** A scored DataFrame (lazy) and the counters its evaluation fills. */
    public record Scored(org.apache.spark.sql.Dataset<Row> rows, LongAccumulator unknownUsers,
                         LongAccumulator unknownItems, CollectionAccumulator<Long> userExamples,
                         CollectionAccumulator<Long> itemExamples) {
        public Report report(long written) {
            return new Report(written, unknownUsers.value(), firstFew(userExamples.value()), unknownItems.value(),
                    firstFew(itemExamples.value()));
        }
    }

    /** {@code in} (with integer {@code user}, {@code item} raw-id columns) plus {@code score} and {@code logit}. */
    public static Scored score(SparkSession spark, String bundleUri, org.apache.spark.sql.Dataset<Row> in,
                               UnknownIdPolicy policy, Map<String, String> hadoop) {
        StructType schema = in.schema().add("score", DataTypes.FloatType, true).add("logit", DataTypes.FloatType, true);
        LongAccumulator unknownUsers = spark.sparkContext().longAccumulator("unknown users");
        LongAccumulator unknownItems = spark.sparkContext().longAccumulator("unknown items");
        CollectionAccumulator<Long> userExamples = spark.sparkContext().collectionAccumulator("unknown user examples");
        CollectionAccumulator<Long> itemExamples = spark.sparkContext().collectionAccumulator("unknown item examples");
        org.apache.spark.sql.Dataset<Row> out = in.mapPartitions(new PairsPartition(bundleUri, new HashMap<>(hadoop),
                policy, in.schema().fieldIndex("user"), in.schema().fieldIndex("item"), unknownUsers, unknownItems,
                userExamples, itemExamples), Encoders.row(schema));
        return new Scored(out, unknownUsers, unknownItems, userExamples, itemExamples);
    }

    private static List<Long> firstFew(List<Long> xs) {
        return xs.stream().distinct().sorted().limit(5).toList();
    }

    /** Parquet (or CSV with a header, by extension) with the named integer id columns. */
    static org.apache.spark.sql.Dataset<Row> read(SparkSession spark, String uri, String... idColumns) {
        org.apache.spark.sql.Dataset<Row> df = uri.endsWith(".csv")
                ? spark.read().option("header", "true").option("inferSchema", "true").csv(uri)
                : spark.read().parquet(uri);
        for (String c : idColumns) {
            if (!Arrays.asList(df.columns()).contains(c)) {
                throw new IllegalArgumentException(uri + ": no '" + c + "' column (columns: "
                        + Arrays.toString(df.columns()) + ")");
            }
            DataType t = df.schema().apply(c).dataType();
            if (!t.equals(DataTypes.IntegerType) && !t.equals(DataTypes.LongType)) {
                throw new IllegalArgumentException(uri + ": column '" + c + "' is " + t.simpleString()
                        + "; raw ids must be int or bigint");
            }
        }
        return df;
    }

    /**
     * Items to exclude per user index: from a Ringmaster dataset directory (its training interactions;
     * it must be the bundle's dataset) or from Parquet/CSV with raw {@code user, item} columns.
     */
    static HashMap<Integer, int[]> seen(SparkSession spark, ModelBundle bundle, String bundleUri, String uri,
                                        Map<String, String> hadoop) throws IOException {
        HashMap<Integer, int[]> out = new HashMap<>();
        if (uri == null) {
            return out;
        }
        Configuration conf = Storage.configuration(hadoop);
        Path p = Storage.path(uri);
        Map<Integer, List<Integer>> lists = new HashMap<>();
        if (Storage.fs(p, conf).exists(new Path(p, DatasetStore.MANIFEST))) {
            String checksum = DatasetStore.manifest(conf, uri).checksum();
            if (!checksum.equals(bundle.provenance().get("datasetChecksum"))) {
                throw new IllegalArgumentException(uri + " is not the dataset the model in " + bundleUri
                        + " was trained on (checksums differ); pass a file of raw (user, item) ids instead");
            }
            Dataset ds = DatasetStore.read(conf, uri);
            int[] u = ds.train().users();
            int[] it = ds.train().items();
            for (int r = 0; r < u.length; r++) {
                lists.computeIfAbsent(u[r], x -> new ArrayList<>()).add(it[r]);
            }
        } else {
            Iterator<Row> rows = read(spark, uri, "user", "item").select(
                    functions.col("user").cast(DataTypes.LongType), functions.col("item").cast(DataTypes.LongType))
                    .toLocalIterator();
            while (rows.hasNext()) {
                Row r = rows.next();
                if (r.isNullAt(0) || r.isNullAt(1)) {
                    continue;
                }
                int u = bundle.users().indexOf(r.getLong(0));
                int it = bundle.items().indexOf(r.getLong(1));
                if (u >= 0 && it >= 0) {
                    lists.computeIfAbsent(u, x -> new ArrayList<>()).add(it);
                }
            }
        }
        lists.forEach((u, items) -> {
            int[] a = items.stream().mapToInt(Integer::intValue).sorted().distinct().toArray();
            out.put(u, a);
        });
        return out;
    }

    /** Items by training popularity, most popular first. */
    static int[] byPopularity(ModelBundle b) {
        Integer[] order = new Integer[b.numItems()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> b.trainCount(y) != b.trainCount(x) ? Integer.compare(b.trainCount(y),
                b.trainCount(x)) : Integer.compare(x, y));
        return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
    }

    /**
     * Top-K per user with one bundle, or (king of the hill) with the bundle {@code route} names for each user:
     * the bundles share their dataset's id maps; a user the routing does not list is an unknown user.
     */
    static final class TopKPartition implements MapPartitionsFunction<Long, Row>, Serializable {
        private final List<String> bundleUris;
        private final Broadcast<HashMap<Long, Integer>> route; // null: every user to bundleUris[0]
        private final HashMap<String, String> hadoop;
        private final int k;
        private final Broadcast<HashMap<Integer, int[]>> seen;
        private final UnknownIdPolicy policy;
        private final LongAccumulator unknown;
        private final CollectionAccumulator<Long> examples;

        TopKPartition(String bundleUri, HashMap<String, String> hadoop, int k, Broadcast<HashMap<Integer, int[]>> seen,
                      UnknownIdPolicy policy, LongAccumulator unknown, CollectionAccumulator<Long> examples) {
            this(List.of(bundleUri), null, hadoop, k, seen, policy, unknown, examples);
        }

        TopKPartition(List<String> bundleUris, Broadcast<HashMap<Long, Integer>> route, HashMap<String, String> hadoop,
                      int k, Broadcast<HashMap<Integer, int[]>> seen, UnknownIdPolicy policy, LongAccumulator unknown,
                      CollectionAccumulator<Long> examples) {
            this.bundleUris = new ArrayList<>(bundleUris);
            this.route = route;
            this.hadoop = hadoop;
            this.k = k;
            this.seen = seen;
            this.policy = policy;
            this.unknown = unknown;
            this.examples = examples;
        }

        @Override
        public Iterator<Row> call(Iterator<Long> users) {
            ModelBundle b = BundleCache.get(bundleUris.get(0), hadoop);
            List<Row> out = new ArrayList<>();
            int[] items = new int[k];
            float[] logits = new float[k];
            int[] popular = null;
            int reported = 0;
            HashMap<Integer, int[]> exclude = seen.value();
            HashMap<Long, Integer> routes = route == null ? null : route.value();
            BundleScorer[] scorers = new BundleScorer[bundleUris.size()];
            try {
                while (users.hasNext()) {
                    Long raw = users.next();
                    if (raw == null) {
                        continue;
                    }
                    int u = b.users().indexOf(raw);
                    Integer model = routes == null ? Integer.valueOf(0) : routes.get(raw);
                    if (u < 0 || model == null) {
                        unknown.add(1);
                        if (reported++ < 5) {
                            examples.add(raw);
                        }
                        if (policy == UnknownIdPolicy.POPULAR) {
                            popular = popular == null ? byPopularity(b) : popular;
                            float top = Math.max(1, b.trainCount(popular[0]));
                            for (int r = 0; r < Math.min(k, popular.length); r++) {
                                int it = popular[r];
                                out.add(RowFactory.create(raw, r + 1, b.items().rawId(it), b.trainCount(it) / top,
                                        b.title(it)));
                            }
                        }
                        continue;
                    }
                    if (scorers[model] == null) {
                        scorers[model] = BundleCache.get(bundleUris.get(model), hadoop).newScorer();
                    }
                    int[] ex = exclude.get(u);
                    int n = scorers[model].topK(u, k, it -> ex != null && Arrays.binarySearch(ex, it) >= 0, items,
                            logits);
                    for (int r = 0; r < n; r++) {
                        out.add(RowFactory.create(raw, r + 1, b.items().rawId(items[r]),
                                BundleScorer.probability(logits[r]), b.title(items[r])));
                    }
                }
            } finally {
                for (BundleScorer sc : scorers) {
                    if (sc != null) {
                        sc.close();
                    }
                }
            }
            return out.iterator();
        }
    }

    static final class PairsPartition implements MapPartitionsFunction<Row, Row>, Serializable {
        private static final int BATCH = 65_536;
        private final String bundleUri;
        private final HashMap<String, String> hadoop;
        private final UnknownIdPolicy policy;
        private final int userCol;
        private final int itemCol;
        private final LongAccumulator unknownUsers;
        private final LongAccumulator unknownItems;
        private final CollectionAccumulator<Long> userExamples;
        private final CollectionAccumulator<Long> itemExamples;

        PairsPartition(String bundleUri, HashMap<String, String> hadoop, UnknownIdPolicy policy, int userCol,
                       int itemCol, LongAccumulator unknownUsers, LongAccumulator unknownItems,
                       CollectionAccumulator<Long> userExamples, CollectionAccumulator<Long> itemExamples) {
            this.bundleUri = bundleUri;
            this.hadoop = hadoop;
            this.policy = policy;
            this.userCol = userCol;
            this.itemCol = itemCol;
            this.unknownUsers = unknownUsers;
            this.unknownItems = unknownItems;
            this.userExamples = userExamples;
            this.itemExamples = itemExamples;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            ModelBundle b = BundleCache.get(bundleUri, hadoop);
            List<Row> out = new ArrayList<>();
            int[] us = new int[BATCH];
            int[] is = new int[BATCH];
            float[] logits = new float[BATCH];
            Row[] pending = new Row[BATCH];
            int reportedUsers = 0;
            int reportedItems = 0;
            float top = 0;
            for (int i = 0; i < b.numItems(); i++) {
                top = Math.max(top, b.trainCount(i));
            }
            try (BundleScorer scorer = b.newScorer()) {
                int n = 0;
                while (rows.hasNext() || n > 0) {
                    if (rows.hasNext() && n < BATCH) {
                        Row r = rows.next();
                        if (r.isNullAt(userCol) || r.isNullAt(itemCol)) {
                            unknownItems.add(r.isNullAt(itemCol) ? 1 : 0);
                            unknownUsers.add(r.isNullAt(userCol) ? 1 : 0);
                            continue; // a null id is never scored
                        }
                        long rawU = ((Number) r.get(userCol)).longValue();
                        long rawI = ((Number) r.get(itemCol)).longValue();
                        int u = b.users().indexOf(rawU);
                        int it = b.items().indexOf(rawI);
                        if (it < 0) {
                            unknownItems.add(1);
                            if (reportedItems++ < 5) {
                                itemExamples.add(rawI);
                            }
                            continue;
                        }
                        if (u < 0) {
                            unknownUsers.add(1);
                            if (reportedUsers++ < 5) {
                                userExamples.add(rawU);
                            }
                            if (policy == UnknownIdPolicy.POPULAR) {
                                out.add(append(r, b.trainCount(it) / Math.max(1f, top), Float.NaN));
                            }
                            continue;
                        }
                        us[n] = u;
                        is[n] = it;
                        pending[n++] = r;
                        continue;
                    }
                    scorer.logits(us, is, n, logits);
                    for (int j = 0; j < n; j++) {
                        out.add(append(pending[j], BundleScorer.probability(logits[j]), logits[j]));
                    }
                    n = 0;
                }
            }
            return out.iterator();
        }

        private static Row append(Row r, float score, float logit) {
            Object[] v = new Object[r.length() + 2];
            for (int i = 0; i < r.length(); i++) {
                v[i] = r.get(i);
            }
            v[r.length()] = score;
            v[r.length() + 1] = logit;
            return RowFactory.create(v);
        }
    }
}
