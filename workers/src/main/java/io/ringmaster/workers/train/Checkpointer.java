package io.ringmaster.workers.train;

import io.ringmaster.workers.checkpoint.CheckpointState;
import java.io.IOException;

/**
 * When training takes checkpoints, and what it does with one. {@link #dueAfterStep} and
 * {@link #dueAfterEpoch} must answer the same on every rank (they may involve an all-reduce);
 * {@link #save} runs on every rank and writes on one, which alone asks {@code model} for its bytes.
 */
public interface Checkpointer {

    /** The model's bytes as a checkpoint stores them ({@link TrainingEngine#save()}), made on demand. */
    @FunctionalInterface
    interface ModelBytes {
        byte[] get() throws IOException;
    }

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
        public void save(CheckpointState state, ModelBytes model) {
        }
    };

    boolean dueAfterStep(long globalStep);

    boolean dueAfterEpoch(int epochsDone, boolean last);

    void save(CheckpointState state, ModelBytes model) throws IOException;
}
