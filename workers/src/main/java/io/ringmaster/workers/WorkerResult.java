package io.ringmaster.workers;

import io.ringmaster.workers.train.TrainingSummary;
import java.io.Serializable;

/** What one gang task hands back to the driver. Baseline figures are NaN on ranks that do not evaluate. */
public record WorkerResult(int rank, TrainingSummary summary, double baselineHr, double baselineNdcg,
                           double baselineMap, String engine, String backend) implements Serializable {
}
