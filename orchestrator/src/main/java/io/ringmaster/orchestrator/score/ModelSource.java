package io.ringmaster.orchestrator.score;

import io.ringmaster.data.Storage;
import io.ringmaster.orchestrator.run.FamilyJob;
import io.ringmaster.workers.eval.Scorer;
import io.ringmaster.workers.export.BundleScorer;
import io.ringmaster.workers.model.FactorModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A trained model that {@code compare} (and its Spark job) scores with, opened where it runs: a model
 * bundle ({@code ringmaster export}'s output, NeuMF or factors, loaded once per JVM), or the factors a
 * Spark MLlib family's run directory holds ({@code model/factors.bin}, shipped with the task).
 */
public abstract class ModelSource implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The name it is shown under (the run or bundle directory's name). */
    public abstract String name();

    /** The model type (neumf, als, item2vec, svd). */
    public abstract String type();

    /** A scorer of (user, item) pairs; one per thread. */
    public abstract Scorer scorer();

    /** Training seconds, when the source records them (a run's summary), else NaN. */
    public abstract double trainSeconds();

    /** The checksum of the dataset it was trained on, as its run or bundle records it; null when unknown. */
    public abstract String datasetChecksum();

    /** Where it was opened from (null for most-popular). */
    public abstract String uri();

    /**
     * {@code uri} as a model: a run directory of a Spark MLlib family, or a model bundle. A NeuMF run directory
     * is refused with the export command that makes its bundle.
     */
    public static ModelSource open(Configuration conf, Map<String, String> hadoop, String uri) throws IOException {
        Path p = Storage.path(uri);
        FileSystem fs = Storage.fs(p, conf);
        if (fs.exists(new Path(p, FamilyJob.MODEL_FILE))) {
            byte[] bytes = Storage.readBytes(fs, new Path(p, FamilyJob.MODEL_FILE));
            FactorModel m = FactorModel.read(new ByteArrayInputStream(bytes), Storage.display(new Path(p,
                    FamilyJob.MODEL_FILE)));
            double seconds = Double.NaN;
            String checksum = null;
            Path summary = new Path(p, "summary.json");
            if (fs.exists(summary)) {
                try (InputStream in = fs.open(summary)) {
                    com.fasterxml.jackson.databind.JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper()
                            .readTree(in);
                    seconds = n.path("trainSeconds").asDouble(Double.NaN);
                    checksum = n.path("datasetChecksum").asText(null);
                }
            }
            return new Factors(p.getName(), m.type(), bytes, seconds, checksum, uri);
        }
        if (fs.exists(new Path(p, "manifest.json"))) {
            // verified here, before any Spark job
            return new Bundle(p.getName(), BundleCache.get(uri, hadoop).type(), uri, hadoop);
        }
        if (fs.exists(new Path(p, "job.yaml"))) {
            throw new IllegalArgumentException(Storage.display(p) + " is a NeuMF run directory: compare scores its"
                    + " model bundle; make it with `ringmaster export " + Storage.display(p) + " --out <bundle>`");
        }
        throw new IllegalArgumentException(Storage.display(p) + " is neither a run directory with "
                + FamilyJob.MODEL_FILE + " nor a model bundle");
    }

    /** {@code model} under {@code name}, trained on the dataset of {@code datasetChecksum} (null: unknown). */
    public static ModelSource of(String name, FactorModel model, String datasetChecksum) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        try {
            model.write(b);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new Factors(name, model.type(), b.toByteArray(), Double.NaN, datasetChecksum, null);
    }

    /** Most-popular as a model: every user's row is 1, an item's row its training count. */
    public static ModelSource mostPopular(io.ringmaster.data.Dataset ds) {
        float[] ones = new float[ds.numUsers()];
        java.util.Arrays.fill(ones, 1f);
        float[] counts = new float[ds.numItems()];
        for (int i : ds.train().items()) {
            counts[i]++;
        }
        ModelSource m = of("most-popular", new FactorModel("baseline", ds.numUsers(), ds.numItems(), 1, ones, counts),
                null);
        return m;
    }

    /** A Spark MLlib family's factors. */
    private static final class Factors extends ModelSource {
        private static final long serialVersionUID = 1L;
        private final String name;
        private final String type;
        private final byte[] bytes;
        private final double seconds;
        private final String checksum;
        private final String uri;
        private transient FactorModel model;

        Factors(String name, String type, byte[] bytes, double seconds, String checksum, String uri) {
            this.name = name;
            this.type = type;
            this.bytes = bytes;
            this.seconds = seconds;
            this.checksum = checksum;
            this.uri = uri;
        }

        @Override
        public String datasetChecksum() {
            return checksum;
        }

        @Override
        public String uri() {
            return uri;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String type() {
            return type;
        }

        @Override
        public synchronized Scorer scorer() {
            if (model == null) {
                try {
                    model = FactorModel.read(new ByteArrayInputStream(bytes), name);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return model;
        }

        @Override
        public double trainSeconds() {
            return seconds;
        }
    }

    /** A model bundle: NeuMF's, or a factor model's. */
    private static final class Bundle extends ModelSource {
        private static final long serialVersionUID = 1L;
        private final String name;
        private final String type;
        private final String uri;
        private final Map<String, String> hadoop;

        Bundle(String name, String type, String uri, Map<String, String> hadoop) {
            this.name = name;
            this.type = type;
            this.uri = uri;
            this.hadoop = Map.copyOf(hadoop);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String type() {
            return type;
        }

        @Override
        public Scorer scorer() {
            BundleScorer s = BundleCache.get(uri, hadoop).newScorer();
            return s::logits;
        }

        @Override
        public double trainSeconds() {
            Object t = BundleCache.get(uri, hadoop).provenance().get("trainSeconds");
            return t instanceof Number n ? n.doubleValue() : Double.NaN;
        }

        @Override
        public String datasetChecksum() {
            Object c = BundleCache.get(uri, hadoop).provenance().get("datasetChecksum");
            return c == null ? null : c.toString();
        }

        @Override
        public String uri() {
            return uri;
        }
    }
}
