package io.ringmaster.orchestrator.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringmaster.orchestrator.run.RunRecords;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * A run's report (issue 19, part 4), or several runs compared: one self-contained HTML file, viewable
 * offline, whose plots the embedded script draws as SVG from the embedded records (loss and every metric
 * per epoch against the most-popular baseline, samples/s, the step time by phase per rank, attempts,
 * epochs and checkpoints on the clock), with the tables and the resolved job beside them.
 */
public final class ReportPage {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private ReportPage() {
    }

    /** The report of one run. */
    public static String of(RunRecords run) {
        StringBuilder b = head("Ringmaster run " + run.id());
        b.append("<h1>Run ").append(esc(run.id())).append(" <span class=\"status ").append(esc(run.status()))
                .append("\">").append(esc(run.status())).append("</span></h1>\n");
        b.append("<p class=\"dir\">").append(esc(run.dir())).append("</p>\n");
        b.append(figures(run));
        b.append("<div class=\"plots\">\n");
        plot(b, "loss", null);
        for (String m : run.metricNames()) {
            plot(b, "metric", m);
        }
        plot(b, "throughput", null);
        plot(b, "phases", null);
        plot(b, "attempts", null);
        b.append("</div>\n");
        b.append(attempts(run)).append(checkpoints(run)).append(files(run));
        b.append("<h2>Resolved job</h2>\n<pre class=\"job\">").append(esc(run.job())).append("</pre>\n");
        return tail(b, List.of(run));
    }

    /** Several runs' curves overlaid, with a table of their figures. */
    public static String compare(List<RunRecords> runs) {
        StringBuilder b = head("Ringmaster: " + runs.size() + " runs compared");
        b.append("<h1>").append(runs.size()).append(" runs compared</h1>\n");
        b.append(runsTable(runs));
        b.append("<div class=\"plots\">\n");
        plot(b, "loss", null);
        for (String m : runs.get(0).metricNames()) {
            plot(b, "metric", m);
        }
        plot(b, "throughput", null);
        b.append("</div>\n");
        return tail(b, runs);
    }

    /** A page of a benchmark's plots ({@code bench ... --plot FILE}), each drawn with its data points. */
    public static String plots(String title, String note, List<Plot> plots) {
        return plots(title, note, plots, "");
    }

    /** {@link #plots(String, String, List)} with {@code html} (tables, built with {@link #esc}) below the plots. */
    public static String plots(String title, String note, List<Plot> plots, String html) {
        StringBuilder b = head(title);
        b.append("<h1>").append(esc(title)).append("</h1>\n<p class=\"dir\">").append(esc(note)).append("</p>\n");
        b.append("<div class=\"plots\">\n");
        for (int i = 0; i < plots.size(); i++) {
            b.append("<svg class=\"plot\" data-kind=\"series\" data-index=\"").append(i)
                    .append("\" xmlns=\"http://www.w3.org/2000/svg\"></svg>\n");
        }
        b.append("</div>\n").append(html);
        ObjectNode data = JSON.createObjectNode();
        data.putArray("runs");
        ArrayNode a = data.putArray("plots");
        plots.forEach(p -> a.add(JSON.valueToTree(p.toMap())));
        return script(b, data);
    }

    /** The runs' rows: id, status, best figure, epochs, workers, wall time (as `ringmaster runs` prints them). */
    public static String runsTable(List<RunRecords> runs) {
        StringBuilder b = new StringBuilder("<table class=\"runs\"><tr><th>run</th><th>status</th><th>best</th>"
                + "<th>epochs</th><th>workers</th><th>wall time</th></tr>\n");
        for (RunRecords r : runs) {
            b.append("<tr><td>").append(esc(r.id())).append("</td><td>").append(esc(r.status())).append("</td><td>")
                    .append(esc(best(r))).append("</td><td>").append(r.epochs().size()).append(" of ")
                    .append(r.epochsPlanned()).append("</td><td>").append(r.workers()).append("</td><td>")
                    .append(esc(duration(r.wallSeconds()))).append("</td></tr>\n");
        }
        return b.append("</table>\n").toString();
    }

    /** The best epoch's selecting figure, e.g. {@code HR@10 0.7030 (epoch 6)}; "-" when none was evaluated. */
    public static String best(RunRecords r) {
        JsonNode e = r.bestEpoch();
        if (e == null) {
            return "-";
        }
        int k = r.baseline() == null ? 0 : r.baseline().path("k").asInt();
        return String.format("%s%s %.4f (epoch %d)", r.selectMetric().toUpperCase(java.util.Locale.ROOT),
                k > 0 ? "@" + k : "", e.get(r.selectMetric()).asDouble(), e.path("epoch").asInt());
    }

