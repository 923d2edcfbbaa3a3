package io.ringmaster.workers;

import java.io.Serializable;

/**
 * Checkpointing of one job: every {@code everySteps} global steps and/or every {@code everyEpochs}
 * epochs (0 = never; the end of training always gets one), the newest {@code keep} kept; the
 * resolved job (credentials redacted) and its model-config hash recorded with each; and the
 * checkpoint directory to continue from, or null for a fresh start.
 */
public record CheckpointSettings(int everySteps, int everyEpochs, int keep, String jobYaml, String configHash,
                                 String resumeFrom) implements Serializable {

    public static final CheckpointSettings NONE = new CheckpointSettings(0, 0, 1, "", "", null);

    public CheckpointSettings {
        if (everySteps < 0 || everyEpochs < 0 || keep < 1) {
            throw new IllegalArgumentException("checkpoint.every-steps and every-epochs must be >= 0, keep >= 1");
        }
    }

    public CheckpointSettings resumingFrom(String dir) {
        return new CheckpointSettings(everySteps, everyEpochs, keep, jobYaml, configHash, dir);
    }
}
