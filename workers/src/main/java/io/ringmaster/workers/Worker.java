package io.ringmaster.workers;

import io.ringmaster.data.Dataset;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.data.loader.ParquetDataset;
import io.ringmaster.data.loader.Retry;
import io.ringmaster.data.loader.ShardLoader;
import io.ringmaster.workers.train.InMemorySource;
import io.ringmaster.workers.train.LoaderSource;
import io.ringmaster.workers.train.SampleSource;
import io.ringmaster.workers.train.StepListener;
import io.ringmaster.workers.train.Timeline;
import io.ringmaster.workers.train.Collective;
import io.ringmaster.workers.train.NegativeSampler;
import io.ringmaster.workers.train.Trainer;
import io.ringmaster.workers.train.TrainingEngine;
import io.ringmaster.workers.train.TrainingSettings;
import io.ringmaster.workers.train.TrainingSummary;
import io.ringmaster.workers.train.UserItemIndex;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one gang task runs: open the job's {@link TrainingSession} (dataset, checkpoint, records), have
 * the model build its engine, train in step with the rest of the gang, evaluate a share of the test
 * users every epoch, and (rank 0) append the gang's figures to {@code metrics.jsonl}.
 */
public final class Worker {

    public static final String METRICS_FILE = "metrics.jsonl";

    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

    private Worker() {
    }

    /** Runs rank {@code gang.rank()} of a gang (a single worker: {@link Collective#single()}). */
    public static WorkerResult run(WorkerSpec spec, Collective gang) throws IOException {
        return run(spec, gang, null);
    }

    /** As {@link #run(WorkerSpec, Collective)}, on the GPU Spark assigned the task (its address, or null). */
    public static WorkerResult run(WorkerSpec spec, Collective gang, String gpuAddress) throws IOException {
        return run(spec, gang, gpuAddress, StepListener.NONE);
    }

    /** As {@link #run(WorkerSpec, Collective, String)}, telling {@code steps} about every finished step. */
    public static WorkerResult run(WorkerSpec spec, Collective gang, String gpuAddress, StepListener steps)
            throws IOException {
        return run(spec, gang, gpuAddress, steps, Timeline.OFF);
    }

    /**
     * As {@link #run(WorkerSpec, Collective, String, StepListener)}, recording the rank's spans in {@code timeline}.
     */
    public static WorkerResult run(WorkerSpec spec, Collective gang, String gpuAddress, StepListener steps,
                                   Timeline timeline) throws IOException {
        int rank = gang.rank();
        String device = DeviceBinding.bind(gpuAddress, rank); // before any ND4J array exists
        TrainingSession session = TrainingSession.open(spec, rank, gang.size());
        Dataset ds = session.dataset();
        TrainingSettings s = spec.settings();
        String backend = NdBackends.name();
        UserItemIndex seen = new UserItemIndex(ds.numUsers(), ds.numItems(), ds.train().users(), ds.train().items());
        OpenedSource opened = openSource(spec, session.conf(), ds, seen, rank, gang.size());
        SampleSource source = opened.source();
        TrainingSummary summary;
        String paramsSha;
        String engineName;
        try (TrainingEngine engine = session.engine()) {
            engineName = engine.name();
            if (opened.parquet() != null) {
                checkSameData(gang, opened.parquet());
            }
            Map<String, Object> start = new LinkedHashMap<>();
            start.put("engine", engine.name());
            start.put("backend", backend);
            start.put("transport", gang.transport());
            start.put("embeddingOptimizer", s.embeddingOptimizer().id());
            start.put("embeddings", s.embeddings().id());
            start.put("device", device);
            start.putAll(opened.info());
            session.start(start);
            LOG.info("rank {} of {}: training {} with the {} engine on {}", rank, gang.size(),
                    spec.model().describe(ds.numUsers(), ds.numItems(), s.seed()), engine.name(), backend);
            Trainer trainer = new Trainer(engine, source, s, gang, session.evaluator(rank, gang.size()),
                    session.listener(), spec.fault()).checkpoints(session.checkpointer()).steps(steps)
                    .timeline(timeline);
            if (session.resume() != null) {
                trainer.resumeFrom(session.resume().state());
            }
            summary = trainer.run();
            paramsSha = engine.paramsSha256();
        } finally {
            source.close();
        }
        return session.finish(summary, engineName, backend + " / " + device, paramsSha);
    }

