package io.ringmaster.orchestrator.score;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringmaster.data.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
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
 * A king-of-the-hill routing ({@code ringmaster koth --out}) as a Spark ML {@link Transformer}: each
 * (user, item) row is scored by the model its user is routed to, appending {@code score} and {@code logit}
 * as {@link NeuMFModel} does for one model. Saving copies the routing and every routed bundle into the
 * saved model, so a saved pipeline is self-contained.
 */
public final class RoutedModel extends Transformer implements MLWritable {

    private static final long serialVersionUID = 1L;
    static final String ROUTING = "routing";
    static final String BUNDLES = "bundles";

    private final String uid;
    private final String routingUri;
    private UnknownIdPolicy unknown = UnknownIdPolicy.SKIP;

    public RoutedModel(String routingUri) {
        this(Identifiable$.MODULE$.randomUID("koth"), routingUri);
    }

    public RoutedModel(String uid, String routingUri) {
        this.uid = uid;
        this.routingUri = routingUri;
    }

    public RoutedModel setUnknown(UnknownIdPolicy p) {
        this.unknown = p;
        return this;
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        try {
            return ScoreJob.scoreRouted(dataset.sparkSession(), routingUri, dataset.toDF(), unknown, Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(routingUri + ": " + e.getMessage(), e);
        }
    }

    @Override
    public StructType transformSchema(StructType schema) {
        for (String c : new String[] {"user", "item"}) {
            if (!java.util.Arrays.asList(schema.fieldNames()).contains(c)) {
                throw new IllegalArgumentException("RoutedModel: input has no '" + c + "' column");
            }
        }
        return schema.add("score", DataTypes.FloatType, true).add("logit", DataTypes.FloatType, true);
    }

    @Override
    public RoutedModel copy(ParamMap extra) {
        return new RoutedModel(uid, routingUri).setUnknown(unknown);
    }

    @Override
    public MLWriter write() {
        RoutedModel self = this;
        return new MLWriter() {
            @Override
            public void saveImpl(String path) {
                try {
                    DefaultParamsWriter.saveMetadata(self, path, sparkSession().sparkContext(), scala.Option.empty(),
                            scala.Option.empty());
                    Configuration conf = Storage.configuration();
                    Path dst = Storage.path(path);
                    FileSystem out = Storage.fs(dst, conf);
                    Path src = Storage.path(routingUri);
                    Path routing = new Path(dst, ROUTING);
                    FileUtil.copy(Storage.fs(src, conf), src, out, routing, false, conf);
                    // the routed bundles beside it, and the copy's koth.json pointing at them
                    List<String> uris = ScoreJob.routedBundles(routingUri, Map.of());
                    ObjectNode summary = (ObjectNode) new ObjectMapper().readTree(Storage.readBytes(out,
                            new Path(routing, KingOfTheHill.SUMMARY)));
                    for (int m = 0; m < uris.size(); m++) {
                        Path b = new Path(new Path(dst, BUNDLES), String.valueOf(m));
                        Path from = Storage.path(uris.get(m));
                        FileUtil.copy(Storage.fs(from, conf), from, out, b, false, conf);
                        ((ObjectNode) summary.get("models").get(m)).put("uri", b.toString());
                    }
                    Storage.writeBytes(out, new Path(routing, KingOfTheHill.SUMMARY), new ObjectMapper()
                            .writeValueAsBytes(summary));
                    Storage.writeBytes(out, new Path(dst, "ringmaster.json"), new ObjectMapper().writeValueAsBytes(
                            Map.of("unknown", unknown.name())));
                } catch (IOException e) {
                    throw new UncheckedIOException(path + ": cannot save RoutedModel: " + e.getMessage(), e);
                }
            }
        };
    }

    @Override
    public void save(String path) throws IOException {
        write().save(path);
    }

    /** Spark ML's loader entry point (found by reflection by PipelineModel.load). */
    public static MLReader<RoutedModel> read() {
        return new MLReader<>() {
            @Override
            public RoutedModel load(String path) {
                try {
                    Configuration conf = Storage.configuration();
                    Path dir = Storage.path(path);
                    FileSystem fs = Storage.fs(dir, conf);
                    String uid = NeuMFModel.savedUid(fs, dir);
                    JsonNode s = new ObjectMapper().readTree(Storage.readBytes(fs, new Path(dir, "ringmaster.json")));
                    String routing = new Path(dir, ROUTING).toString();
                    ScoreJob.routedBundles(routing, Map.of()); // verify the bundles now
                    return new RoutedModel(uid, routing).setUnknown(UnknownIdPolicy.valueOf(s.get("unknown")
                            .asText()));
                } catch (IOException e) {
                    throw new UncheckedIOException(path + ": cannot load RoutedModel: " + e.getMessage(), e);
                }
            }
        };
    }

    public static RoutedModel load(String path) {
        return read().load(path);
    }
}
