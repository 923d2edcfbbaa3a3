package io.ringmaster.workers.train;

import io.ringmaster.workers.model.NeuMFSpec;
import java.util.Locale;

/** The training engines a job can choose ({@code train.engine}). */
public enum EngineKind {
    /** {@link FusedEngine}: the fast CPU path (default). */
    FUSED,
    /** {@link Dl4jEngine}: DL4J's graph on the loaded ND4J backend (CPU or CUDA). */
    DL4J;

    public TrainingEngine create(NeuMFSpec spec) {
        return this == FUSED ? new FusedEngine(spec) : new Dl4jEngine(spec);
    }

    /** An engine continuing from {@code graph}'s parameters, Adam state and iteration count (a checkpoint). */
    public TrainingEngine restore(org.deeplearning4j.nn.graph.ComputationGraph graph, NeuMFSpec spec) {
        return this == FUSED ? new FusedEngine(graph, spec) : new Dl4jEngine(graph);
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
