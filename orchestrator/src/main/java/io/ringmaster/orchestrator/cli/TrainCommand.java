package io.ringmaster.orchestrator.cli;

import io.ringmaster.orchestrator.job.JobConfig;
import io.ringmaster.orchestrator.run.TrainJob;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train NeuMF on a dataset with a gang of workers in a Spark barrier stage; prints one line"
                + " per epoch and writes metrics.jsonl and summary.json to the run directory.")
final class TrainCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, description = "Job file (YAML). Options below override its keys.")
    Path config;

    @Option(names = "--data", description = "Dataset directory (job key: data).")
    String data;

    @Option(names = "--workers", description = "Gang size (job key: workers).")
    Integer workers;

    @Option(names = "--epochs", description = "Epochs (job key: train.epochs).")
    Integer epochs;

    @Option(names = "--batch-size", description = "Global batch size (job key: train.batch-size).")
    Integer batchSize;

    @Option(names = "--strategy", description = "allreduce, parameter-server or averaging (job key: strategy).")
    String strategy;

    @Option(names = "--engine", description = "fused or dl4j (job key: train.engine).")
    String engine;

    @Option(names = "--run-id", description = "Run id (job key: run.id).")
    String runId;

    @Option(names = "--runs-dir", description = "Parent of run directories (job key: run.dir).")
    String runsDir;

    @Option(names = "--from-scratch", description = "Train from step 0 when the run's checkpoints all fail"
            + " verification (they are kept); without it such a run is refused, naming each checkpoint and why.")
    boolean fromScratch;

    @Option(names = "--timeline", description = "Record every rank's steps (compute, exchange and its wait for the"
            + " other ranks, optimizer, loader wait, evaluation, checkpoint) into timeline.json in the run directory,"
            + " a Chrome trace for chrome://tracing or Perfetto (job key: trace.timeline).")
    boolean timeline;

    @Option(names = "--set", description = "Override any job key: --set train.learning-rate=0.002")
    List<String> sets = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        JobConfig job = loadJob();
        Summaries.report(job, TrainJob.run(job, System.out, fromScratch), System.out);
        return 0;
    }

    JobConfig loadJob() {
        List<String> overrides = new ArrayList<>(sets);
        add(overrides, "data", data);
        add(overrides, "workers", workers);
        add(overrides, "train.epochs", epochs);
        add(overrides, "train.batch-size", batchSize);
        add(overrides, "train.engine", engine);
        add(overrides, "strategy", strategy);
        add(overrides, "run.id", runId);
        add(overrides, "run.dir", runsDir);
        add(overrides, "trace.timeline", timeline ? Boolean.TRUE : null);
        return config != null ? JobConfig.load(config, overrides) : JobConfig.parse("", "command line", overrides);
    }

    private static void add(List<String> overrides, String key, Object value) {
        if (value != null) {
            overrides.add(JobConfig.override(key, value));
        }
    }
}
