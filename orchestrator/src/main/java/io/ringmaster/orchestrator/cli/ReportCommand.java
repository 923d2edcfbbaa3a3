package io.ringmaster.orchestrator.cli;

import io.ringmaster.data.Storage;
import io.ringmaster.orchestrator.job.JobConfig;
import io.ringmaster.orchestrator.report.ReportPage;
import io.ringmaster.orchestrator.report.RunReport;
import io.ringmaster.orchestrator.run.RunRecords;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write a run's report: one self-contained HTML file with plots (loss and every metric per epoch"
                + " against the most-popular baseline, samples/s, step time by phase per rank, attempts and"
                + " checkpoints over time) and the resolved job, as report.html in the run directory. With --compare,"
                + " overlay several runs' curves in one page.")
final class ReportCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "RUN_DIR", description = "Run directory (runs/<run-id>, any Hadoop URI);"
            + " several with --compare.")
    List<String> runDirs = new ArrayList<>();

    @Option(names = "--compare", description = "Compare the runs given in one page (written to --out).")
    boolean compare;

    @Option(names = "--out", description = "Where to write the page (default: report.html in the run directory;"
            + " with --compare, compare.html here).")
    Path out;

    @Option(names = "--set", description = "Hadoop settings to read the run directories: --set hadoop.KEY=VALUE")
    List<String> sets = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Configuration conf = Storage.configuration();
        JobConfig.hadoopOverrides(sets).forEach(conf::set);
        if (!compare && runDirs.size() > 1) {
            throw new IllegalArgumentException("report takes one run directory (got " + runDirs.size()
                    + "); give --compare to compare several");
        }
        if (!compare && out == null) {
            System.out.println("report " + RunReport.write(conf, runDirs.get(0)));
            return 0;
        }
        List<RunRecords> runs = new ArrayList<>();
        for (String d : runDirs) {
            runs.add(RunRecords.read(conf, d));
        }
        Path file = out != null ? out : Path.of("compare.html");
        Files.writeString(file, compare ? ReportPage.compare(runs) : ReportPage.of(runs.get(0)),
                StandardCharsets.UTF_8);
        System.out.println("report " + file.toAbsolutePath());
        return 0;
    }
}
