package io.ringmaster.orchestrator.cli;

import io.ringmaster.data.Storage;
import io.ringmaster.orchestrator.job.JobConfig;
import io.ringmaster.orchestrator.run.RunDirectory;
import io.ringmaster.orchestrator.run.TrainJob;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "resume", mixinStandardHelpOptions = true,
        description = "Continue a run from its newest complete checkpoint, with the job it was started with."
                + " Run settings (epochs, checkpoint.*, retry.*, eval.*, spark.*, hadoop) may be changed; model"
                + " and data settings may not. Credentials were redacted from the run's job.yaml: they come from"
                + " the environment, $HADOOP_CONF_DIR, or --set hadoop.KEY=VALUE.")
final class ResumeCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "The run directory (runs/<run-id>, any Hadoop URI).")
    String runDir;

    @Option(names = "--epochs", description = "Train up to this many epochs in all (job key: train.epochs).")
    Integer epochs;

    @Option(names = "--from-scratch", description = "Train from step 0 when the run's checkpoints all fail"
            + " verification (they are kept); without it such a run is refused, naming each checkpoint and why.")
    boolean fromScratch;

    @Option(names = "--timeline", description = "Record every rank's steps (compute, exchange and its wait for the"
            + " other ranks, optimizer, loader wait, evaluation, checkpoint) into timeline.json in the run directory,"
            + " a Chrome trace for chrome://tracing or Perfetto (job key: trace.timeline).")
    boolean timeline;

    @Option(names = "--set", description = "Override a run setting: --set retry.max-attempts=5")
    List<String> sets = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Path dir = Storage.path(runDir);
        Configuration conf = Storage.configuration();
        JobConfig.hadoopOverrides(sets).forEach(conf::set); // the run directory may need them to be read
        List<String> overrides = new ArrayList<>(sets);
        overrides.add(JobConfig.override("run.dir", dir.getParent().toString()));
        overrides.add(JobConfig.override("run.id", dir.getName()));
        if (epochs != null) {
            overrides.add(JobConfig.override("train.epochs", epochs));
        }
        if (timeline) {
            overrides.add(JobConfig.override("trace.timeline", true));
        }
        // the credentials job.yaml held were redacted: the job has them only where --set gave them again
        JobConfig job = RunDirectory.readJob(conf, runDir, overrides).withoutRedactedValues();
        Summaries.report(job, TrainJob.run(job, System.out, fromScratch), System.out);
        return 0;
    }
}
