package io.ringmaster.orchestrator.score;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringmaster.data.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * An exported NeuMF model as a Spark ML {@link Transformer}, for users' own pipelines:
 * {@code model.transform(df)} appends {@code score} (probability) and {@code logit} to rows with
 * integer raw-id columns (default {@code user}, {@code item}); rows with ids the model does not know
 * follow {@link UnknownIdPolicy} (default skip). Saving copies the bundle into the saved model, so a
 * saved pipeline is self-contained; {@link #read()} loads it back ({@code PipelineModel.load} finds it).
 */
public final class NeuMFModel extends Transformer implements MLWritable {

    private static final long serialVersionUID = 1L;
    static final String SETTINGS = "ringmaster.json";
    static final String BUNDLE = "bundle";

    private final String uid;
    private final String bundleUri;
    private String userCol = "user";
    private String itemCol = "item";
    private UnknownIdPolicy unknown = UnknownIdPolicy.SKIP;

    public NeuMFModel(String bundleUri) {
        this(Identifiable$.MODULE$.randomUID("neumf"), bundleUri);
    }

    public NeuMFModel(String uid, String bundleUri) {
        this.uid = uid;
        this.bundleUri = bundleUri;
    }

    public NeuMFModel setUserCol(String c) {
        this.userCol = c;
        return this;
    }

    public NeuMFModel setItemCol(String c) {
        this.itemCol = c;
        return this;
    }

    public NeuMFModel setUnknown(UnknownIdPolicy p) {
        this.unknown = p;
        return this;
    }

    public String bundleUri() {
        return bundleUri;
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        Dataset<Row> in = dataset.toDF();
        boolean renamed = !userCol.equals("user") || !itemCol.equals("item");
        if (renamed) {
            in = in.withColumnRenamed(userCol, "user").withColumnRenamed(itemCol, "item");
        }
        Dataset<Row> out = ScoreJob.score(in.sparkSession(), bundleUri, in, unknown, Map.of()).rows();
        if (renamed) {
            out = out.withColumnRenamed("user", userCol).withColumnRenamed("item", itemCol);
        }
        return out;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        for (String c : new String[] {userCol, itemCol}) {
            if (!java.util.Arrays.asList(schema.fieldNames()).contains(c)) {
                throw new IllegalArgumentException("NeuMFModel: input has no '" + c + "' column");
            }
        }
        return schema.add("score", DataTypes.FloatType, true).add("logit", DataTypes.FloatType, true);
    }

    @Override
    public NeuMFModel copy(ParamMap extra) {
        return new NeuMFModel(uid, bundleUri).setUserCol(userCol).setItemCol(itemCol).setUnknown(unknown);
    }

    @Override
    public MLWriter write() {
        NeuMFModel self = this;
        return new MLWriter() {
            @Override
            public void saveImpl(String path) {
                try {
                    DefaultParamsWriter.saveMetadata(self, path, sparkSession().sparkContext(), scala.Option.empty(),
                            scala.Option.empty());
                    Configuration conf = Storage.configuration();
                    Path dst = new Path(Storage.path(path), BUNDLE);
                    Path src = Storage.path(bundleUri);
                    FileUtil.copy(Storage.fs(src, conf), src, Storage.fs(dst, conf), dst, false, conf);
                    Map<String, String> s = new LinkedHashMap<>();
                    s.put("userCol", userCol);
                    s.put("itemCol", itemCol);
                    s.put("unknown", unknown.name());
                    try (OutputStream o = Storage.fs(dst, conf).create(new Path(Storage.path(path), SETTINGS))) {
                        o.write(new ObjectMapper().writeValueAsBytes(s));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(path + ": cannot save NeuMFModel: " + e.getMessage(), e);
                }
            }
        };
    }

    @Override
    public void save(String path) throws IOException {
        write().save(path);
    }

    /** Spark ML's loader entry point (found by reflection by PipelineModel.load). */
    public static MLReader<NeuMFModel> read() {
        return new MLReader<>() {
            @Override
            public NeuMFModel load(String path) {
                try {
                    Configuration conf = Storage.configuration();
                    Path dir = Storage.path(path);
                    FileSystem fs = Storage.fs(dir, conf);
                    String uid = savedUid(fs, dir);
                    Map<?, ?> s;
                    try (InputStream in = fs.open(new Path(dir, SETTINGS))) {
                        s = new ObjectMapper().readValue(in, Map.class);
                    }
                    String bundle = new Path(dir, BUNDLE).toString();
                    io.ringmaster.workers.export.ModelBundle.load(conf, bundle); // verify checksums now
                    return new NeuMFModel(uid, bundle).setUserCol((String) s.get("userCol"))
                            .setItemCol((String) s.get("itemCol"))
                            .setUnknown(UnknownIdPolicy.valueOf((String) s.get("unknown")));
                } catch (IOException e) {
                    throw new UncheckedIOException(path + ": cannot load NeuMFModel: " + e.getMessage(), e);
                }
            }
        };
    }

    /** The uid Spark ML's metadata of a saved model at {@code dir} records. */
    static String savedUid(FileSystem fs, Path dir) throws IOException {
        try (InputStream in = fs.open(new Path(new Path(dir, "metadata"), "part-00000"))) {
            return new ObjectMapper().readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8)).get("uid")
                    .asText();
        }
    }

    public static NeuMFModel load(String path) {
        return read().load(path);
    }

}
