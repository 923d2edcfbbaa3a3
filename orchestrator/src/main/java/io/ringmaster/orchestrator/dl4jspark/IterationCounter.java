package io.ringmaster.orchestrator.dl4jspark;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import org.apache.spark.TaskContext;
import org.apache.spark.util.AccumulatorV2;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import scala.collection.JavaConverters;

/**
 * A DL4J training listener that travels to the workers and counts, in Spark accumulators, the
 * minibatches trained, their examples and the sum of their losses. The counts reach the driver with
 * executor heartbeats while tasks run (the {@link Watchdog}'s sign of life) and in full when tasks
 * end (the epoch's mean loss).
 *
 * <p>DL4J's parameter-server client keeps the listener of the first task that trained in a JVM for
 * every later task, whose accumulators Spark no longer reports once that task ended. So each count goes
 * to the copy of the accumulator registered with the task whose thread trains now (every task
 * deserializes its own), found by accumulator id; on a thread of no task (the client's ParallelWrapper
 * trainers) to the copies of the task that deserialized a listener last in this JVM (one that feeds the
 * trainers and waits for them); only on the driver to the listener's own.
 */
final class IterationCounter extends BaseTrainingListener implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The listener a task of this JVM deserialized last: its accumulators are registered with that task. */
    private static volatile IterationCounter lastInATask;

    private final LongAccumulator iterations;
    private final LongAccumulator examples;
    private final DoubleAccumulator lossSum;

    IterationCounter(LongAccumulator iterations, LongAccumulator examples, DoubleAccumulator lossSum) {
        this.iterations = iterations;
        this.examples = examples;
        this.lossSum = lossSum;
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        if (TaskContext.get() != null) {
            lastInATask = this;
        }
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        synchronized (IterationCounter.class) { // one listener may serve several trainer threads of a JVM
            IterationCounter live = TaskContext.get() == null && lastInATask != null ? lastInATask : this;
            current(live.iterations).add(1);
            current(live.examples).add(model.batchSize());
            current(live.lossSum).add(model.score());
        }
    }

    /** The running task's registered copy of {@code acc}, else {@code acc}. */
    @SuppressWarnings("unchecked")
    private static <A extends AccumulatorV2<?, ?>> A current(A acc) {
        TaskContext task = TaskContext.get();
        if (task == null) {
            return acc;
        }
        for (AccumulatorV2<?, ?> a : JavaConverters.seqAsJavaList(task.taskMetrics().accumulators())) {
            if (a.id() == acc.id() && a.getClass() == acc.getClass()) {
                return (A) a;
            }
        }
        return acc;
    }
}
