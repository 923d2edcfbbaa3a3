package io.ringmaster.orchestrator.dl4jspark;

import java.util.HashMap;
import java.util.Map;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import scala.Tuple4;
import scala.collection.JavaConverters;

/**
 * Driver-side view of training progress: the iteration counts running tasks report with their
 * executors' heartbeats (the {@link IterationCounter}'s accumulator), plus job starts and task ends.
 * {@link #lastProgressNanos()} is when any of them last moved.
 */
final class TrainingProgress extends SparkListener {

    private final long accumulatorId;
    private final Map<Long, Long> iterationsByTask = new HashMap<>();
    private volatile long lastProgress = System.nanoTime();
    private volatile long iterationsSeen;

    TrainingProgress(long accumulatorId) {
        this.accumulatorId = accumulatorId;
    }

    /** Marks progress now (a new epoch starts). */
    void touch() {
        lastProgress = System.nanoTime();
    }

    long lastProgressNanos() {
        return lastProgress;
    }

    /** Iterations the running tasks have reported in heartbeats so far. */
    long iterationsSeen() {
        return iterationsSeen;
    }

    @Override
    public void onJobStart(SparkListenerJobStart jobStart) {
        touch();
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
        touch();
    }

    @Override
    public synchronized void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
        for (Tuple4<Object, Object, Object, scala.collection.Seq<AccumulableInfo>> t
                : JavaConverters.seqAsJavaList(update.accumUpdates())) {
            long task = (Long) t._1();
            for (AccumulableInfo info : JavaConverters.seqAsJavaList(t._4())) {
                if (info.id() == accumulatorId && info.update().isDefined()) {
                    Object v = info.update().get();
                    long n = v instanceof Number num ? num.longValue() : 0;
                    Long before = iterationsByTask.put(task, n);
                    if (before == null || n > before) {
                        iterationsSeen += n - (before == null ? 0 : before);
                        touch();
                    }
                }
            }
        }
    }
}
