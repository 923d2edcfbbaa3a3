package io.ringmaster.orchestrator.dl4jspark;

import io.ringmaster.data.Dataset;
import io.ringmaster.data.Storage;
import io.ringmaster.workers.NdBackends;
import io.ringmaster.workers.TrainingSession;
import io.ringmaster.workers.Worker;
import io.ringmaster.workers.WorkerResult;
import io.ringmaster.workers.WorkerSpec;
import io.ringmaster.workers.checkpoint.Checkpoint;
import io.ringmaster.workers.model.GraphModelSpec;
import io.ringmaster.workers.train.LoaderSource;
import io.ringmaster.workers.train.TrainingSettings;
import io.ringmaster.workers.train.TrainingSummary;
import io.ringmaster.workers.train.UserItemIndex;
import java.io.IOException;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a model that is a DL4J graph with one of DL4J's Spark training masters, epoch by epoch on the
 * driver: each epoch's batches come from Ringmaster's loader on the executors ({@link EpochBatches}),
 * DL4J trains them under the {@link Watchdog} ({@link MasterEpochs}), and the same {@link EpochDriver}
 * as the ring's workers evaluates on the test split, keeps the best epoch, appends the same
 * {@code metrics.jsonl} records and saves checkpoints (the network with its updater state) at epoch
 * ends, from which a later run resumes.
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
    /** Trains with DL4J's training master; {@code label} starts what the Spark UI shows for each epoch's job. */
    public static List<WorkerResult> run(SparkSession spark, WorkerSpec spec, Dl4jSparkOptions o, int workers,
                                         String label) throws Exception {
        if (!(spec.model() instanceof GraphModelSpec model)) {
            throw new IllegalArgumentException("strategy " + o.kind().id() + " trains DL4J graphs; model.type "
                    + spec.model().type() + " is not one (use strategy: allreduce)");
        }
        SparkContext sc = spark.sparkContext();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
        TrainingSession session = TrainingSession.open(spec, 0, workers);
        Dataset ds = session.dataset();
        TrainingSettings s = spec.settings();
        Checkpoint resume = session.resume();
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
        Worker.OpenedSource rank0 = Worker.openSource(spec, session.conf(), ds, seen, 0, workers); // its description
        rank0.source().close();
        Map<String, Object> start = new LinkedHashMap<>();
        start.put("strategy", o.kind().id());
        start.put("engine", "dl4j");
        start.put("backend", backend);
        start.put("device", "DL4J " + o.kind().id() + " training master, " + localBatch + " per worker");
        start.putAll(rank0.info());
        session.start(start);
        ComputationGraph graph = resume != null ? model.readGraph(session.resumedModel())
                : model.buildGraph(ds.numUsers(), ds.numItems(), s.seed());

        String job = spec.runId() + "-" + System.nanoTime();
        CollectionAccumulator<String> endpoints = sc.collectionAccumulator("ringmaster.ps.endpoints");
        String[] masterEndpoint = {null};
        TrainingMaster<?, ?> master = o.kind() == Dl4jSparkOptions.Kind.AVERAGING
                ? averaging(o, workers, localBatch, s.seed())
                : parameterServer(jsc, sc, o, workers, localBatch, job, endpoints, masterEndpoint);
        SparkComputationGraph net = new SparkComputationGraph(jsc, graph, master);
        MasterEpochs epochs = new MasterEpochs(jsc, net, spec, o, workers, job, label, session, endpoints,
                masterEndpoint, model, resume == null ? 0 : resume.state().globalStep());
        TrainingSummary summary;
        try {
            summary = session.driver(session.evaluator(0, 1)).run(epochs);
        } catch (MasterEpochs.Failed e) {
            throw (Exception) e.getCause();
        } finally {
            epochs.close();
            if (o.kind() == Dl4jSparkOptions.Kind.PARAMETER_SERVER) {
                ParameterServerSingletons.shutDown();
                ParameterServerSingletons.releaseTrainer(); // this JVM's (local masters train here)
            }
        }
        return List.of(session.finish(summary, "dl4j", backend + " / " + o.kind().id(),
                model.engineOn(net.getNetwork()).paramsSha256()));
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
