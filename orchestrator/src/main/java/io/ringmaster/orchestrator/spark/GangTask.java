package io.ringmaster.orchestrator.spark;

import io.ringmaster.workers.Worker;
import io.ringmaster.workers.WorkerResult;
import io.ringmaster.workers.WorkerSpec;
import io.ringmaster.workers.train.GradientHook;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.runtime.AbstractFunction1;

/**
 * The body of one task of the barrier stage: find its rank and run the worker. The partition's input
 * (its rank number) is ignored; the rank comes from the barrier context.
 */
final class GangTask extends AbstractFunction1<Iterator<Integer>, Iterator<WorkerResult>> implements Serializable {

    private static final long serialVersionUID = 1L;

    private final WorkerSpec spec;

    GangTask(WorkerSpec spec) {
        this.spec = spec;
    }

    @Override
    public Iterator<WorkerResult> apply(Iterator<Integer> partition) {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        int rank = ctx.partitionId();
        int size = ctx.getTaskInfos().length;
        if (size != 1) {
            throw new IllegalStateException("gang of " + size + " tasks, but this build trains with one worker only");
        }
        try {
            WorkerResult r = Worker.run(spec, rank, GradientHook.NONE);
            return JavaConverters.asScalaIterator(List.of(r).iterator());
        } catch (IOException e) {
            throw new UncheckedIOException("rank " + rank + ": " + e.getMessage(), e);
        }
    }
}
