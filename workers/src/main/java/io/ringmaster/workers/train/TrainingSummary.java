package io.ringmaster.workers.train;

import java.io.Serializable;

/** What a finished training run reports: the best epoch by HR@K and the last epoch's figures. */
public record TrainingSummary(int epochs, long steps, int bestEpoch, double bestHr, double bestNdcg,
                              double bestMap, double finalLoss, double meanSamplesPerSecond, double trainSeconds)
        implements Serializable {
}
