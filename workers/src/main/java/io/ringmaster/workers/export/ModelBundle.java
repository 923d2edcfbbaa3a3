package io.ringmaster.workers.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ringmaster.data.Dataset;
import io.ringmaster.data.IdMap;
import io.ringmaster.data.ParquetTable;
import io.ringmaster.data.Storage;
import io.ringmaster.workers.model.FactorModel;
import io.ringmaster.workers.model.GraphParameters;
import io.ringmaster.workers.model.NeuMFLayout;
import io.ringmaster.workers.model.NeuMFSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

/**
 * A self-contained trained model: the DL4J network ({@code model.zip}, ModelSerializer, no updater
 * state), or a factor model's user and item rows ({@code factors.bin}: ALS, item2vec, SVD), the model
 * and input schema ({@code model.json}), the id maps and item titles and training popularity
 * ({@code users.parquet}, {@code items.parquet}), provenance ({@code provenance.json}: run, checkpoint,
 * config hash, dataset, metrics at export) and {@code manifest.json} with the SHA-256 of
 * each file, written last. Loading verifies every checksum and the format version.
 */
public final class ModelBundle {

    public static final int FORMAT_VERSION = 1;
    /** What {@code model.json} says the bundle holds. */
    static final String MODEL_NAME = "NeuMF";
    static final String MODEL = "model.zip";
    static final String MODEL_JSON = "model.json";
    static final String USERS = "users.parquet";
    static final String ITEMS = "items.parquet";
    static final String PROVENANCE = "provenance.json";
    static final String MANIFEST = "manifest.json";
    /** A factor bundle's model file and name (ALS, item2vec, SVD). */
    static final String FACTORS = "factors.bin";
    static final String FACTORS_NAME = "factors";
    /** The files a bundle whose model file is {@code modelFile} holds (all but the manifest). */
    private static List<String> files(String modelFile) {
        return List.of(modelFile, MODEL_JSON, USERS, ITEMS, PROVENANCE);
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final NeuMFSpec spec; // null for a factor bundle
    private final float[] params;
    private final FactorModel factors; // null for a NeuMF bundle
    private final IdMap users;
    private final IdMap items;
    private final String[] titles;
    private final int[] itemCounts;
    private final Map<String, Object> provenance;

    private ModelBundle(NeuMFSpec spec, float[] params, FactorModel factors, IdMap users, IdMap items,
                        String[] titles, int[] itemCounts, Map<String, Object> provenance) {
        this.spec = spec;
        this.params = params;
        this.factors = factors;
        this.users = users;
        this.items = items;
        this.titles = titles;
        this.itemCounts = itemCounts;
        this.provenance = provenance;
    }

    /** Writes a bundle of {@code graph} (trained on {@code ds}) to {@code outUri}; refuses an existing one. */
    public static void write(Configuration conf, ComputationGraph graph, NeuMFSpec spec, Dataset ds,
                             Map<String, Object> provenance, String outUri) throws IOException {
        writeBundle(conf, ds, provenance, outUri, MODEL, (fs, tmp) -> {
            ByteArrayOutputStream model = new ByteArrayOutputStream();
            ModelSerializer.writeModel(graph, model, false);
            Storage.writeBytes(fs, new Path(tmp, MODEL), model.toByteArray());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("formatVersion", FORMAT_VERSION);
            m.put("model", MODEL_NAME);
            m.put("users", spec.numUsers());
            m.put("items", spec.numItems());
            m.put("factors", spec.factors());
            m.put("layers", spec.mlpLayers());
            m.put("learningRate", spec.learningRate());
            m.put("seed", spec.seed());
            m.put("inputs", List.of(Map.of("name", "user", "type", "int64 raw id", "mapping", USERS),
                    Map.of("name", "item", "type", "int64 raw id", "mapping", ITEMS)));
            m.put("output", "score: probability of interaction (sigmoid of the logit); ranking uses the logit");
            Storage.writeBytes(fs, new Path(tmp, MODEL_JSON), JSON.writeValueAsBytes(m));
        });
    }

    /**
     * Writes a bundle of a factor model (ALS, item2vec, SVD: {@code factors.bin}) trained on {@code ds} to
     * {@code outUri}; refuses an existing one.
     */
    public static void writeFactors(Configuration conf, FactorModel model, Dataset ds, Map<String, Object> provenance,
                                    String outUri) throws IOException {
        if (model.users() != ds.numUsers() || model.items() != ds.numItems()) {
            throw new IllegalArgumentException("the factor model has " + model.users() + " users and " + model.items()
                    + " items; the dataset " + ds.numUsers() + " and " + ds.numItems());
        }
        writeBundle(conf, ds, provenance, outUri, FACTORS, (fs, tmp) -> {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            model.write(b);
            Storage.writeBytes(fs, new Path(tmp, FACTORS), b.toByteArray());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("formatVersion", FORMAT_VERSION);
            m.put("model", FACTORS_NAME);
            m.put("type", model.type());
            m.put("users", model.users());
            m.put("items", model.items());
            m.put("dimensions", model.dim());
            m.put("inputs", List.of(Map.of("name", "user", "type", "int64 raw id", "mapping", USERS),
                    Map.of("name", "item", "type", "int64 raw id", "mapping", ITEMS)));
            m.put("output", "score: user row . item row; ranking uses it (probability: its sigmoid, not calibrated)");
            Storage.writeBytes(fs, new Path(tmp, MODEL_JSON), JSON.writeValueAsBytes(m));
        });
    }

    /** Writes the model file(s) {@code body} makes into a bundle with the id maps, provenance and manifest. */
    @FunctionalInterface
    private interface Body {
        void write(FileSystem fs, Path tmp) throws IOException;
    }

    private static void writeBundle(Configuration conf, Dataset ds, Map<String, Object> provenance, String outUri,
                                    String modelFile, Body body) throws IOException {
        Path out = Storage.path(outUri);
        FileSystem fs = Storage.fs(out, conf);
        if (fs.exists(out)) {
            throw new IllegalArgumentException(Storage.display(out) + " already exists; choose another --out");
        }
        Path tmp = new Path(out.getParent(), "." + out.getName() + ".tmp-" + UUID.randomUUID());
        try {
            fs.mkdirs(tmp);
            body.write(fs, tmp);
            int[] counts = new int[ds.numItems()];
            for (int it : ds.train().items()) {
                counts[it]++;
            }
            int[] userIndex = new int[ds.numUsers()];
            for (int i = 0; i < userIndex.length; i++) {
                userIndex[i] = i;
            }
            int[] itemIndex = new int[ds.numItems()];
            for (int i = 0; i < itemIndex.length; i++) {
                itemIndex[i] = i;
            }
            ParquetTable.write(conf, new Path(tmp, USERS), "users", List.of(
                    ParquetTable.Column.ints("index", userIndex),
                    ParquetTable.Column.longs("raw_id", ds.userIds().rawIds())));
            String[] titles = ds.itemTitles() != null ? ds.itemTitles() : new String[ds.numItems()];
            ParquetTable.write(conf, new Path(tmp, ITEMS), "items", List.of(
                    ParquetTable.Column.ints("index", itemIndex),
                    ParquetTable.Column.longs("raw_id", ds.itemIds().rawIds()),
                    ParquetTable.Column.strings("title", titles),
                    ParquetTable.Column.ints("train_count", counts)));
            Storage.writeBytes(fs, new Path(tmp, PROVENANCE), JSON.writeValueAsBytes(provenance));
            Map<String, String> sums = new LinkedHashMap<>();
            for (String f : files(modelFile)) {
                sums.put(f, Storage.sha256(Storage.readBytes(fs, new Path(tmp, f))));
            }
            Map<String, Object> manifest = new LinkedHashMap<>();
            manifest.put("formatVersion", FORMAT_VERSION);
            manifest.put("sha256", sums);
            Storage.writeBytes(fs, new Path(tmp, MANIFEST), JSON.writeValueAsBytes(manifest));
            if (!fs.rename(tmp, out)) {
                throw new IOException("cannot rename " + Storage.display(tmp) + " to " + Storage.display(out));
            }
        } catch (IOException | RuntimeException e) {
            fs.delete(tmp, true);
            throw e;
        }
    }

    /** Loads and verifies a bundle; errors name the bundle and the file. */
    public static ModelBundle load(Configuration conf, String uri) throws IOException {
        Path dir = Storage.path(uri);
        FileSystem fs = Storage.fs(dir, conf);
        String where = Storage.display(dir);
        if (!fs.exists(new Path(dir, MANIFEST))) {
            throw new IllegalArgumentException(where + ": not a model bundle (no " + MANIFEST + ")");
        }
        Map<?, ?> manifest = JSON.readValue(Storage.readBytes(fs, new Path(dir, MANIFEST)), Map.class);
        Object version = manifest.get("formatVersion");
        if (!(version instanceof Number n) || n.intValue() != FORMAT_VERSION) {
            throw new IllegalArgumentException(where + ": bundle format version " + version + "; this build reads"
                    + " version " + FORMAT_VERSION + " (export it again with this build)");
        }
        Map<?, ?> sums = (Map<?, ?>) manifest.get("sha256");
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        String modelFile = sums != null && sums.containsKey(FACTORS) ? FACTORS : MODEL;
        for (String f : files(modelFile)) {
            Path p = new Path(dir, f);
            if (!fs.exists(p)) {
                throw new IllegalArgumentException(where + ": " + f + " is missing");
            }
            byte[] b = Storage.readBytes(fs, p);
            if (sums == null || !Storage.sha256(b).equals(sums.get(f))) {
                throw new IllegalArgumentException(where + ": " + f + ": SHA-256 does not match the bundle manifest"
                        + " (corrupt or modified)");
            }
            bytes.put(f, b);
        }
        Map<?, ?> m = JSON.readValue(bytes.get(MODEL_JSON), Map.class);
        Map<String, Object> users = ParquetTable.read(conf, new Path(dir, USERS),
                Map.of("index", ParquetTable.Kind.INT32, "raw_id", ParquetTable.Kind.INT64));
        Map<String, Object> items = ParquetTable.read(conf, new Path(dir, ITEMS),
                Map.of("index", ParquetTable.Kind.INT32, "raw_id", ParquetTable.Kind.INT64,
                        "title", ParquetTable.Kind.STRING, "train_count", ParquetTable.Kind.INT32));
        @SuppressWarnings("unchecked")
        Map<String, Object> provenance = JSON.readValue(bytes.get(PROVENANCE), Map.class);
        IdMap userIds = IdMap.fromRawIds((long[]) users.get("raw_id"), where + "/" + USERS);
        IdMap itemIds = IdMap.fromRawIds((long[]) items.get("raw_id"), where + "/" + ITEMS);
        if (FACTORS_NAME.equals(m.get("model")) && modelFile.equals(FACTORS)) {
            FactorModel factors = FactorModel.read(new ByteArrayInputStream(bytes.get(FACTORS)), where + "/" + FACTORS);
            return new ModelBundle(null, null, factors, userIds, itemIds, (String[]) items.get("title"),
                    (int[]) items.get("train_count"), provenance);
        }
        if (!MODEL_NAME.equals(m.get("model"))) {
            throw new IllegalArgumentException(where + ": the bundle holds a " + m.get("model") + " model; this"
                    + " build scores " + MODEL_NAME + " and " + FACTORS_NAME + " bundles");
        }
        List<?> layersList = (List<?>) m.get("layers");
        int[] layers = layersList.stream().mapToInt(x -> ((Number) x).intValue()).toArray();
        NeuMFSpec spec = new NeuMFSpec(((Number) m.get("users")).intValue(), ((Number) m.get("items")).intValue(),
                ((Number) m.get("factors")).intValue(), layers, ((Number) m.get("learningRate")).doubleValue(),
                ((Number) m.get("seed")).longValue());
        ComputationGraph graph = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.get(MODEL)),
                false);
        NeuMFLayout layout = new NeuMFLayout(spec);
        float[] params = GraphParameters.of(layout, graph).readParams(graph);
        return new ModelBundle(spec, params, null, userIds, itemIds, (String[]) items.get("title"),
                (int[]) items.get("train_count"), provenance);
    }

    /** The NeuMF network's shape; null for a factor bundle. */
    public NeuMFSpec spec() {
        return spec;
    }

    /** The model type: neumf, or the factor model's (als, item2vec, svd). */
    public String type() {
        return factors != null ? factors.type() : "neumf";
    }

    public int numUsers() {
        return factors != null ? factors.users() : spec.numUsers();
    }

    public int numItems() {
        return factors != null ? factors.items() : spec.numItems();
    }

    public IdMap users() {
        return users;
    }

    public IdMap items() {
        return items;
    }

    /** Item title by index, or null. */
    public String title(int item) {
        return titles[item];
    }

    public int trainCount(int item) {
        return itemCounts[item];
    }

    public Map<String, Object> provenance() {
        return provenance;
    }

    /** A scorer over this bundle's parameters; not thread-safe (one per task). */
    public BundleScorer newScorer() {
        return factors != null ? new BundleScorer(factors) : new BundleScorer(spec, params);
    }




}
