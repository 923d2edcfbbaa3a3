package io.ringmaster.orchestrator.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code attempts.jsonl} in the run directory: one line per training attempt of every job of the run (when
 * it started and ended, the gang size, and how it ended), for the run's report and {@code ringmaster runs}.
 * Rewritten whole after each attempt (object stores cannot append), after what earlier jobs left.
 */
final class AttemptLog {

    static final String FILE = "attempts.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RunDirectory run;
    private final PrintStream out;
    private final long jobStarted = System.currentTimeMillis();
    private final StringBuilder lines = new StringBuilder();
    private String earlier;

    AttemptLog(RunDirectory run, PrintStream out) {
        this.run = run;
        this.out = out;
    }

    /**
     * Records attempt {@code attempt} of this job, begun at {@code began} (epoch ms) with {@code workers}
     * workers, ended now; {@code failure} is null when it finished, else why it failed.
     */
    void add(int attempt, long began, int workers, String failure) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job", jobStarted);
        m.put("attempt", attempt);
        m.put("start", began);
        m.put("end", System.currentTimeMillis());
        m.put("workers", workers);
        m.put("outcome", failure == null ? "finished" : "failed");
        if (failure != null) {
            m.put("cause", failure);
        }
        try {
            lines.append(JSON.writeValueAsString(m)).append('\n');
            if (earlier == null) {
                earlier = run.readIfExists(FILE);
            }
            run.write(FILE, earlier + lines);
        } catch (IOException | RuntimeException e) {
            out.println("warning: could not record the attempt in " + FILE + ": " + e.getMessage());
        }
    }
}
