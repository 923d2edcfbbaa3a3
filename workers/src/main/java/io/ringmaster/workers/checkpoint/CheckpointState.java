package io.ringmaster.workers.checkpoint;

/**
 * Where training stood when a checkpoint was taken, besides the network and optimizer: the epoch in
 * progress (0-based) and the steps of it already taken (the loader cursor: batch sequences and
 * negatives are functions of seed, epoch and step, so no generator state is needed), the global step,
 * the gang's loss sum over the epoch so far, the best evaluation and timings so far, and what the
 * gang's gradient exchange had learned ({@code exchangeState}, {@link
 * io.ringmaster.workers.train.GradientExchange#state()}; null for a single worker, DL4J's strategies and
 * checkpoints from before it).
 */
public record CheckpointState(int epoch, int stepInEpoch, long globalStep, double epochLossSum, int bestEpoch,
                              double bestHr, double bestNdcg, double bestMap, double trainSeconds, long trained,
                              int workers, String configHash, double[] exchangeState) {

    /** A fresh run. */
    public static CheckpointState start(int workers, String configHash) {
        return new CheckpointState(0, 0, 0, 0, 0, -1, 0, 0, 0, 0, workers, configHash, null);
    }

    /** The same state recorded under {@code hash}. */
    public CheckpointState withConfigHash(String hash) {
        return new CheckpointState(epoch, stepInEpoch, globalStep, epochLossSum, bestEpoch, bestHr, bestNdcg, bestMap,
                trainSeconds, trained, workers, hash, exchangeState);
    }
}
