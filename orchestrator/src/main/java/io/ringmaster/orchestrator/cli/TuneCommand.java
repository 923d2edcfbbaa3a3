package io.ringmaster.orchestrator.cli;

import io.ringmaster.data.Storage;
import io.ringmaster.orchestrator.job.JobConfig;
import io.ringmaster.orchestrator.report.ReportPage;
import io.ringmaster.orchestrator.tune.Study;
import io.ringmaster.orchestrator.tune.StudySpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "tune", mixinStandardHelpOptions = true,
        description = "Search a study file's ranges of job keys: every trial a training run (a gang in its own Spark"
                + " job group), as many at once as max-concurrent and the cluster's task slots allow, bad ones"
                + " stopped early by asynchronous successive halving (ASHA). Writes study.json, trials.jsonl,"
                + " best.json, report.html and each trial's run directory into the study directory.")
final class TuneCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", description = "The study file: a job file with a 'search' section.")
    Path file;

    @Option(names = "--study", description = "Study directory to create (any Hadoop URI; default studies/<name of"
            + " the study file>).")
    String studyDir;

    @Option(names = "--resume", description = "Continue the study in this directory whose driver stopped (killed, a"
            + " signal, its timeout): trials stopped mid-rung continue from their checkpoints; finished rungs are not"
            + " trained again.")
    String resume;

    @Option(names = "--compare-no-pruning", description = "Then run the same trials again, every one to the end"
            + " (scheduler none, in <study>/no-pruning), and print the epochs, best figure and wall time of both.")
    boolean compare;

    @Option(names = "--set", description = "Override a job key for every trial: --set data=/data/ml-100k (with"
            + " --resume: credentials, which study.json keeps redacted).")
    List<String> sets = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Configuration conf = Storage.configuration();
        JobConfig.hadoopOverrides(sets).forEach(conf::set);
        if (resume != null) {
            if (file != null || studyDir != null || compare) {
                throw new IllegalArgumentException("--resume takes the study directory alone (its study file is in"
                        + " study.json)");
            }
            for (String set : sets) {
                String key = set.substring(0, Math.max(0, set.indexOf('=')));
                if (!JobConfig.isCredential(key)) {
                    throw new IllegalArgumentException("--resume takes --set only for credentials (study.json keeps"
                            + " them redacted), not '" + key + "': a study's settings are fixed when it starts");
                }
            }
            Study.resume(resume, sets, conf, System.out);
            return 0;
        }
        if (file == null) {
            throw new IllegalArgumentException("give a study file, or --resume STUDY_DIR");
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("study file " + file + " does not exist");
        }
        StudySpec spec = StudySpec.parse(text, file.toString(), sets);
        String dir = studyDir != null ? studyDir : "studies/" + file.getFileName().toString().replaceFirst(
                "\\.ya?ml$", "");
        Study.Result asha = Study.start(spec, dir, conf, System.out);
        if (compare && !asha.finished()) {
            System.out.println("the study did not finish: no comparison with no pruning");
        } else if (compare) {
            System.out.println();
            System.out.println("the same " + spec.trials() + " trials with no pruning, every one to " + spec.epochs()
                    + " epochs:");
            Study.Result full = Study.start(spec.withScheduler("none"), dir + "/no-pruning", conf, System.out);
            System.out.printf("wall: %s with %s vs %s with no pruning%n", ReportPage.duration(asha.wallSeconds()),
                    spec.scheduler(), ReportPage.duration(full.wallSeconds()));
            System.out.printf("budget: %d epochs of %d (%s less), best %s %.4f vs %.4f with no pruning%n",
                    asha.epochsTrained(), asha.epochsFull(), asha.epochsTrained() == 0 ? "-" : String.format(
                            Locale.ROOT, "%.1fx", asha.epochsFull() / (double) asha.epochsTrained()), asha.figure(),
                    asha.best(), full.best());
        }
        return 0;
    }
}
