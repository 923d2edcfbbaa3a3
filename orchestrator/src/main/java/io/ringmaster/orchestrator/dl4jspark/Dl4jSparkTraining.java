package io.ringmaster.orchestrator.dl4jspark;

import io.ringmaster.data.Dataset;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.workers.CheckpointSettings;
import io.ringmaster.workers.NdBackends;
import io.ringmaster.workers.Worker;
import io.ringmaster.workers.WorkerResult;
import io.ringmaster.workers.WorkerSpec;
import io.ringmaster.workers.checkpoint.Checkpoint;
import io.ringmaster.workers.checkpoint.CheckpointState;
import io.ringmaster.workers.checkpoint.CheckpointStore;
import io.ringmaster.workers.eval.EvalResult;
import io.ringmaster.workers.eval.NcfEvaluator;
import io.ringmaster.workers.eval.PopularityBaseline;
import io.ringmaster.workers.metrics.MetricsEvents;
import io.ringmaster.workers.metrics.MetricsLog;
import io.ringmaster.workers.model.NeuMF;
import io.ringmaster.workers.model.NeuMFSpec;
import io.ringmaster.workers.train.Dl4jEngine;
import io.ringmaster.workers.train.EpochMetrics;
import io.ringmaster.workers.train.LoaderSource;
import io.ringmaster.workers.train.TrainingDivergedException;
import io.ringmaster.workers.train.TrainingSettings;
import io.ringmaster.workers.train.TrainingSummary;
import io.ringmaster.workers.train.UserItemIndex;
import java.io.IOException;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains NeuMF with one of DL4J's Spark training masters, epoch by epoch on the driver: each epoch's
 * batches come from Ringmaster's loader on the executors ({@link EpochBatches}), DL4J trains them
 * under the {@link Watchdog}, then the driver evaluates (HR/NDCG/MAP@K on the test split), appends
 * the same {@code metrics.jsonl} records as the ring's workers, and saves a checkpoint (the network
 * with its updater state) at epoch ends, from which a later run resumes.
 */
public final class Dl4jSparkTraining {

    private static final Logger LOG = LoggerFactory.getLogger(Dl4jSparkTraining.class);

    private Dl4jSparkTraining() {
    }

