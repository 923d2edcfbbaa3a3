package io.ringmaster.orchestrator.job;

import io.ringmaster.data.Storage;
import io.ringmaster.workers.model.EmbeddingOptimizer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A job's model fingerprint: the settings a checkpoint depends on, their hash (recorded in every
 * checkpoint) and the diff a continued run is refused with when any of them changed.
 */
final class ModelFingerprint {

    private ModelFingerprint() {
    }

    /**
     * The settings a checkpoint's state depends on: resuming with any of them changed would not
     * continue the same training. Run-only settings (epochs, checkpointing, retries, evaluation,
     * Spark, Hadoop, all-reduce transport) may change.
     */
    static Map<String, String> of(JobConfig job) {
        Map<String, String> m = new java.util.TreeMap<>();
        m.put("data", job.dataUri());
        m.put("workers", String.valueOf(job.workers));
        if (!ModelTypes.DEFAULT.equals(job.model.type)) {
            m.put("model.type", job.model.type); // absent for neumf, so runs from before model.type keep their hash
        }
        m.put("model.factors", String.valueOf(job.model.factors));
        m.put("model.layers", String.valueOf(job.model.layers));
        m.put("train.batch-size", String.valueOf(job.train.batchSize));
        m.put("train.learning-rate", String.valueOf(job.train.learningRate));
        m.put("train.negatives", String.valueOf(job.train.negatives));
        m.put("train.seed", String.valueOf(job.train.seed));
        m.put("train.engine", job.engine().id());
        if (job.embeddingOptimizer() != EmbeddingOptimizer.ADAM) {
            // absent for adam, so runs from before lazy Adam (which used it) keep their hash
            m.put("train.embedding-optimizer", job.embeddingOptimizer().id());
        }
        if (!job.usesRing()) {
            m.put("strategy", job.strategy.id()); // absent for the ring, so runs from before strategies keep their hash
        }
        m.put("loader.mode", job.loader.mode.id());
        m.put("loader.data", String.valueOf(job.loader.data == null ? null : Storage.path(job.loader.data).toString()));
        m.put("loader.shuffle-groups", String.valueOf(job.loader.shuffleGroups));
        return m;
    }

    /** SHA-256 of {@link #of}. */
    static String hash(JobConfig job) {
        return Storage.sha256(of(job).toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Lines {@code key: old -> new} for every model setting of {@code job} that differs from {@code before}. */
    static List<String> diff(JobConfig job, JobConfig before) {
        List<String> diff = new java.util.ArrayList<>();
        Map<String, String> a = of(before);
        Map<String, String> b = of(job);
        java.util.Set<String> keys = new java.util.TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        for (String k : keys) {
            if (!java.util.Objects.equals(a.get(k), b.get(k))) {
                diff.add(k + ": " + shown(k, a.get(k)) + " -> " + shown(k, b.get(k)));
            }
        }
        return diff;
    }

    /**
     * A model setting's value for a diff: a run without a 'strategy' entry used the ring, one without a
     * 'train.embedding-optimizer' entry adam.
     */
    private static String shown(String key, String value) {
        if (value == null && "strategy".equals(key)) {
            return "allreduce";
        }
        return value == null && "train.embedding-optimizer".equals(key) ? "adam" : value;
    }
}