    /** Seconds as {@code 1 h 02 min}, {@code 3 min 05 s} or {@code 12.3 s}; "-" when unknown. */
    public static String duration(double seconds) {
        if (Double.isNaN(seconds)) {
            return "-";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%d h %02d min", s / 3600, s / 60 % 60) : s >= 60
                ? String.format("%d min %02d s", s / 60, s % 60) : String.format("%.1f s", seconds);
    }

    private static String figures(RunRecords run) {
        StringBuilder b = new StringBuilder("<table class=\"figures\">\n");
        JsonNode best = run.bestEpoch();
        int k = run.baseline() == null ? 0 : run.baseline().path("k").asInt();
        if (best != null) {
            StringBuilder v = new StringBuilder();
            StringBuilder base = new StringBuilder();
            for (String m : run.metricNames()) {
                String name = m.toUpperCase(java.util.Locale.ROOT) + (k > 0 ? "@" + k : "");
                v.append(String.format("%s %.4f &nbsp; ", name, best.path(m).asDouble()));
                base.append(String.format("%s %.4f &nbsp; ", name, run.baseline().path(m).asDouble()));
            }
            row(b, "best epoch", best.path("epoch").asInt() + " &nbsp; " + v);
            row(b, "most-popular baseline", base.toString());
        }
        row(b, "epochs", run.epochs().size() + " of " + run.epochsPlanned());
        row(b, "workers", String.valueOf(run.workers()));
        JsonNode s = run.summary();
        if (s != null) {
            row(b, "steps", String.format("%,d", s.path("steps").asLong()));
            row(b, "training throughput", String.format("%,.0f samples/s (mean)", s.path("meanSamplesPerSecond")
                    .asDouble()));
            row(b, "engine", esc(s.path("engine").asText() + " on " + s.path("backend").asText()));
        }
        if (run.start() != null) {
            row(b, "transport", esc(run.start().path("transport").asText()));
        }
        row(b, "wall time", esc(duration(run.wallSeconds())));
        row(b, "attempts", String.valueOf(run.attempts().size()));
        return b.append("</table>\n").toString();
    }

    private static String attempts(RunRecords run) {
        if (run.attempts().isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("<h2>Attempts</h2>\n<table><tr><th>job started</th><th>attempt</th>"
                + "<th>started</th><th>lasted</th><th>workers</th><th>outcome</th></tr>\n");
        for (JsonNode a : run.attempts()) {
            b.append("<tr><td>").append(CLOCK.format(Instant.ofEpochMilli(a.path("job").asLong()))).append("</td><td>")
                    .append(a.path("attempt").asInt()).append("</td><td>")
                    .append(CLOCK.format(Instant.ofEpochMilli(a.path("start").asLong()))).append("</td><td>")
                    .append(esc(duration((a.path("end").asLong() - a.path("start").asLong()) / 1000.0)))
                    .append("</td><td>").append(a.path("workers").asInt()).append("</td><td class=\"")
                    .append(esc(a.path("outcome").asText())).append("\">").append(esc(a.path("outcome").asText()))
                    .append(a.has("cause") ? ": " + esc(a.path("cause").asText()) : "").append("</td></tr>\n");
        }
        return b.append("</table>\n").toString();
    }

    private static String checkpoints(RunRecords run) {
        if (run.checkpoints().isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("<h2>Checkpoints</h2>\n<table><tr><th>step</th><th>epoch</th>"
                + "<th>written</th><th>directory</th></tr>\n");
        for (JsonNode c : run.checkpoints()) {
            b.append("<tr><td>").append(c.path("step").asLong()).append("</td><td>").append(c.path("epoch").asInt())
                    .append(c.path("stepInEpoch").asInt() > 0 ? " (step " + c.path("stepInEpoch").asInt() + ")" : "")
                    .append("</td><td>").append(c.has("time") ? CLOCK.format(Instant.ofEpochMilli(c.path("time")
                            .asLong())) : "-").append("</td><td>").append(esc(c.path("dir").asText()))
                    .append("</td></tr>\n");
        }
        return b.append("</table>\n").toString();
    }

    private static String files(RunRecords run) {
        if (run.logs().isEmpty() && !run.timeline()) {
            return "";
        }
        StringBuilder b = new StringBuilder("<h2>Files</h2>\n<ul>\n");
        for (String l : run.logs()) {
            b.append("<li><a href=\"").append(esc(l)).append("\">").append(esc(l)).append("</a></li>\n");
        }
        if (run.timeline()) {
            b.append("<li><a href=\"timeline.json\">timeline.json</a>: open it in chrome://tracing or"
                    + " https://ui.perfetto.dev</li>\n");
        }
        return b.append("</ul>\n").toString();
    }

    private static void row(StringBuilder b, String name, String html) {
        b.append("<tr><th>").append(esc(name)).append("</th><td>").append(html).append("</td></tr>\n");
    }

    private static void plot(StringBuilder b, String kind, String metric) {
        b.append("<svg class=\"plot\" data-kind=\"").append(kind).append('"');
        if (metric != null) {
            b.append(" data-metric=\"").append(esc(metric)).append('"');
        }
        b.append(" xmlns=\"http://www.w3.org/2000/svg\"></svg>\n");
    }

    private static StringBuilder head(String title) {
        return new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(esc(title)).append("</title>\n<style>\n").append(resource("report.css"))
                .append("</style></head>\n<body>\n");
    }

    private static String tail(StringBuilder b, List<RunRecords> runs) {
        ObjectNode data = JSON.createObjectNode();
        ArrayNode a = data.putArray("runs");
        runs.forEach(r -> a.add(r.toJson()));
        return script(b, data);
    }

    private static String script(StringBuilder b, ObjectNode data) {
        String json;
        try {
            json = JSON.writeValueAsString(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        b.append("<p class=\"footer\">written by ringmaster report ").append(CLOCK.format(Instant.now()))
                .append("</p>\n");
        b.append("<script type=\"application/json\" id=\"ringmaster-data\">").append(json.replace("</", "<\\/"))
                .append("</script>\n<script>\n").append(resource("report.js")).append("</script>\n</body></html>\n");
        return b.toString();
    }

    private static String resource(String name) {
        try (InputStream in = ReportPage.class.getResourceAsStream("/io/ringmaster/report/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the report's " + name + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code s} as HTML text. */
    public static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
