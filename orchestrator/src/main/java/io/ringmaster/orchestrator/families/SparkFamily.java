package io.ringmaster.orchestrator.families;

import io.ringmaster.data.Dataset;
import io.ringmaster.orchestrator.job.JobConfig;
import io.ringmaster.workers.model.FactorModel;
import org.apache.spark.sql.SparkSession;

/**
 * A model family Spark MLlib trains as Spark jobs on the driver's session (no gang): ALS, Word2Vec over item
 * sequences, truncated SVD. Each comes down to a {@link FactorModel}, so the same evaluation, export and
 * scoring serve all of them.
 */
public interface SparkFamily {

    /** One line for the console and the start record: the family and its settings. */
    String describe();

    /** Fits the family on {@code ds}'s training interactions; rows of users or items it never saw are zero. */
    FactorModel fit(SparkSession spark, Dataset ds, long seed);

    /** The family a job's model.type names, with its section's settings. */
    static SparkFamily of(JobConfig job) {
        return switch (job.model().type()) {
            case "als" -> new AlsFamily(job.als(), job.workers());
            case "item2vec" -> new Item2VecFamily(job.item2vec());
            case "svd" -> new SvdFamily(job.svd(), job.workers());
            default -> throw new IllegalArgumentException("model.type " + job.model().type()
                    + " is not trained by Spark MLlib");
        };
    }
}
