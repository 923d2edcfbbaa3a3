package io.ringmaster.orchestrator.job;

import io.ringmaster.workers.model.ModelSpec;
import io.ringmaster.workers.model.NeuMFSettings;
import java.util.List;

/** The model families a job can name in {@code model.type}, and how each is built from its settings. */
public final class ModelTypes {

    public static final String DEFAULT = NeuMFSettings.TYPE;
    /** The families Spark MLlib trains (no gang, no engine): ALS, Word2Vec over item sequences, truncated SVD. */
    public static final List<String> SPARK_FAMILIES = List.of("als", "item2vec", "svd");
    public static final List<String> NAMES = List.of(NeuMFSettings.TYPE, "als", "item2vec", "svd");

    private ModelTypes() {
    }

    /** Refuses a type this build does not know, naming the ones it does. */
    static void check(String type) {
        if (type == null || !NAMES.contains(type)) {
            throw new JobConfigException("job: 'model.type' must be one of " + String.join(", ", NAMES) + ", got '"
                    + type + "'");
        }
    }

    /** The job's model: its {@code model.type} with that type's settings. */
    static ModelSpec spec(JobConfig job) {
        check(job.model.type);
        if (SPARK_FAMILIES.contains(job.model.type)) {
            throw new IllegalStateException("model.type " + job.model.type + " is trained by Spark MLlib, not an"
                    + " engine");
        }
        return switch (job.model.type) {
            case NeuMFSettings.TYPE -> new NeuMFSettings(job.model.factors, job.layers(), job.train.learningRate);
            default -> throw new IllegalStateException(job.model.type);
        };
    }
}
