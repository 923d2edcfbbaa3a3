package io.ringmaster.orchestrator.dl4jspark;

import io.ringmaster.workers.TrainingSession;
import io.ringmaster.workers.WorkerSpec;
import io.ringmaster.workers.checkpoint.CheckpointState;
import io.ringmaster.workers.eval.Evaluator;
import io.ringmaster.workers.eval.Metrics;
import io.ringmaster.workers.model.GraphModelSpec;
import io.ringmaster.workers.train.EpochDriver;
import io.ringmaster.workers.train.EpochStrategy;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * One epoch at a time with a DL4J training master, for the {@link EpochDriver}: the epoch's batches come
 * from the loader on the executors, DL4J fits them under the {@link Watchdog}, and the accumulators its
 * listener fills give the loss, examples and iterations. An epoch the parameter server ended without
 * training every example fails ({@link IncompleteEpochException}); parameter averaging's left-out
 * examples are recorded. Close it to remove its Spark listener.
 */
final class MasterEpochs implements EpochStrategy, AutoCloseable {

    private final JavaSparkContext jsc;
    private final SparkComputationGraph net;
    private final WorkerSpec spec;
    private final Dl4jSparkOptions options;
    private final int workers;
    private final String label;
    private final String job;
    private final TrainingSession session;
    private final CollectionAccumulator<String> endpoints;
    private final String[] masterEndpoint;
    private final GraphModelSpec model;
    private final LongAccumulator iterations;
    private final LongAccumulator examples;
    private final DoubleAccumulator lossSum;
    private final LongAccumulator built;
    private final TrainingProgress progress;
    private long steps;
    private boolean transportRecorded;

    /** Carries a checked exception of Spark's out of the epoch loop to {@link Dl4jSparkTraining}. */
    static final class Failed extends RuntimeException {
        Failed(Exception cause) {
            super(cause);
        }
    }

    MasterEpochs(JavaSparkContext jsc, SparkComputationGraph net, WorkerSpec spec, Dl4jSparkOptions options,
                 int workers, String job, String label, TrainingSession session,
                 CollectionAccumulator<String> endpoints,
                 String[] masterEndpoint, GraphModelSpec model, long steps) {
        this.jsc = jsc;
        this.net = net;
        this.spec = spec;
        this.options = options;
        this.workers = workers;
        this.job = job;
        this.label = label;
        this.session = session;
        this.endpoints = endpoints;
        this.masterEndpoint = masterEndpoint;
        this.model = model;
        this.steps = steps;
        SparkContext sc = jsc.sc();
        iterations = sc.longAccumulator("ringmaster.iterations");
        examples = sc.longAccumulator("ringmaster.examples");
        lossSum = sc.doubleAccumulator("ringmaster.loss");
        net.setListeners(List.of(new IterationCounter(iterations, examples, lossSum)));
        built = sc.longAccumulator("ringmaster.batches-built");
        progress = new TrainingProgress(iterations.id(), Set.of(iterations.id(), built.id()));
        sc.addSparkListener(progress);
    }

    @Override
    public Trained trainEpoch(int epoch, int first, CheckpointState resumed, EpochDriver driver) throws IOException {
        iterations.reset();
        examples.reset();
        lossSum.reset();
        long t0 = System.nanoTime();
        List<Integer> ranks = IntStream.range(0, workers).boxed().toList();
        JavaRDD<MultiDataSet> batches = jsc.parallelize(ranks, workers)
                .mapPartitions(new EpochBatches(spec, epoch - 1, workers, built));
        String what = "strategy " + options.kind().id() + ", epoch " + epoch;
        double seconds;
        long produced;
        try {
            Watchdog.run(jsc, "ringmaster-" + job, label + ", epoch " + epoch + "/" + spec.settings().epochs()
                    + ", strategy " + options.kind().id(), what, progress, options.stallSeconds(),
                    () -> net.fitMultiDataSet(batches));
            seconds = (System.nanoTime() - t0) / 1e9;
            // from the batches DL4J persisted: what the loader handed out this epoch
            produced = batches.map(m -> m.getFeatures(0).size(0)).fold(0L, Long::sum);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new Failed(e); // Spark's own (checked) exceptions: the caller rethrows them as they are
        } finally {
            batches.unpersist(false);
        }
        long n = examples.value();
        long iters = iterations.value();
        if (n < produced && options.kind() == Dl4jSparkOptions.Kind.PARAMETER_SERVER) {
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
            d.put("strategy", options.kind().id());
            d.put("epoch", epoch);
            d.put("trained", n);
            d.put("handedOut", produced);
            session.record(d);
        }
        steps += Math.round((double) iters / workers);
        if (masterEndpoint[0] != null && !transportRecorded) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("event", "transport");
            t.put("strategy", options.kind().id());
            t.put("master", masterEndpoint[0]);
            t.put("workers", new TreeSet<>(endpoints.value()).stream().toList());
            session.record(t);
            transportRecorded = true;
        }
        return new Trained(lossSum.value() / iters, n, seconds, n / seconds, null);
    }

    @Override
    public Metrics evaluate(Evaluator evaluator) {
        return evaluator.evaluate(model.engineOn(net.getNetwork())::scores);
    }

    @Override
    public long step() {
        return steps;
    }

    @Override
    public byte[] save() throws IOException {
        ComputationGraph graph = net.getNetwork();
        graph.getConfiguration().setIterationCount((int) Math.min(Integer.MAX_VALUE, steps));
        return model.writeGraph(graph);
    }

    @Override
    public void close() {
        jsc.sc().removeSparkListener(progress);
    }
}
