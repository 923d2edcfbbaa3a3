package io.ringmaster.workers.train;

import io.ringmaster.workers.model.EmbeddingOptimizer;
import java.util.Locale;

/** The training engines a job can choose ({@code train.engine}). */
public enum EngineKind {
    /** The model's own fast CPU path (default). */
    FUSED,
    /** DL4J's graph on the loaded ND4J backend (CPU or CUDA), for models that are DL4J graphs. */
    DL4J;

    /** The embedding optimizer this engine trains with when the job names none. */
    public EmbeddingOptimizer defaultEmbeddingOptimizer() {
        return this == FUSED ? EmbeddingOptimizer.DEFAULT : EmbeddingOptimizer.ADAM; // DL4J's updater: adam only
    }

    /** Refuses what the engine cannot do: DL4J's updater is dense Adam. */
    public void check(EmbeddingOptimizer embeddings) {
        if (this == DL4J && embeddings != EmbeddingOptimizer.ADAM) {
            throw new IllegalArgumentException("train.embedding-optimizer " + embeddings.id() + " needs train.engine"
                    + " fused; the dl4j engine updates with DL4J's dense Adam (set it to adam or leave it out)");
        }
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static EngineKind parse(String s) {
        for (EngineKind k : values()) {
            if (k.id().equalsIgnoreCase(s.trim())) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown train.engine '" + s + "'; expected fused or dl4j");
    }
}
