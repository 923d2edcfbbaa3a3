package io.ringmaster.orchestrator.job;

import java.util.Arrays;
import java.util.List;

/** How a job's workers combine their work ({@code strategy}). */
public enum Strategy {
    /** Ringmaster's ring all-reduce in a Spark barrier stage (the default). */
    ALLREDUCE("allreduce"),
    /** DL4J's SharedTrainingMaster: threshold-encoded updates through a parameter server. */
    PARAMETER_SERVER("parameter-server"),
    /** DL4J's ParameterAveragingTrainingMaster. */
    AVERAGING("averaging");

    private final String id;

    Strategy(String id) {
        this.id = id;
    }

    /** As the job file names it. */
    public String id() {
        return id;
    }

    public static List<String> ids() {
        return Arrays.stream(values()).map(Strategy::id).toList();
    }

    public static Strategy parse(String text) {
        for (Strategy s : values()) {
            if (s.id.equals(text)) {
                return s;
            }
        }
        throw new IllegalArgumentException("'strategy' must be one of " + String.join(", ", ids()) + ", got '" + text
                + "'");
    }

    @Override
    public String toString() {
        return id;
    }
}
