package io.ringmaster.orchestrator.cli;

import io.ringmaster.data.Storage;
import io.ringmaster.orchestrator.job.JobConfig;
import io.ringmaster.orchestrator.report.ReportPage;
import io.ringmaster.orchestrator.run.RunDirectory;
import io.ringmaster.orchestrator.run.RunRecords;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "runs", mixinStandardHelpOptions = true,
        description = "List the runs in a runs directory: id, status, best metric, epochs, workers, wall time.")
final class RunsCommand implements Callable<Integer> {

    @Option(names = "--runs-dir", description = "Parent of run directories (default: runs; any Hadoop URI).")
    String runsDir = "runs";

    @Option(names = "--set", description = "Hadoop settings to read the runs directory: --set hadoop.KEY=VALUE")
    List<String> sets = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Configuration conf = Storage.configuration();
        JobConfig.hadoopOverrides(sets).forEach(conf::set);
        Path dir = Storage.path(runsDir);
        FileSystem fs = Storage.fs(dir, conf);
        if (!fs.exists(dir)) {
            throw new IllegalArgumentException("runs directory " + Storage.display(dir) + " does not exist");
        }
        List<RunRecords> runs = new ArrayList<>();
        for (FileStatus st : fs.listStatus(dir)) {
            if (st.isDirectory() && fs.exists(new Path(st.getPath(), RunDirectory.JOB_FILE))) {
                runs.add(RunRecords.read(conf, st.getPath().toString()));
            }
        }
        runs.sort((a, b) -> a.id().compareTo(b.id()));
        if (runs.isEmpty()) {
            System.out.println("no runs in " + Storage.display(dir));
            return 0;
        }
        int w = Math.max(6, runs.stream().mapToInt(r -> r.id().length()).max().orElse(6));
        String format = "%-" + w + "s  %-11s  %-26s  %-9s  %7s  %s%n";
        System.out.printf(format, "run", "status", "best", "epochs", "workers", "wall time");
        for (RunRecords r : runs) {
            System.out.printf(format, r.id(), r.status(), ReportPage.best(r), r.epochs().size() + " of "
                    + r.epochsPlanned(), r.workers(), ReportPage.duration(r.wallSeconds()));
        }
        return 0;
    }
}
