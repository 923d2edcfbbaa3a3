package io.ringmaster.orchestrator.dl4jspark;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import scala.Tuple2;
import scala.Tuple4;
import scala.collection.JavaConverters;

/**
 * Driver-side view of an epoch's progress: the counts running tasks report with their executors'
 * heartbeats for the watched accumulators (minibatches trained, batches built), plus job starts and
 * task ends. {@link #lastProgressNanos()} is when any of them last moved.
 */
final class TrainingProgress extends SparkListener {

    private final Set<Long> accumulatorIds;
    private final long iterationsId;
    private final Map<Tuple2<Long, Long>, Long> byTaskAndAccumulator = new HashMap<>();
    private volatile long lastProgress = System.nanoTime();
    private volatile long iterationsSeen;

    /** {@code iterationsId}: the trained-minibatches accumulator, also one of {@code accumulatorIds}. */
    TrainingProgress(long iterationsId, Set<Long> accumulatorIds) {
        this.iterationsId = iterationsId;
        this.accumulatorIds = accumulatorIds;
    }

    /** A new epoch starts: progress now, and nothing reported yet. */
    synchronized void startEpoch() {
        byTaskAndAccumulator.clear();
        iterationsSeen = 0;
        touch();
    }

    /** Marks progress now. */
    void touch() {
        lastProgress = System.nanoTime();
    }

    long lastProgressNanos() {
        return lastProgress;
    }

    /** Minibatches the running tasks of this epoch have reported in heartbeats so far. */
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
                if (accumulatorIds.contains(info.id()) && info.update().isDefined()) {
                    Object v = info.update().get();
                    long n = v instanceof Number num ? num.longValue() : 0;
                    Long before = byTaskAndAccumulator.put(new Tuple2<>(task, info.id()), n);
                    if (before == null || n > before) {
                        if (info.id() == iterationsId) {
                            iterationsSeen += n - (before == null ? 0 : before);
                        }
                        touch();
                    }
                }
            }
        }
    }
}
