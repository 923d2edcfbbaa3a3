package io.ringmaster.workers;

import io.ringmaster.data.DataFormatException;
import io.ringmaster.data.Dataset;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.workers.checkpoint.Checkpoint;
import io.ringmaster.workers.checkpoint.CheckpointState;
import io.ringmaster.workers.checkpoint.CheckpointStore;
import io.ringmaster.workers.eval.Evaluator;
import io.ringmaster.workers.eval.Metrics;
import io.ringmaster.workers.eval.PopularityBaseline;
import io.ringmaster.workers.eval.RankingEvaluator;
import io.ringmaster.workers.metrics.MetricsEvents;
import io.ringmaster.workers.metrics.MetricsLog;
import io.ringmaster.workers.train.Checkpointer;
import io.ringmaster.workers.train.EpochDriver;
import io.ringmaster.workers.train.EpochListener;
import io.ringmaster.workers.train.TrainingEngine;
import io.ringmaster.workers.train.TrainingSettings;
import io.ringmaster.workers.train.TrainingSummary;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * One rank's part of a job around the training itself, the same for every strategy (the ring's gang
 * tasks, DL4J's training masters on the driver): it reads the dataset, refuses one without test users,
 * opens the checkpoint to continue from, writes the {@code start}, {@code baseline}, {@code resume} and
 * {@code done} records of {@code metrics.jsonl} (the reporting rank only), takes checkpoints when the
 * {@link EpochDriver} says so, and hands back the rank's {@link WorkerResult}.
 */
public final class TrainingSession {

    private final WorkerSpec spec;
    private final int rank;
    private final int ranks;
    private final Configuration conf;
    private final Dataset ds;
    private final MetricsLog log;
    private final CheckpointStore store;
    private final Checkpoint resume;
    private Metrics baseline;

    private TrainingSession(WorkerSpec spec, int rank, int ranks, Configuration conf, Dataset ds, MetricsLog log,
                            CheckpointStore store, Checkpoint resume) {
        this.spec = spec;
        this.rank = rank;
        this.ranks = ranks;
        this.conf = conf;
        this.ds = ds;
        this.log = log;
        this.store = store;
        this.resume = resume;
    }

    /** Rank {@code rank} of {@code ranks}; rank 0 reports. */
    public static TrainingSession open(WorkerSpec spec, int rank, int ranks) throws IOException {
        Configuration conf = Storage.configuration(spec.hadoop());
        Dataset ds = DatasetStore.read(conf, spec.datasetUri());
        if (ds.test().size() == 0) {
            throw new DataFormatException(spec.datasetUri() + ": the dataset has no test users to evaluate (its test"
                    + " split is empty: ingest it again; see ingest's warning)");
        }
        MetricsLog log = rank == 0 ? new MetricsLog(conf, new Path(Storage.path(spec.runDirUri()), Worker.METRICS_FILE))
                : null;
        CheckpointSettings cs = spec.checkpoint();
        CheckpointStore store = new CheckpointStore(conf, spec.runDirUri(), cs.keep());
        Checkpoint resume = cs.resumeFrom() == null ? null : store.open(cs.resumeFrom());
        return new TrainingSession(spec, rank, ranks, conf, ds, log, store, resume);
    }

    public Configuration conf() {
        return conf;
    }

    public Dataset dataset() {
        return ds;
    }

    /** The checkpoint training continues from, or null for a fresh start. */
    public Checkpoint resume() {
        return resume;
    }

    /** This rank's share of the test users (the whole split for a strategy that evaluates in one place). */
    public Evaluator evaluator(int share, int shares) {
        return RankingEvaluator.slice(ds.test(), spec.settings().evalK(), share, shares);
    }

    /**
     * The reporting rank writes the {@code start} record (what every strategy records, then {@code more}),
     * the most-popular baseline and, when continuing, the {@code resume} record; the others do nothing.
     */
    public void start(Map<String, Object> more) {
        if (log == null) {
            return;
        }
        TrainingSettings s = spec.settings();
        baseline = new RankingEvaluator(ds.test(), s.evalK())
                .evaluate(new PopularityBaseline(ds.numItems(), ds.train().items()));
        Map<String, Object> start = new LinkedHashMap<>();
        start.put("event", "start");
        start.put("runId", spec.runId());
        start.put("modelType", spec.model().type());
        start.put("model", spec.model().describe(ds.numUsers(), ds.numItems(), s.seed()));
        start.put("users", ds.numUsers());
        start.put("items", ds.numItems());
        start.put("trainInteractions", ds.train().size());
        start.put("samplesPerEpoch", (long) ds.train().size() * (1 + s.negatives()));
        start.put("batchSize", s.batchSize());
        start.put("workers", ranks);
        start.putAll(more);
        log.write(start);
        log.write(MetricsEvents.baseline("most-popular", baseline));
        if (resume != null) {
            log.write(MetricsEvents.resume(spec.checkpoint().resumeFrom(), resume));
        }
    }

    /** A record of the strategy's own (the reporting rank writes it). */
    public void record(Map<String, Object> record) {
        if (log != null) {
            log.write(record);
        }
    }

    /** Writes each epoch's record (the reporting rank). */
    public EpochListener listener() {
        return log == null ? EpochListener.NONE : m -> log.write(m.toMap());
    }

    /** The engine that trains the model: fresh, or from the checkpoint continued from. */
    public TrainingEngine engine() throws IOException {
        TrainingSettings s = spec.settings();
        return resume == null ? spec.model().newEngine(ds.numUsers(), ds.numItems(), s)
                : spec.model().restoreEngine(ds.numUsers(), ds.numItems(), s, store.loadModel(resume));
    }

    /** The model bytes of the checkpoint continued from (null for a fresh start). */
    public byte[] resumedModel() throws IOException {
        return resume == null ? null : store.loadModel(resume);
    }

    /** The epoch loop for this job: its epochs, evaluator, best-epoch figure, records and checkpoints. */
    public EpochDriver driver(Evaluator evaluator) {
        return new EpochDriver(spec.settings().epochs(), ranks, evaluator, spec.settings().select(), listener(),
                checkpointer(), resume == null ? null : resume.state());
    }

    /** Checkpoints as the job's {@code checkpoint.*} say; the reporting rank writes them. */
    public Checkpointer checkpointer() {
        CheckpointSettings cs = spec.checkpoint();
        return new Checkpointer() {
            @Override
            public boolean dueAfterStep(long globalStep) {
                return cs.everySteps() > 0 && globalStep % cs.everySteps() == 0;
            }

            @Override
            public boolean dueAfterEpoch(int epochsDone, boolean last) {
                return last || cs.everyEpochs() > 0 && epochsDone % cs.everyEpochs() == 0;
            }

            @Override
            public void save(CheckpointState state, ModelBytes model) throws IOException {
                if (log != null) {
                    CheckpointState st = state.withConfigHash(cs.configHash());
                    Path dir = store.save(model.get(), st, cs.jobYaml());
                    log.write(MetricsEvents.checkpoint(st, Storage.display(dir)));
                }
            }
        };
    }

    /** Writes the {@code done} record and returns this rank's result. */
    public WorkerResult finish(TrainingSummary summary, String engine, String backend, String paramsSha256) {
        if (log != null) {
            Map<String, Object> done = new LinkedHashMap<>();
            done.put("event", "done");
            done.putAll(summary.toMap());
            log.write(done);
        }
        return new WorkerResult(rank, summary, baseline, engine, backend, WorkerResult.currentProcess(), paramsSha256,
                resume == null ? -1 : resume.step(), null);
    }
}
