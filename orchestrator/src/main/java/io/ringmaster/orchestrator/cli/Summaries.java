package io.ringmaster.orchestrator.cli;

import io.ringmaster.data.DatasetManifest;
import java.io.PrintStream;

final class Summaries {

    private Summaries() {
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
