package io.ringmaster.orchestrator.cli;

import io.ringmaster.data.DatasetManifest;
import java.io.PrintStream;

final class Summaries {

    private Summaries() {
    }

    /**
     * Writes the finished run's report.html and says where; a failure to write it is a warning (the run's
     * records are intact, and `ringmaster report` can try again).
     */
    static void report(io.ringmaster.orchestrator.job.JobConfig job, io.ringmaster.orchestrator.run.TrainJob.Outcome o,
                       PrintStream out) {
        try {
            out.println("report " + io.ringmaster.orchestrator.report.RunReport.write(
                    io.ringmaster.data.Storage.configuration(job.hadoop()), o.runDir()));
        } catch (java.io.IOException | RuntimeException e) {
            out.println("warning: could not write the run's report: " + e.getMessage());
        }
    }

    static void printDataset(PrintStream out, String where, DatasetManifest m) {
        DatasetManifest.Counts c = m.counts();
        out.printf("wrote dataset %s to %s%n", m.name(), where);
        out.printf("  %,d users, %,d items, %,d training interactions%n", c.users(), c.items(), c.trainInteractions());
        out.printf("  test split: %s, %,d users%n", m.split(), c.testUsers());
        out.printf("  source: %s (%s)%n", m.source().uri(), m.source().format());
        out.printf("  checksum %s%n", m.checksum());
    }
}
