package io.ringmaster.orchestrator.dl4jspark;

import java.io.Serializable;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

/**
 * A DL4J training listener that travels to the workers and counts, in Spark accumulators, the
 * minibatches trained, their examples and the sum of their losses. The counts reach the driver with
 * executor heartbeats while tasks run (the {@link Watchdog}'s sign of life) and in full when tasks
 * end (the epoch's mean loss).
 */
final class IterationCounter extends BaseTrainingListener implements Serializable {

    private static final long serialVersionUID = 1L;

    private final LongAccumulator iterations;
    private final LongAccumulator examples;
    private final DoubleAccumulator lossSum;

    IterationCounter(LongAccumulator iterations, LongAccumulator examples, DoubleAccumulator lossSum) {
        this.iterations = iterations;
        this.examples = examples;
        this.lossSum = lossSum;
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        synchronized (this) { // one listener may serve several trainer threads of a JVM
            iterations.add(1);
            examples.add(model.batchSize());
            lossSum.add(model.score());
        }
    }
}
