package io.ringmaster.orchestrator.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringmaster.data.Storage;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The run's timeline ({@code trace.timeline}): the ranks' Chrome traces of every attempt
 * ({@code timeline/attempt-<a>-rank-<r>.json}) merged into {@code timeline.json}, one process per attempt
 * and one thread per rank, for chrome://tracing or Perfetto.
 */
final class TimelineFile {

    static final String FILE = "timeline.json";
    private static final java.util.regex.Pattern RANK_FILE = java.util.regex.Pattern.compile(
            "attempt-(\\d+)-rank-\\d+\\.json");
    private static final String DIR = io.ringmaster.orchestrator.spark.GangTraining.TIMELINE_DIR;

    private TimelineFile() {
    }

    /**
     * Merges what the ranks wrote and says where the file is; a rank's file that does not parse (its JVM
     * died while writing) is named and left out.
     */
    static void merge(RunDirectory run, PrintStream out) {
        try {
            mergeOrThrow(run, out);
        } catch (IOException | RuntimeException e) {
            out.println("warning: timeline: could not write " + Storage.display(run.file(FILE)) + ": "
                    + e.getMessage());
        }
    }

    /**
     * The attempts traced in this run by earlier jobs (their files are kept): this job's attempt a is traced
     * as attempt {@code before + a} of the run.
     */
    static int attemptsBefore(RunDirectory run) throws IOException {
        int max = 0;
        for (String name : run.list(DIR)) {
            java.util.regex.Matcher m = RANK_FILE.matcher(name);
            if (m.matches()) {
                max = Math.max(max, Integer.parseInt(m.group(1)));
            }
        }
        return max;
    }

    private static void mergeOrThrow(RunDirectory run, PrintStream out) throws IOException {
        ObjectMapper json = new ObjectMapper();
        StringBuilder merged = new StringBuilder("{\"traceEvents\":[");
        boolean first = true;
        List<String> ranks = new ArrayList<>();
        long spans = 0;
        for (String name : run.list(DIR)) {
            String text = run.readIfExists(DIR + "/" + name);
            JsonNode events;
            try {
                events = json.readTree(text).get("traceEvents");
            } catch (IOException e) {
                out.println("warning: timeline: " + Storage.display(run.file(DIR + "/" + name)) + " is not a complete"
                        + " trace (" + e.getMessage().lines().findFirst().orElse("") + "); left out");
                continue;
            }
            if (events == null || !events.isArray()) {
                out.println("warning: timeline: " + Storage.display(run.file(DIR + "/" + name)) + " has no"
                        + " traceEvents; left out");
                continue;
            }
            for (JsonNode e : events) {
                merged.append(first ? "\n" : ",\n").append(json.writeValueAsString(e));
                first = false;
                if ("X".equals(e.path("ph").asText())) {
                    spans++;
                }
            }
            ranks.add(name.replace(".json", ""));
        }
        if (ranks.isEmpty()) {
            out.println("warning: timeline: no rank wrote one (trace.timeline)");
            return;
        }
        merged.append("\n]}\n");
        run.write(FILE, merged.toString());
        out.printf("timeline %s (%s; %,d spans): open it in chrome://tracing or https://ui.perfetto.dev%n",
                Storage.display(run.file(FILE)), String.join(", ", ranks), spans);
    }
}
