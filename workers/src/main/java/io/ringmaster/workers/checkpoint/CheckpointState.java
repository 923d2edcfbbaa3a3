package io.ringmaster.workers.checkpoint;

/**
 * Where training stood when a checkpoint was taken, besides the network and optimizer: the epoch in
 * progress (0-based) and the steps of it already taken (the loader cursor: batch sequences and
 * negatives are functions of seed, epoch and step, so no generator state is needed), the global step,
 * the gang's loss sum over the epoch so far, and the best evaluation and timings so far.
 */
public record CheckpointState(int epoch, int stepInEpoch, long globalStep, double epochLossSum, int bestEpoch,
                              double bestHr, double bestNdcg, double bestMap, double trainSeconds, long trained,
                              int workers, String configHash) {

    /** A fresh run. */
    public static CheckpointState start(int workers, String configHash) {
        return new CheckpointState(0, 0, 0, 0, 0, -1, 0, 0, 0, 0, workers, configHash);
    }
}
