package io.ringmaster.orchestrator.bench;

import io.ringmaster.data.Dataset;
import io.ringmaster.data.Storage;
import io.ringmaster.data.loader.NullPolicy;
import io.ringmaster.workers.LoaderSettings;
import io.ringmaster.workers.Worker;
import io.ringmaster.workers.WorkerSpec;
import io.ringmaster.workers.model.NeuMFKernel;
import io.ringmaster.workers.model.NeuMFSettings;
import io.ringmaster.workers.model.NeuMFSpec;
import io.ringmaster.workers.ring.LoopbackRing;
import io.ringmaster.workers.ring.RingAllReducer;
import io.ringmaster.workers.ring.RingAuth;
import io.ringmaster.workers.ring.RingOptions;
import io.ringmaster.workers.ring.SharedMemoryCollective;
import io.ringmaster.workers.train.Collective;
import io.ringmaster.workers.train.EpochListener;
import io.ringmaster.workers.train.EpochMetrics;
import io.ringmaster.workers.train.FaultInjection;
import io.ringmaster.workers.train.SampleSource;
import io.ringmaster.workers.train.StepCounters;
import io.ringmaster.workers.train.Trainer;
import io.ringmaster.workers.train.TrainingEngine;
import io.ringmaster.workers.train.TrainingSettings;
import io.ringmaster.workers.train.UserItemIndex;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;

/**
 * One gang measurement for the benchmarks, as {@code train} runs a gang on {@code local[N]}: N ranks
 * as threads of this JVM, connected as Spark tasks connect (authenticated ring, then the transport
 * {@code allreduce.transport} picks), each streaming its row-group shard of the dataset's training
 * Parquet and drawing its own negatives, each with its own engine. One warm-up epoch, then the epoch
 * with the median samples/s of the measured ones (or of windows of a fixed number of steps, {@link StepWindows}).
 */
final class GangRun {

    /** The median measured epoch of a gang. */
    record Result(int workers, long globalBatch, double samplesPerSecond, double msPerStep, StepCounters counters,
                  String transport) {

        double ms(double seconds) {
            return 1e3 * seconds / counters.steps();
        }
    }

    private GangRun() {
    }

    /** The result with the median samples/s. */
    static Result median(List<Result> results) {
        List<Result> sorted = new ArrayList<>(results);
        sorted.sort(Comparator.comparingDouble(Result::samplesPerSecond));
        return sorted.get(sorted.size() / 2);
    }

    /** The job defaults' streaming loader. */
    static final LoaderSettings STREAM = new LoaderSettings(true, null, 8, 4, NullPolicy.REJECT);

    static Result measure(String datasetUri, Dataset ds, UserItemIndex seen, NeuMFSpec spec, TrainingSettings s,
                          RingOptions options, int workers, int measuredEpochs, int stepsPerEpoch) throws IOException {
        return measure(datasetUri, ds, seen, spec, s, options, STREAM, workers, measuredEpochs, stepsPerEpoch);
    }

    static Result measure(String datasetUri, Dataset ds, UserItemIndex seen, NeuMFSpec spec, TrainingSettings s,
                          RingOptions options, LoaderSettings loader, int workers, int measuredEpochs,
                                  int stepsPerEpoch)
            throws IOException {
        System.gc(); // the last measurement's engines are garbage: collect them now, not while this one runs
        return train(datasetUri, ds, seen, spec, s, options, loader, workers, measuredEpochs, stepsPerEpoch);
    }

    /**
     * {@code copies} gangs of one at once, each training the whole dataset on its own thread with no
     * exchange: what the machine gives N workers that never wait for each other (its ceiling for weak
     * scaling). The result holds their summed samples/s; its counters are the first copy's.
     */
    static Result apart(String datasetUri, Dataset ds, UserItemIndex seen, NeuMFSpec spec, TrainingSettings s,
                        RingOptions options, LoaderSettings loader, int copies, int measuredEpochs, int stepsPerEpoch)
            throws IOException {
        System.gc();
        ExecutorService pool = Executors.newFixedThreadPool(copies);
        try {
            List<Future<Result>> fs = new ArrayList<>();
            for (int c = 0; c < copies; c++) {
                fs.add(pool.submit(() -> train(datasetUri, ds, seen, spec, s, options, loader, 1, measuredEpochs,
                        stepsPerEpoch)));
            }
            double samples = 0;
            double ms = 0;
            Result first = null;
            for (Future<Result> f : fs) {
                Result r = f.get();
                first = first == null ? r : first;
                samples += r.samplesPerSecond();
                ms += r.msPerStep() / copies;
            }
            return new Result(copies, first.globalBatch() * copies, samples, ms, first.counters(), "none (apart)");
        } catch (ExecutionException e) {
            throw new IOException("gangs of 1 apart failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            pool.shutdownNow();
        }
    }

    private static Result train(String datasetUri, Dataset ds, UserItemIndex seen, NeuMFSpec spec, TrainingSettings s,
                                RingOptions options, LoaderSettings loader, int workers, int measuredEpochs,
                                int stepsPerEpoch) throws IOException {
        TrainingSettings settings = s.withEpochs(measuredEpochs + 1);
        NeuMFKernel.useBlasThreads(settings.threads());
        Configuration conf = Storage.configuration();
        NeuMFSettings model = new NeuMFSettings(spec.factors(), spec.mlpLayers(), spec.learningRate());
        WorkerSpec spec0 = new WorkerSpec("bench", datasetUri, datasetUri, Map.of(), model, settings,
                FaultInjection.NONE, loader, null);
        List<RingAllReducer> ring = LoopbackRing.form(workers, RingAuth.newSecret(), options);
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        List<EpochMetrics> epochs = new CopyOnWriteArrayList<>();
        String[] transport = new String[1];
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (RingAllReducer r : ring) {
                fs.add(pool.submit(() -> {
                    Collective gang = SharedMemoryCollective.over(r);
                    transport[0] = gang.transport();
                    SampleSource source = null;
                    try (TrainingEngine e = model.newEngine(spec.numUsers(), spec.numItems(), settings)) {
                        Worker.OpenedSource opened = Worker.openSource(spec0, conf, ds, seen, gang.rank(), workers);
                        source = stepsPerEpoch > 0 ? new StepWindows(opened.source(), stepsPerEpoch) : opened.source();
                        EpochListener l = gang.rank() == 0 ? epochs::add : EpochListener.NONE;
                        new Trainer(e, source, settings, gang, null, l, FaultInjection.NONE).run();
                    } finally {
                        if (source != null) {
                            source.close();
                        }
                        gang.close(); // a rank that failed lets the others fail at once, not after the timeout
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw new IOException("gang of " + workers + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            pool.shutdownNow();
            ring.forEach(RingAllReducer::close);
        }
        List<EpochMetrics> measured = new ArrayList<>(epochs.subList(1, epochs.size()));
        measured.sort(Comparator.comparingDouble(EpochMetrics::samplesPerSecond));
        EpochMetrics median = measured.get(measured.size() / 2);
        StepCounters c = median.counters();
        return new Result(workers, median.samples() / c.steps(), median.samplesPerSecond(),
                1e3 * median.trainSeconds() / c.steps(), c, transport[0]);
    }
}
