package io.ringmaster.orchestrator.families;

import io.ringmaster.data.Dataset;
import io.ringmaster.orchestrator.job.JobSections;
import io.ringmaster.workers.model.FactorModel;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.SingularValueDecomposition;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.mllib.linalg.distributed.IndexedRow;
import org.apache.spark.mllib.linalg.distributed.IndexedRowMatrix;

/**
 * model.type svd (scikit-learn's TruncatedSVD, as Spark's computeSVD): the (user x item) matrix of training
 * interactions, 1 where a user interacted with an item, as sparse rows, truncated to its k largest singular
 * values; a pair scores the (user, item) entry of U·S·Vᵀ (user rows U·S, item rows V). The matrix is never
 * made dense: rows stay sparse vectors, and with k at most half the items Spark finds the singular vectors
 * with ARPACK from distributed products rather than an items x items Gramian.
 */
final class SvdFamily implements SparkFamily {

    private final JobSections.Svd settings;
    private final int partitions;

    SvdFamily(JobSections.Svd settings, int partitions) {
        this.settings = settings;
        this.partitions = partitions;
    }

    @Override
    public String describe() {
        return String.format("truncated SVD of the user x item matrix (Spark IndexedRowMatrix.computeSVD), k %d",
                settings.k());
    }

    @Override
    public FactorModel fit(org.apache.spark.sql.SparkSession spark, Dataset ds, long seed) {
        int k = settings.k();
        if (k >= ds.numItems() || k >= ds.numUsers()) {
            throw new IllegalArgumentException("svd.k " + k + " must be below the catalogue's " + ds.numItems()
                    + " items and " + ds.numUsers() + " users (a truncated SVD keeps fewer singular values than both)");
        }
        int[][] seq = TrainInteractions.sequences(ds);
        List<IndexedRow> rows = new ArrayList<>();
        for (int u = 0; u < seq.length; u++) {
            int[] items = java.util.Arrays.stream(seq[u]).distinct().sorted().toArray();
            if (items.length > 0) {
                double[] ones = new double[items.length];
                java.util.Arrays.fill(ones, 1.0);
                rows.add(new IndexedRow(u, Vectors.sparse(ds.numItems(), items, ones)));
            }
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        IndexedRowMatrix m = new IndexedRowMatrix(jsc.parallelize(rows, Math.max(1, partitions)).rdd(),
                ds.numUsers(), ds.numItems());
        SingularValueDecomposition<IndexedRowMatrix, Matrix> svd = m.computeSVD(k, true, 1e-9);
        double[] s = svd.s().toArray();
        int kept = s.length; // fewer when the matrix has lower rank
        float[] users = new float[ds.numUsers() * kept];
        for (IndexedRow r : svd.U().rows().toJavaRDD().collect()) {
            double[] v = r.vector().toArray();
            for (int d = 0; d < kept; d++) {
                users[(int) r.index() * kept + d] = (float) (v[d] * s[d]);
            }
        }
        Matrix v = svd.V(); // items x kept
        float[] items = new float[ds.numItems() * kept];
        for (int i = 0; i < ds.numItems(); i++) {
            for (int d = 0; d < kept; d++) {
                items[i * kept + d] = (float) v.apply(i, d);
            }
        }
        return new FactorModel("svd", ds.numUsers(), ds.numItems(), kept, users, items);
    }
}