    /** A rank's training examples, the Parquet they stream from (null in memory mode), and what to log of them. */
    public record OpenedSource(SampleSource source, ParquetDataset parquet, Map<String, Object> info) {
    }

    /**
     * Rank {@code rank} of {@code ranks}'s training examples as the spec's loader settings say: streamed
     * from Parquet row-group shards, or drawn in memory from the dataset (every rank the same epoch).
     * Other training strategies (DL4J's Spark training masters) take their batches from here too.
     */
    public static OpenedSource openSource(WorkerSpec spec, Configuration conf, Dataset ds, UserItemIndex seen,
                                          int rank, int ranks) throws IOException {
        TrainingSettings s = spec.settings();
        Map<String, Object> info = new LinkedHashMap<>();
        if (!spec.loader().stream()) {
            NegativeSampler sampler = new NegativeSampler(ds.train().users(), ds.train().items(), seen, s.negatives(),
                    s.seed());
            info.put("loader", "memory");
            return new OpenedSource(new InMemorySource(sampler, s.batchSize(), rank, ranks), null, info);
        }
        LoaderSettings ls = spec.loader();
        String uri = ls.uri() != null ? ls.uri() : new Path(Storage.path(spec.datasetUri()), DatasetStore.TRAIN)
                .toString();
        ParquetDataset parquet = ParquetDataset.open(conf, uri, LoaderSource.COLUMNS, Retry.defaults());
        int positives = LoaderSource.positivesPerStep(s.batchSize(), ranks, s.negatives());
        ShardLoader shards = new ShardLoader(parquet, new ShardLoader.Options(positives, ls.shuffleGroups(),
                ls.prefetchGroups(), s.seed(), ls.nulls(), Retry.defaults()), rank, ranks);
        SampleSource source = new LoaderSource(shards, parquet.uri(), seen, s.negatives(), s.seed(), rank, ranks,
                positives);
        info.put("loader", "stream");
        info.put("loaderData", parquet.uri());
        info.put("rowGroups", parquet.rowGroups().size());
        info.put("loaderMemoryBoundBytes", shards.memoryBoundBytes());
        info.put("stepsPerEpoch", shards.plan(0).stepsPerEpoch());
        info.put("globalBatch", positives * (1 + s.negatives()) * ranks);
        return new OpenedSource(source, parquet, info);
    }

    /**
     * Every rank lists and plans the training data itself; if the files changed while the gang
     * started, ranks would plan different steps and the ring would wait for a step that never comes.
     * The ranks compare a fingerprint (row groups, rows, a hash of files and groups) first.
     */
    private static void checkSameData(Collective gang, ParquetDataset parquet) throws IOException {
        if (gang.size() == 1) {
            return;
        }
        long hash = 17;
        for (io.ringmaster.data.loader.RowGroupRef g : parquet.rowGroups()) {
            hash = hash * 31 + g.file().hashCode();
            hash = hash * 31 + g.index();
            hash = hash * 31 + g.rows();
        }
        int mod = 1 << 20; // sums of up to 16 ranks stay exact in float
        float[] mine = {parquet.rowGroups().size() % mod, parquet.rows() % mod, Math.floorMod(hash, mod)};
        float[] sum = mine.clone();
        gang.allReduce(sum, 0, sum.length, false);
        for (int i = 0; i < mine.length; i++) {
            if (sum[i] != mine[i] * gang.size()) {
                throw new IOException(parquet.uri() + ": the workers see different training data (rank "
                        + gang.rank() + " sees " + parquet.rowGroups().size() + " row groups, " + parquet.rows()
                        + " rows); was it changed while the job started?");
            }
        }
    }
}