    /**
     * Runs the job and returns one result (rank 0: the driver, which evaluates). Failures of the Spark
     * jobs come back as Spark's exceptions; a stalled epoch as {@link TrainingStalledException}; an epoch
     * the parameter server ended without training every example as {@link IncompleteEpochException};
     * a transport that cannot work as configured as {@link ParameterServerException}.
     */
    public static List<WorkerResult> run(SparkSession spark, WorkerSpec spec, Dl4jSparkOptions o, int workers)
            throws Exception {
        SparkContext sc = spark.sparkContext();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
        Configuration conf = Storage.configuration(spec.hadoop());
        Dataset ds = DatasetStore.read(conf, spec.datasetUri());
        TrainingSettings s = spec.settings();
        NeuMFSpec model = new NeuMFSpec(ds.numUsers(), ds.numItems(), spec.factors(), spec.layers(),
                spec.learningRate(), s.seed());
        if (ds.test().size() == 0) {
            throw new io.ringmaster.data.DataFormatException(spec.datasetUri() + ": the dataset has no test users to"
                    + " evaluate (its test split is empty: ingest it again; see ingest's warning)");
        }
        NcfEvaluator evaluator = new NcfEvaluator(ds.test(), s.evalK());
        MetricsLog log = new MetricsLog(conf, new Path(Storage.path(spec.runDirUri()), Worker.METRICS_FILE));
        CheckpointSettings cs = spec.checkpoint();
        CheckpointStore store = new CheckpointStore(conf, spec.runDirUri(), cs.keep());
        Checkpoint resume = cs.resumeFrom() == null ? null : store.open(cs.resumeFrom());
        if (resume != null && resume.state().stepInEpoch() != 0) {
            throw new IllegalArgumentException("checkpoint " + Storage.display(resume.dir()) + " was taken in the"
                    + " middle of an epoch; strategy " + o.kind().id() + " resumes from epoch ends only");
        }
        String backend = NdBackends.name();
        // examples in each MultiDataSet a rank's loader hands out: one minibatch each, as on the ring
        int localBatch = spec.loader().stream()
                ? LoaderSource.positivesPerStep(s.batchSize(), workers, s.negatives()) * (1 + s.negatives())
                : s.batchSize() / workers;

        UserItemIndex seen = new UserItemIndex(ds.numUsers(), ds.numItems(), ds.train().users(), ds.train().items());
        Worker.OpenedSource rank0 = Worker.openSource(spec, conf, ds, seen, 0, workers); // for its description
        rank0.source().close();
        Map<String, Object> loaderInfo = rank0.info();
        EvalResult baseline = evaluator.evaluate(new PopularityBaseline(ds.numItems(), ds.train().items()));
        Map<String, Object> start = new LinkedHashMap<>();
        start.put("event", "start");
        start.put("runId", spec.runId());
        start.put("strategy", o.kind().id());
        start.put("engine", "dl4j");
        start.put("backend", backend);
        start.put("model", model.toString());
        start.put("users", ds.numUsers());
        start.put("items", ds.numItems());
        start.put("trainInteractions", ds.train().size());
        start.put("samplesPerEpoch", (long) ds.train().size() * (1 + s.negatives()));
        start.put("batchSize", s.batchSize());
        start.put("workers", workers);
        start.put("device", "DL4J " + o.kind().id() + " training master, " + localBatch + " per worker");
        start.putAll(loaderInfo);
        log.write(start);
        log.write(MetricsEvents.baseline(baseline));

        ComputationGraph graph;
        CheckpointState at;
        if (resume != null) {
            graph = store.loadModel(resume);
            at = resume.state();
            log.write(MetricsEvents.resume(cs.resumeFrom(), resume));
        } else {
            graph = NeuMF.build(model);
            at = CheckpointState.start(workers, cs.configHash());
        }

        String job = spec.runId() + "-" + System.nanoTime();
        CollectionAccumulator<String> endpoints = sc.collectionAccumulator("ringmaster.ps.endpoints");
        String[] masterEndpoint = {null};
        TrainingMaster<?, ?> master = o.kind() == Dl4jSparkOptions.Kind.AVERAGING
                ? averaging(o, workers, localBatch, s.seed())
                : parameterServer(jsc, sc, o, workers, localBatch, job, endpoints, masterEndpoint);
        SparkComputationGraph net = new SparkComputationGraph(jsc, graph, master);
        LongAccumulator iterations = sc.longAccumulator("ringmaster.iterations");
        LongAccumulator examples = sc.longAccumulator("ringmaster.examples");
        DoubleAccumulator lossSum = sc.doubleAccumulator("ringmaster.loss");
        net.setListeners(List.of(new IterationCounter(iterations, examples, lossSum)));
        LongAccumulator built = sc.longAccumulator("ringmaster.batches-built");
        TrainingProgress progress = new TrainingProgress(iterations.id(), java.util.Set.of(iterations.id(),
                built.id()));
        sc.addSparkListener(progress);

        int bestEpoch = at.bestEpoch();
        double bestHr = at.bestHr();
        double bestNdcg = at.bestNdcg();
        double bestMap = at.bestMap();
        double trainSeconds = at.trainSeconds();
        long trained = at.trained();
        long steps = at.globalStep();
        double lastLoss = Double.NaN;
        List<Integer> ranks = IntStream.range(0, workers).boxed().toList();
        try {
            for (int epoch = at.epoch() + 1; epoch <= s.epochs(); epoch++) {
                iterations.reset();
                examples.reset();
                lossSum.reset();
                long t0 = System.nanoTime();
                JavaRDD<MultiDataSet> batches = jsc.parallelize(ranks, workers)
                        .mapPartitions(new EpochBatches(spec, epoch - 1, workers, built));
                String what = "strategy " + o.kind().id() + ", epoch " + epoch;
                double seconds;
                long produced;
                try {
                    Watchdog.run(jsc, "ringmaster-" + job, what, progress, o.stallSeconds(),
                            () -> net.fitMultiDataSet(batches));
                    seconds = (System.nanoTime() - t0) / 1e9;
                    // from the batches DL4J persisted: what the loader handed out this epoch
                    produced = batches.map(m -> m.getFeatures(0).size(0)).fold(0L, Long::sum);
                } finally {
                    batches.unpersist(false);
                }
                long n = examples.value();
                long iters = iterations.value();
                if (n < produced && o.kind() == Dl4jSparkOptions.Kind.PARAMETER_SERVER) {
                    // DL4J's parameter-server trainers catch their own failures and return as if done
                    throw new IncompleteEpochException(what + ": DL4J trained " + n + " of the " + produced
                            + " examples the loader handed out; a trainer failed inside DL4J (its error is in"
                            + " that executor's log)");
                }
                if (n < produced) {
                    // parameter averaging trains at most `frequency` minibatches per worker and round, and
                    // leaves out the rest of a round its random split dealt unevenly (its workers' failures
                    // fail their Spark tasks, so this is no failure)
                    Map<String, Object> d = new LinkedHashMap<>();
                    d.put("event", "left-out");
                    d.put("strategy", o.kind().id());
                    d.put("epoch", epoch);
                    d.put("trained", n);
                    d.put("handedOut", produced);
                    log.write(d);
                }
                lastLoss = lossSum.value() / iters;
                if (!Double.isFinite(lastLoss)) {
                    throw new TrainingDivergedException("training diverged: loss is " + lastLoss + " at epoch " + epoch
                            + "; lower train.learning-rate");
                }
                trainSeconds += seconds;
                trained += n;
                steps += Math.round((double) iters / workers);
                graph = net.getNetwork();
                if (masterEndpoint[0] != null && epoch == at.epoch() + 1) {
                    Map<String, Object> t = new LinkedHashMap<>();
                    t.put("event", "transport");
                    t.put("strategy", o.kind().id());
                    t.put("master", masterEndpoint[0]);
                    t.put("workers", new java.util.TreeSet<>(endpoints.value()).stream().toList());
                    log.write(t);
                }
                long e0 = System.nanoTime();
                Dl4jEngine scorer = new Dl4jEngine(graph);
                EvalResult eval = evaluator.evaluate(scorer::scores);
                double evalSeconds = (System.nanoTime() - e0) / 1e9;
                if (eval.hr() > bestHr) {
                    bestHr = eval.hr();
                    bestNdcg = eval.ndcg();
                    bestMap = eval.map();
                    bestEpoch = epoch;
                }
                log.write(new EpochMetrics(epoch, steps, lastLoss, s.evalK(), eval.hr(), eval.ndcg(), eval.map(), n,
                        seconds, evalSeconds, n / seconds).toMap());
                boolean last = epoch == s.epochs();
                if (last || cs.everyEpochs() > 0 && epoch % cs.everyEpochs() == 0) {
                    graph.getConfiguration().setIterationCount((int) Math.min(Integer.MAX_VALUE, steps));
                    CheckpointState st = new CheckpointState(epoch, 0, steps, 0, bestEpoch, bestHr, bestNdcg, bestMap,
                            trainSeconds, trained, workers, cs.configHash(), null);
                    Path dir = store.save(graph, st, cs.jobYaml());
                    log.write(MetricsEvents.checkpoint(st, Storage.display(dir)));
                }
            }
        } finally {
            sc.removeSparkListener(progress);
            if (o.kind() == Dl4jSparkOptions.Kind.PARAMETER_SERVER) {
                ParameterServerSingletons.shutDown();
                ParameterServerSingletons.releaseTrainer(); // this JVM's (local masters train here)
            }
        }
        TrainingSummary summary = new TrainingSummary(s.epochs(), steps, bestEpoch, bestHr, bestNdcg, bestMap,
                lastLoss, trainSeconds > 0 ? trained / trainSeconds : Double.NaN, trainSeconds);
        Map<String, Object> done = new LinkedHashMap<>();
        done.put("event", "done");
        done.putAll(summary.toMap());
        log.write(done);
        return List.of(new WorkerResult(0, summary, baseline.hr(), baseline.ndcg(), baseline.map(), "dl4j",
                backend + " / " + o.kind().id(), WorkerResult.currentProcess(), Worker.paramsSha256(graph),
                resume == null ? -1 : resume.step()));
    }

