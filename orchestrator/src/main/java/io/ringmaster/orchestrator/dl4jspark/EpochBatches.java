package io.ringmaster.orchestrator.dl4jspark;

import io.ringmaster.data.Dataset;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.workers.Worker;
import io.ringmaster.workers.WorkerSpec;
import io.ringmaster.workers.model.NeuMF;
import io.ringmaster.workers.train.FaultInjection;
import io.ringmaster.workers.train.Examples;
import io.ringmaster.workers.train.SampleSource;
import io.ringmaster.workers.train.UserItemIndex;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.util.LongAccumulator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * One epoch of training batches for DL4J's training masters, made on the executors from the same
 * loader the ring's workers use ({@link Worker#openSource}): partition {@code r} holds rank r's local
 * batches (user and item columns in, 0/1 labels out), in step order. Each batch built counts in
 * {@code built}, the watchdog's sign of life while an epoch's batches are being made. An injected
 * fault ({@code fault.*}) makes its rank stop answering at that step, as a hung worker would.
 */
final class EpochBatches implements FlatMapFunction<Iterator<Integer>, MultiDataSet> {

    private static final long serialVersionUID = 1L;

    private final WorkerSpec spec;
    private final int epoch;
    private final int ranks;
    private final LongAccumulator built;

    EpochBatches(WorkerSpec spec, int epoch, int ranks, LongAccumulator built) {
        this.spec = spec;
        this.epoch = epoch;
        this.ranks = ranks;
        this.built = built;
    }

    @Override
    public Iterator<MultiDataSet> call(Iterator<Integer> rankIds) throws Exception {
        List<MultiDataSet> out = new ArrayList<>();
        if (!rankIds.hasNext()) {
            return out.iterator();
        }
        Configuration conf = Storage.configuration(spec.hadoop());
        Dataset ds = DatasetStore.read(conf, spec.datasetUri());
        UserItemIndex seen = new UserItemIndex(ds.numUsers(), ds.numItems(), ds.train().users(), ds.train().items());
        while (rankIds.hasNext()) {
            int rank = rankIds.next();
            try (SampleSource source = Worker.openSource(spec, conf, ds, seen, rank, ranks).source()) {
                int steps = source.startEpoch(epoch);
                for (int s = 0; s < steps; s++) {
                    long step = (long) epoch * steps + s + 1;
                    if (spec.fault().hits(rank, step)) {
                        hang(rank, step);
                    }
                    SampleSource.LocalBatch b = source.next();
                    built.add(1);
                    if (b.count() == 0) {
                        continue; // a rank with no share of a short last batch
                    }
                    Examples x = b.examples();
                    INDArray[] in = {NeuMF.column(x.column(Examples.USER), b.from(), b.count()),
                            NeuMF.column(x.column(Examples.ITEM), b.from(), b.count())};
                    INDArray[] labels = {NeuMF.column(x.labels(), b.from(), b.count())};
                    out.add(new org.nd4j.linalg.dataset.MultiDataSet(in, labels));
                }
            }
        }
        return out.iterator();
    }

    /** Waits until interrupted (the watchdog cancels the epoch), then fails. */
    private static void hang(int rank, long step) {
        try {
            while (true) {
                Thread.sleep(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FaultInjection.InjectedFault("injected fault: rank " + rank + " stopped answering at step "
                    + step + " (job keys fault.kill-rank / fault.at-step)");
        }
    }
}
