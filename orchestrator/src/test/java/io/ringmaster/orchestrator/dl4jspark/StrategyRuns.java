package io.ringmaster.orchestrator.dl4jspark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringmaster.data.Dataset;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.data.SyntheticDataset;
import io.ringmaster.orchestrator.job.JobConfig;
import io.ringmaster.orchestrator.run.TrainJob;
import io.ringmaster.workers.checkpoint.CheckpointStore;
import io.ringmaster.workers.model.NeuMF;
import io.ringmaster.workers.model.NeuMFSpec;
import io.ringmaster.workers.train.UserItemIndex;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A small synthetic dataset, training runs of each strategy on local Spark, and the loss of a run's network. */
final class StrategyRuns {

    /** Steps per epoch of every job here: the data below, 2 workers, global batch 256 (130 examples per worker). */
    static final int STEPS_PER_EPOCH = 165;

    /** Binary cross-entropy of predicting the 1:4 label prior for every example: a network must beat it. */
    static final double PRIOR_LOSS = -(0.2 * Math.log(0.2) + 0.8 * Math.log(0.8));

    final Path dir;
    final String data;
    final Dataset dataset;

    StrategyRuns(Path dir) throws Exception {
        this.dir = dir;
        SyntheticDataset.Result r = SyntheticDataset.generate(new SyntheticDataset.Params(300, 200, 30, 8, 0.8, 2.5,
                9, 20));
        data = dir.resolve("data").toString();
        DatasetStore.write(Storage.configuration(), data, r.dataset(), r.source(), r.split(), false);
        dataset = DatasetStore.read(Storage.configuration(), data);
    }

    /** Trains with the given strategy; the summary plus the console output as "console". */
    JsonNode train(String runId, String strategy, int workers, int epochs, String... extra) throws Exception {
        return train(runId, strategy, workers, epochs, java.util.Map.of(), extra);
    }

    /**
     * Trains on Spark {@code local-cluster[2,1,1536]}: two executor JVMs started from the test classpath (an
     * empty Spark home set up by the build), so each runs its own transport, as on a cluster.
     */
    JsonNode trainOnTwoExecutorJvms(String runId, String strategy, int epochs, String... extra) throws Exception {
        List<String> sets = new ArrayList<>(List.of(extra));
        sets.add("spark.master=local-cluster[2,1,1536]");
        return train(runId, strategy, 2, epochs, io.ringmaster.orchestrator.spark.SparkSessions
                .localClusterExecutorConf(dir.resolve("spark-local")), sets.toArray(String[]::new));
    }

    private JsonNode train(String runId, String strategy, int workers, int epochs, java.util.Map<String, String> conf,
                           String... extra) throws Exception {
        List<String> sets = new ArrayList<>(List.of(JobConfig.override("data", data), "workers=" + workers,
                "train.epochs=" + epochs, "train.batch-size=256", "strategy=" + strategy,
                JobConfig.override("run.dir", dir.resolve("runs").toString()), "run.id=" + runId));
        sets.addAll(List.of(extra));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        JobConfig job = JobConfig.parse("", "test", sets).withSparkConf(conf);
        TrainJob.run(job, new PrintStream(buf, true, StandardCharsets.UTF_8));
        ObjectNode summary = (ObjectNode) new ObjectMapper().readTree(dir.resolve("runs").resolve(runId)
                .resolve("summary.json").toFile());
        summary.put("console", buf.toString(StandardCharsets.UTF_8));
        return summary;
    }

    /** The network of a run's newest checkpoint. */
    ComputationGraph trained(String runId) throws Exception {
        CheckpointStore store = new CheckpointStore(Storage.configuration(), dir.resolve("runs").resolve(runId)
                .toString(), 3);
        return NeuMF.restore(store.loadModel(store.newest(new ArrayList<>()).orElseThrow()));
    }

    /** The network every run starts from (the job's default model shape and seed). */
    ComputationGraph initial() {
        return NeuMF.build(new NeuMFSpec(dataset.numUsers(), dataset.numItems(), 8, new int[] {64, 32, 16, 8}, 0.001,
                42));
    }

    /**
     * Mean binary cross-entropy on a fixed set drawn like training data: 2,000 training positives, each
     * with 4 items the user has no training interaction with as negatives (the job's train.negatives).
     * An untrained network scores ln 2 (0.693); predicting the 1:4 prior alone scores 0.500.
     */
    double loss(ComputationGraph graph) {
        int n = Math.min(2000, dataset.train().size());
        int per = 5;
        int[] users = new int[per * n];
        int[] items = new int[per * n];
        float[] labels = new float[per * n];
        UserItemIndex seen = new UserItemIndex(dataset.numUsers(), dataset.numItems(), dataset.train().users(),
                dataset.train().items());
        SplittableRandom rnd = new SplittableRandom(5);
        for (int i = 0; i < n; i++) {
            int u = dataset.train().users()[i];
            users[per * i] = u;
            items[per * i] = dataset.train().items()[i];
            labels[per * i] = 1;
            for (int j = 1; j < per; j++) {
                users[per * i + j] = u;
                items[per * i + j] = seen.drawUnseen(u, rnd);
            }
        }
        INDArray[] in = {NeuMF.column(users, 0, per * n), NeuMF.column(items, 0, per * n)};
        return graph.score(new MultiDataSet(in, new INDArray[] {NeuMF.column(labels, 0, per * n)}));
    }
}