    private static TrainingMaster<?, ?> averaging(Dl4jSparkOptions o, int workers, int localBatch, long seed) {
        // each RDD object is one worker minibatch of localBatch examples: nothing is cut or merged
        return new ParameterAveragingTrainingMaster.Builder(workers, localBatch)
                .batchSizePerWorker(localBatch)
                .averagingFrequency(o.averagingFrequency())
                .workerPrefetchNumBatches(2)
                .saveUpdater(true)
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .rngSeed(seed)
                .build();
    }

    /**
     * Checks the port and the workers' path to the master before DL4J starts its transport (which would
     * otherwise wait without end), then builds the training master bound to the chosen port.
     */
    private static TrainingMaster<?, ?> parameterServer(JavaSparkContext jsc, SparkContext sc, Dl4jSparkOptions o,
                                                       int workers, int localBatch, String job,
                                                       CollectionAccumulator<String> endpoints,
                                                       String[] masterEndpoint)
            throws IOException, org.apache.spark.SparkException {
        AeronSettings.apply();
        String master = o.masterAddress() != null ? o.masterAddress()
                : sc.getConf().get("spark.driver.host", InetAddress.getLocalHost().getHostAddress());
        String masterIp;
        try {
            masterIp = InetAddress.getByName(master).getHostAddress();
        } catch (IOException e) {
            throw new ParameterServerException("parameter-server: cannot resolve the master address " + master
                    + " (parameter-server.master-address, else spark.driver.host)", e);
        }
        RangePortSupplier ports = new RangePortSupplier(job, o.firstPort(), o.lastPort());
        int port = ports.getPort(); // fails, naming the range, when every port is taken
        MasterReachability.check(jsc, masterIp, port, workers, o.connectSeconds());
        LOG.info("parameter server: master {}:{}, ports {}-{}", masterIp, port, o.firstPort(), o.lastPort());
        masterEndpoint[0] = masterIp + ":" + port;
        VoidConfiguration voidConf = VoidConfiguration.builder()
                .controllerAddress(masterIp)
                .portSupplier(ports)
                .build();
        return new ExecutorBoundSharedTrainingMaster(voidConf, workers, o.trainersPerExecutor(), localBatch,
                o.threshold(), endpoints);
    }
}
