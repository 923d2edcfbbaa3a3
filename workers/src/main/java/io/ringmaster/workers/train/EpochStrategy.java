package io.ringmaster.workers.train;

import io.ringmaster.workers.checkpoint.CheckpointState;
import io.ringmaster.workers.eval.Evaluator;
import io.ringmaster.workers.eval.Metrics;
import java.io.IOException;

/**
 * What a training strategy supplies to the {@link EpochDriver}: how to train one epoch (the ring's
 * {@link Trainer}, or one of DL4J's Spark training masters), how to evaluate the model it holds, and the
 * model's step count and checkpoint form. Everything around that (best epoch, divergence, the epoch
 * record, checkpoint timing, the summary) is the driver's.
 */
public interface EpochStrategy {

    /** What one epoch's training gave: the gang's mean loss, examples, seconds, throughput, step counters. */
    record Trained(double loss, long samples, double seconds, double samplesPerSecond, StepCounters counters) {
    }

    /**
     * Trains epoch {@code epoch} (1-based) from its step {@code first}: 0, or, when resuming a checkpoint
     * taken inside the epoch, that checkpoint's {@code resumed.stepInEpoch()}.
     */
    Trained trainEpoch(int epoch, int first, CheckpointState resumed, EpochDriver driver) throws IOException;

    /** The gang's figures for the model as it is now ({@code evaluator}: this rank's share of the test users). */
    Metrics evaluate(Evaluator evaluator) throws IOException;

    /** Updates applied so far. */
    long step();

    /** The model in its checkpoint form ({@link TrainingEngine#save()}). */
    byte[] save() throws IOException;

    /** What the gradient exchange has learned, for checkpoints (null: nothing). */
    default double[] exchangeState() {
        return null;
    }
}
