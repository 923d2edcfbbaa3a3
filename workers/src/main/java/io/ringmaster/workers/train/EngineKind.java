package io.ringmaster.workers.train;

import io.ringmaster.workers.model.EmbeddingOptimizer;
import io.ringmaster.workers.model.NeuMFSpec;
import java.util.Locale;

/** The training engines a job can choose ({@code train.engine}). */
public enum EngineKind {
    /** {@link FusedEngine}: the fast CPU path (default). */
    FUSED,
    /** {@link Dl4jEngine}: DL4J's graph on the loaded ND4J backend (CPU or CUDA). */
    DL4J;

    public TrainingEngine create(NeuMFSpec spec, EmbeddingOptimizer embeddings) {
        check(embeddings);
        return this == FUSED ? new FusedEngine(spec, embeddings) : new Dl4jEngine(spec);
    }

    /** An engine continuing from {@code graph}'s parameters, Adam state and iteration count (a checkpoint). */
    public TrainingEngine restore(org.deeplearning4j.nn.graph.ComputationGraph graph, NeuMFSpec spec,
                                  EmbeddingOptimizer embeddings) {
        check(embeddings);
        return this == FUSED ? new FusedEngine(graph, spec, embeddings) : new Dl4jEngine(graph);
    }

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
