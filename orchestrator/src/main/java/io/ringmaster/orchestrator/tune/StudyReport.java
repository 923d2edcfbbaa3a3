package io.ringmaster.orchestrator.tune;

import static io.ringmaster.orchestrator.report.ReportPage.esc;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringmaster.data.Storage;
import io.ringmaster.orchestrator.report.Plot;
import io.ringmaster.orchestrator.report.ReportPage;
import io.ringmaster.orchestrator.run.RunRecords;
import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;

/**
 * A study's report ({@code report.html} in its directory): every trial's figure per epoch (pruned and
 * failed ones too, from each run's metrics.jsonl; the best in red, trials that stopped short in grey), the
 * figure at each rung, and a table of the trials with their settings, status and run, best first.
 */
final class StudyReport {

    static final String BEST = "#d62728";
    static final String COMPLETED = "#1f77b4";
    static final String STOPPED_SHORT = "#b0b0b0";

    private StudyReport() {
    }

    static String page(StudySpec spec, StudyDirectory dir, List<Trial> trials, Trial best, Configuration conf)
            throws IOException {
        String name = spec.figure();
        Plot curves = new Plot(name + " per epoch, every trial", "epoch", name);
        Plot loss = new Plot("training loss per epoch, every trial", "epoch", "loss");
        Plot rungs = new Plot("best " + name + " by each rung", "epochs", name);
        for (Trial t : trials) {
            List<JsonNode> epochs;
            try {
                epochs = RunRecords.read(conf, t.runDir).epochs();
            } catch (IllegalArgumentException e) {
                epochs = List.of(); // failed before its run directory held a job
            }
            String series = t.id + (t == best ? " (best)" : "");
            for (JsonNode e : epochs) {
                if (e.hasNonNull(spec.metric())) {
                    curves.add(series, e.path("epoch").asInt(), e.get(spec.metric()).asDouble());
                }
                if (e.hasNonNull("loss")) {
                    loss.add(series, e.path("epoch").asInt(), e.get("loss").asDouble());
                }
            }
            t.rungs.forEach((ep, v) -> rungs.add(series, ep, v));
            String color = t == best ? BEST : t.status.equals(Trial.COMPLETED) ? COMPLETED : STOPPED_SHORT;
            curves.color(series, color);
            loss.color(series, color);
            rungs.color(series, color);
        }
        StringBuilder html = new StringBuilder();
        if (best != null) {
            html.append("<h2>Best trial: ").append(esc(best.id)).append("</h2>\n<table class=\"figures\">\n");
            html.append("<tr><th>").append(esc(name)).append("</th><td>").append(String.format(Locale.ROOT, "%.4f at"
                    + " epoch %d (%d trained)", best.last(), best.bestEpoch, best.epochs)).append("</td></tr>\n");
            best.params.forEach((key, v) -> html.append("<tr><th>").append(esc(key)).append("</th><td>")
                    .append(esc(Study.value(v))).append("</td></tr>\n"));
            html.append("<tr><th>run</th><td><a href=\"").append(esc(StudyDirectory.TRIALS_DIR + "/" + best.id
                    + "/report.html")).append("\">").append(esc(Storage.display(Storage.path(best.runDir))))
                    .append("</a></td></tr>\n</table>\n");
        }
        html.append("<h2>Trials</h2>\n<table class=\"runs\"><tr><th>trial</th><th>status</th>");
        spec.rungs().forEach(r -> html.append("<th>best ").append(esc(name)).append(" by epoch ").append(r)
                .append("</th>"));
        spec.ranges().forEach(r -> html.append("<th>").append(esc(r.key())).append("</th>"));
        html.append("<th>seconds</th><th>run</th></tr>\n");
        List<Trial> order = trials.stream().sorted(Comparator.comparingInt((Trial t) -> -t.epochs).thenComparing(
                (Trial t) -> -(Double.isNaN(t.last()) ? -1 : t.last()))).toList();
        for (Trial t : order) {
            html.append("<tr><td>").append(esc(t.id)).append("</td><td class=\"").append(esc(t.status)).append("\">")
                    .append(esc(t.status)).append(t.error == null ? "" : ": " + esc(t.error)).append("</td>");
            for (int r : spec.rungs()) {
                Double v = t.rungs.get(r);
                html.append("<td>").append(v == null ? "" : String.format(Locale.ROOT, "%.4f", v)).append("</td>");
            }
            for (StudySpec.Range r : spec.ranges()) {
                Object v = t.params.get(r.key());
                html.append("<td>").append(esc(Study.value(v))).append("</td>");
            }
            html.append("<td>").append(String.format(Locale.ROOT, "%.1f", t.seconds)).append("</td><td><a href=\"")
                    .append(esc(StudyDirectory.TRIALS_DIR + "/" + t.id + "/report.html")).append("\">")
                    .append(esc(t.id)).append("</a></td></tr>\n");
        }
        html.append("</table>\n<h2>Study file</h2>\n<pre class=\"job\">").append(esc(
                io.ringmaster.orchestrator.job.JobConfig.redactedText(spec.yaml()))).append("</pre>\n");
        long done = trials.stream().filter(t -> !t.rungs.isEmpty()).count();
        String note = String.format("%s: %d of %d trials started, %d through a rung; scheduler %s, rungs at %s epochs",
                dir.display(), trials.size(), spec.trials(), done, spec.scheduler(), spec.rungs());
        return ReportPage.plots("Ringmaster study " + dir.path().getName(), note, List.of(curves, loss, rungs),
                html.toString());
    }
}
