package io.ringmaster.orchestrator.families;

import io.ringmaster.data.Dataset;
import io.ringmaster.orchestrator.job.JobSections;
import io.ringmaster.workers.model.FactorModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.feature.Word2Vec;
import org.apache.spark.ml.feature.Word2VecModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * model.type item2vec (gensim's Word2Vec on item sequences, as Spark MLlib's): each user's training items in
 * time order are a sentence; an item's row is its unit vector, a user's row the mean of the unit vectors of
 * the user's {@code recent} latest items, so a pair scores the item's mean cosine similarity to them. Items
 * below min-count have no vector and score 0.
 */
final class Item2VecFamily implements SparkFamily {

    private final JobSections.Item2Vec settings;

    Item2VecFamily(JobSections.Item2Vec settings) {
        this.settings = settings;
    }

    @Override
    public String describe() {
        return String.format("Spark MLlib Word2Vec over each user's items in time order: vector size %d, window %d,"
                + " min count %d, %d iteration(s) in %d partition(s), learning rate %s; users by their %d latest"
                + " items", settings.vectorSize(), settings.window(), settings.minCount(), settings.iterations(),
                settings.partitions(), settings.learningRate(), settings.recent());
    }

    @Override
    public FactorModel fit(SparkSession spark, Dataset ds, long seed) {
        int[][] seq = TrainInteractions.sequences(ds);
        List<Row> sentences = new ArrayList<>();
        for (int[] s : seq) {
            if (s.length > 0) {
                sentences.add(RowFactory.create((Object) Arrays.stream(s).mapToObj(Integer::toString)
                        .toArray(String[]::new)));
            }
        }
        StructType schema = new StructType().add("items", DataTypes.createArrayType(DataTypes.StringType), false);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Word2VecModel model = new Word2Vec().setInputCol("items").setVectorSize(settings.vectorSize())
                .setWindowSize(settings.window()).setMinCount(settings.minCount()).setMaxIter(settings.iterations())
                .setNumPartitions(settings.partitions()).setStepSize(settings.learningRate()).setSeed(seed)
                .fit(spark.createDataFrame(jsc.parallelize(sentences, settings.partitions()), schema));
        int dim = settings.vectorSize();
        float[] items = new float[ds.numItems() * dim];
        boolean[] known = new boolean[ds.numItems()];
        for (Row r : model.getVectors().collectAsList()) {
            int item = Integer.parseInt(r.getString(0));
            double[] v = ((Vector) r.get(1)).toArray();
            double norm = Math.sqrt(Arrays.stream(v).map(x -> x * x).sum());
            if (norm > 0) {
                for (int d = 0; d < dim; d++) {
                    items[item * dim + d] = (float) (v[d] / norm);
                }
                known[item] = true;
            }
        }
        float[] users = new float[ds.numUsers() * dim];
        for (int u = 0; u < seq.length; u++) {
            int n = 0;
            for (int j = seq[u].length - 1; j >= 0 && n < settings.recent(); j--) {
                int item = seq[u][j];
                if (known[item]) {
                    for (int d = 0; d < dim; d++) {
                        users[u * dim + d] += items[item * dim + d];
                    }
                    n++;
                }
            }
            for (int d = 0; n > 0 && d < dim; d++) {
                users[u * dim + d] /= n;
            }
        }
        return new FactorModel("item2vec", ds.numUsers(), ds.numItems(), dim, users, items);
    }
}
