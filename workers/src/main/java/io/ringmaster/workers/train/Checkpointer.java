package io.ringmaster.workers.train;

import io.ringmaster.workers.checkpoint.CheckpointState;
import java.io.IOException;

/**
 * When the trainer takes checkpoints, and what it does with one. {@link #dueAfterStep} and
 * {@link #dueAfterEpoch} must answer the same on every rank (they may involve an all-reduce);
 * {@link #save} runs on every rank and writes on one.
 */
public interface Checkpointer {

    Checkpointer NONE = new Checkpointer() {
        @Override
        public boolean dueAfterStep(long globalStep) {
            return false;
        }

        @Override
        public boolean dueAfterEpoch(int epochsDone, boolean last) {
            return false;
        }

        @Override
        public void save(TrainingEngine engine, CheckpointState state) {
        }
    };

    boolean dueAfterStep(long globalStep);

    boolean dueAfterEpoch(int epochsDone, boolean last);

    void save(TrainingEngine engine, CheckpointState state) throws IOException;
}
