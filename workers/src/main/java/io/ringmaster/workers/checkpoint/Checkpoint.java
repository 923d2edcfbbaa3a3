package io.ringmaster.workers.checkpoint;

import org.apache.hadoop.fs.Path;

/** A complete, verified checkpoint: its directory and the training state it holds. */
public record Checkpoint(Path dir, CheckpointState state) {

    public long step() {
        return state.globalStep();
    }
}
