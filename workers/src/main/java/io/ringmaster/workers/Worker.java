package io.ringmaster.workers;

import io.ringmaster.data.Dataset;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.data.loader.ParquetDataset;
import io.ringmaster.data.loader.Retry;
import io.ringmaster.data.loader.ShardLoader;
import io.ringmaster.workers.checkpoint.Checkpoint;
import io.ringmaster.workers.checkpoint.CheckpointState;
import io.ringmaster.workers.checkpoint.CheckpointStore;
import io.ringmaster.workers.eval.EvalResult;
import io.ringmaster.workers.eval.NcfEvaluator;
import io.ringmaster.workers.eval.PopularityBaseline;
import io.ringmaster.workers.metrics.MetricsEvents;
import io.ringmaster.workers.metrics.MetricsLog;
import io.ringmaster.workers.model.NeuMFKernel;
import io.ringmaster.workers.model.NeuMFSpec;
import io.ringmaster.workers.train.Checkpointer;
import io.ringmaster.workers.train.EpochListener;
import io.ringmaster.workers.train.InMemorySource;
import io.ringmaster.workers.train.LoaderSource;
import io.ringmaster.workers.train.SampleSource;
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
 * What one gang task runs: load the dataset, build the network and engine, train in step with the
 * rest of the gang, evaluate a share of the test users every epoch, and (rank 0) append the gang's
 * figures to {@code metrics.jsonl} in the run directory.
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
        int rank = gang.rank();
        String device = DeviceBinding.bind(gpuAddress, rank); // before any ND4J array exists
        Configuration conf = Storage.configuration(spec.hadoop());
        Dataset ds = DatasetStore.read(conf, spec.datasetUri());
        TrainingSettings s = spec.settings();
        NeuMFSpec model = new NeuMFSpec(ds.numUsers(), ds.numItems(), spec.factors(), spec.layers(),
                spec.learningRate(), s.seed());
        NeuMFKernel.useBlasThreads(s.threads());
        String backend = NdBackends.name();
        UserItemIndex seen = new UserItemIndex(ds.numUsers(), ds.numItems(), ds.train().users(), ds.train().items());
        NegativeSampler sampler = new NegativeSampler(ds.train().users(), ds.train().items(), seen, s.negatives(),
                s.seed());
        if (ds.test().size() == 0) {
            throw new io.ringmaster.data.DataFormatException(spec.datasetUri() + ": the dataset has no test users to"
                    + " evaluate (its test split is empty: ingest it again; see ingest's warning)");
        }
        boolean evaluates = rank == 0;
        NcfEvaluator evaluator = NcfEvaluator.slice(ds.test(), s.evalK(), rank, gang.size());
        MetricsLog log = evaluates ? new MetricsLog(conf, new Path(Storage.path(spec.runDirUri()), METRICS_FILE)) : null;
        OpenedSource opened = openSource(spec, conf, ds, seen, rank, gang.size());
        SampleSource source = opened.source();
        if (opened.parquet() != null) {
            checkSameData(gang, opened.parquet());
        }
        Map<String, Object> loaderInfo = opened.info();
        EvalResult baseline = null;
        if (evaluates) {
            baseline = new NcfEvaluator(ds.test(), s.evalK()).evaluate(new PopularityBaseline(ds.numItems(), ds.train().items()));
            Map<String, Object> start = new LinkedHashMap<>();
            start.put("event", "start");
            start.put("runId", spec.runId());
            start.put("engine", s.engine().id());
            start.put("backend", backend);
            start.put("model", model.toString());
            start.put("users", ds.numUsers());
            start.put("items", ds.numItems());
            start.put("trainInteractions", ds.train().size());
            start.put("samplesPerEpoch", sampler.epochSize());
            start.put("batchSize", s.batchSize());
            start.put("workers", gang.size());
            start.put("transport", gang.transport());
            start.put("embeddingOptimizer", s.embeddingOptimizer().id());
            start.put("embeddings", s.embeddings().id());
            start.put("device", device);
            start.putAll(loaderInfo);
            log.write(start);
            log.write(MetricsEvents.baseline(baseline));
        }
        EpochListener listener = evaluates ? m -> log.write(m.toMap()) : EpochListener.NONE;
        LOG.info("rank {} of {}: training {} with the {} engine on {}", rank, gang.size(), model, s.engine().id(),
                backend);
        TrainingSummary summary;
        CheckpointSettings cs = spec.checkpoint();
        CheckpointStore store = new CheckpointStore(conf, spec.runDirUri(), cs.keep());
        Checkpoint resume = cs.resumeFrom() == null ? null : store.open(cs.resumeFrom());
        if (resume != null && evaluates) {
            log.write(MetricsEvents.resume(cs.resumeFrom(), resume));
        }
        String paramsSha;
        try (TrainingEngine engine = resume == null ? s.engine().create(model, s.embeddingOptimizer())
                : s.engine().restore(store.loadModel(resume), model, s.embeddingOptimizer())) {
            Checkpointer checkpointer = new Checkpointer() {
                @Override
                public boolean dueAfterStep(long globalStep) {
                    return cs.everySteps() > 0 && globalStep % cs.everySteps() == 0;
                }

                @Override
                public boolean dueAfterEpoch(int epochsDone, boolean last) {
                    return last || cs.everyEpochs() > 0 && epochsDone % cs.everyEpochs() == 0;
                }

                @Override
                public void save(TrainingEngine e, CheckpointState state) throws IOException {
                    if (rank == 0) {
                        CheckpointState st = state.withConfigHash(cs.configHash());
                        Path dir = store.save(e.toGraph(), st, cs.jobYaml());
                        log.write(MetricsEvents.checkpoint(st, Storage.display(dir)));
                    }
                }
            };
            Trainer trainer = new Trainer(engine, source, s, gang, evaluator, listener, spec.fault())
                    .checkpoints(checkpointer);
            if (resume != null) {
                trainer.resumeFrom(resume.state());
            }
            summary = trainer.run();
            paramsSha = paramsSha256(engine);
        } finally {
            source.close();
        }
        if (evaluates) {
            Map<String, Object> done = new LinkedHashMap<>();
            done.put("event", "done");
            done.putAll(summary.toMap());
            log.write(done);
        }
        return new WorkerResult(rank, summary, baseline == null ? Double.NaN : baseline.hr(),
                baseline == null ? Double.NaN : baseline.ndcg(), baseline == null ? Double.NaN : baseline.map(),
                s.engine().id(), backend + " / " + device, WorkerResult.currentProcess(), paramsSha,
                resume == null ? -1 : resume.step());
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

    /** SHA-256 of the network's parameters (graph order), to compare runs bit for bit. */
    static String paramsSha256(TrainingEngine engine) {
        return paramsSha256(engine.toGraph());
    }

    /** SHA-256 of a network's parameters (graph order). */
    public static String paramsSha256(org.deeplearning4j.nn.graph.ComputationGraph graph) {
        float[] p = graph.params().dup().data().asFloat();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(p.length * 4);
        b.asFloatBuffer().put(p);
        return Storage.sha256(b.array());
    }
}
