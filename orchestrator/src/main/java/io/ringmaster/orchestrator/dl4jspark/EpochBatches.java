package io.ringmaster.orchestrator.dl4jspark;

import io.ringmaster.data.Dataset;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.workers.Worker;
import io.ringmaster.workers.WorkerSpec;
import io.ringmaster.workers.model.NeuMF;
import io.ringmaster.workers.train.SampleSource;
import io.ringmaster.workers.train.UserItemIndex;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * One epoch of training batches for DL4J's training masters, made on the executors from the same
 * loader the ring's workers use ({@link Worker#openSource}): partition {@code r} holds rank r's local
 * batches (user and item columns in, 0/1 labels out), in step order.
 */
final class EpochBatches implements FlatMapFunction<Iterator<Integer>, MultiDataSet> {

    private static final long serialVersionUID = 1L;

    private final WorkerSpec spec;
    private final int epoch;
    private final int ranks;

    EpochBatches(WorkerSpec spec, int epoch, int ranks) {
        this.spec = spec;
        this.epoch = epoch;
        this.ranks = ranks;
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
                    SampleSource.LocalBatch b = source.next();
                    if (b.count() == 0) {
                        continue; // a rank with no share of a short last batch
                    }
                    INDArray[] in = {NeuMF.column(b.users(), b.from(), b.count()),
                            NeuMF.column(b.items(), b.from(), b.count())};
                    INDArray[] labels = {NeuMF.column(b.labels(), b.from(), b.count())};
                    out.add(new org.nd4j.linalg.dataset.MultiDataSet(in, labels));
                }
            }
        }
        return out.iterator();
    }
}
