package io.ringmaster.orchestrator.families;

import io.ringmaster.data.Dataset;
import io.ringmaster.orchestrator.job.JobSections;
import io.ringmaster.workers.model.FactorModel;
import java.util.List;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * model.type als: Spark MLlib's ALS with implicit feedback (Hu, Koren and Volinsky): every training
 * interaction is an observation of confidence 1 + alpha; a pair scores user factors · item factors.
 */
final class AlsFamily implements SparkFamily {

    private final JobSections.Als settings;
    private final int partitions;

    AlsFamily(JobSections.Als settings, int partitions) {
        this.settings = settings;
        this.partitions = partitions;
    }

    @Override
    public String describe() {
        return String.format("Spark MLlib ALS, implicit feedback: rank %d, regParam %s, alpha %s, %d iterations",
                settings.rank(), settings.regParam(), settings.alpha(), settings.iterations());
    }

    @Override
    public FactorModel fit(SparkSession spark, Dataset ds, long seed) {
        ALSModel model = new ALS().setImplicitPrefs(true).setRank(settings.rank()).setRegParam(settings.regParam())
                .setAlpha(settings.alpha()).setMaxIter(settings.iterations()).setSeed(seed).setUserCol("user")
                .setItemCol("item").setRatingCol("rating").setNumUserBlocks(partitions)
                .setNumItemBlocks(partitions).fit(TrainInteractions.frame(spark, ds, partitions));
        int rank = settings.rank();
        float[] users = rows(model.userFactors().collectAsList(), ds.numUsers(), rank);
        float[] items = rows(model.itemFactors().collectAsList(), ds.numItems(), rank);
        return new FactorModel("als", ds.numUsers(), ds.numItems(), rank, users, items);
    }

    /** ALS's (id, features) rows as a dense block; ids it never saw stay zero. */
    private static float[] rows(List<Row> factors, int n, int rank) {
        float[] out = new float[n * rank];
        for (Row r : factors) {
            int id = r.getInt(0);
            List<Object> f = r.getList(1);
            for (int d = 0; d < rank; d++) {
                out[id * rank + d] = ((Number) f.get(d)).floatValue();
            }
        }
        return out;
    }
}
