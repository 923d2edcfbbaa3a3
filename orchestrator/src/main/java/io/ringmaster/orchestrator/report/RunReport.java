package io.ringmaster.orchestrator.report;

import io.ringmaster.data.Storage;
import io.ringmaster.orchestrator.run.RunRecords;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/** Writes a run's {@code report.html} into its run directory (any Hadoop URI). */
public final class RunReport {

    public static final String FILE = "report.html";

    private RunReport() {
    }

    /** Writes the report of the run in {@code runDir}; returns where it is, for display. */
    public static String write(Configuration conf, String runDir) throws IOException {
        RunRecords run = RunRecords.read(conf, runDir);
        Path file = new Path(Storage.path(runDir), FILE);
        Storage.writeBytes(Storage.fs(file, conf), file, ReportPage.of(run).getBytes(StandardCharsets.UTF_8));
        return Storage.display(file);
    }
}
