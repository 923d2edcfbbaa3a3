package io.ringmaster.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.data.SyntheticDataset;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run report in a real browser (issue 19, part 4): `train` writes report.html at its end; headless
 * Debian chromium (installed here when missing, as root) runs its script, and every plot is drawn with
 * data points, not an empty frame; a screenshot goes to target/report-screenshot.png. `report --compare`
 * overlays two runs and `runs` lists them. Skipped, saying why, where chromium cannot be had.
 */
class ReportBrowserTest {

    private static final Pattern PLOT = Pattern.compile("<svg class=\"plot\" data-kind=\"(\\w+)\"(?: data-metric=\""
            + "(\\w+)\")?[^>]*?data-points=\"(\\d+)\"[^>]*>(.*?)</svg>", Pattern.DOTALL);

    @TempDir
    Path dir;

    @Test
    void everyPlotOfAReportIsDrawnWithDataPointsInChromium() throws Exception {
        String chromium = chromium();
        String data = dataset();
        Path runs = dir.resolve("runs");
        CliRun shown = CliRun.of("train", "--data", data, "--workers", "2", "--epochs", "3", "--batch-size", "100",
                "--runs-dir", runs.toString(), "--run-id", "shown", "--timeline");
        assertEquals(0, shown.exitCode(), shown.toString());
        Path report = runs.resolve("shown/report.html");
        assertTrue(shown.out().contains("report " + report), shown.toString());
        CliRun other = CliRun.of("train", "--data", data, "--workers", "2", "--epochs", "2", "--batch-size", "100",
                "--runs-dir", runs.toString(), "--run-id", "other", "--set", "train.learning-rate=0.003");
        assertEquals(0, other.exitCode(), other.toString());

        // the run's page: loss, HR, NDCG, MAP, throughput, step time per rank, attempts on the clock
        String dom = dom(chromium, report);
        List<String> kinds = new ArrayList<>();
        Matcher m = PLOT.matcher(dom);
        while (m.find()) {
            String kind = m.group(1) + (m.group(2) == null ? "" : ":" + m.group(2));
            kinds.add(kind);
            int points = Integer.parseInt(m.group(3));
            String body = m.group(4);
            int marks = count(body, "class=\"point\"");
            assertTrue(points > 0 && marks == points, kind + " drew " + points + " points, " + marks + " marks");
            switch (kind) {
                case "loss", "metric:hr", "throughput" -> assertEquals(3, points, kind); // one per epoch
                case "phases" -> assertEquals(2 * 5, points, kind); // two ranks, five phases each
                case "attempts" -> assertTrue(points >= 1 + 3 + 3, kind); // the attempt, 3 epoch ends, checkpoints
                default -> { }
            }
        }
        assertEquals(List.of("loss", "metric:hr", "metric:ndcg", "metric:map", "throughput", "phases", "attempts"),
                kinds, dom);
        assertTrue(dom.contains("<body data-rendered=\"true\">"), "the page's script ran to its end");
        assertTrue(dom.contains("href=\"timeline.json\"") && dom.contains("href=\"logs/rank-1.log\""), dom);

        Path shot = Path.of("target", "report-screenshot.png").toAbsolutePath();
        Files.deleteIfExists(shot);
        run(chromium, "--window-size=1200,1500", "--hide-scrollbars", "--screenshot=" + shot, report.toUri()
                .toString());
        assertTrue(Files.size(shot) > 20_000, "screenshot " + shot + ": " + Files.size(shot) + " bytes");

        // two runs compared: each curve has both runs' points; `runs` lists both as finished
        Path compare = dir.resolve("compare.html");
        CliRun c = CliRun.of("report", "--compare", runs.resolve("shown").toString(), runs.resolve("other").toString(),
                "--out", compare.toString());
        assertEquals(0, c.exitCode(), c.toString());
        Matcher cm = PLOT.matcher(dom(chromium, compare));
        assertTrue(cm.find(), "compare page has plots");
        assertEquals("loss", cm.group(1));
        assertEquals(3 + 2, Integer.parseInt(cm.group(3)), "loss points of both runs");
        CliRun list = CliRun.of("runs", "--runs-dir", runs.toString());
        assertEquals(0, list.exitCode(), list.toString());
        assertTrue(list.out().lines().anyMatch(l -> l.matches("shown\\s+finished\\s+HR@10 0\\.\\d{4} \\(epoch \\d\\)"
                + "\\s+3 of 3\\s+2\\s+\\d.*")), list.toString());
        assertTrue(list.out().lines().anyMatch(l -> l.matches("other\\s+finished\\s+HR@10 .*2 of 2\\s+2\\s+.*")),
                list.toString());
    }

    @Test
    void aBenchmarkTableIsPlottedWithAPointPerRow() throws Exception {
        String chromium = chromium();
        Path page = dir.resolve("allreduce.html");
        CliRun bench = CliRun.of("bench", "allreduce", "--workers", "2", "--mb", "1,2", "--plot", page.toString());
        assertEquals(0, bench.exitCode(), bench.toString());
        long rows = bench.out().lines().filter(l -> l.matches("\\s+2\\s+(dense|rows)\\s+(yes|no)\\s+[12]\\s.*"))
                .count();
        assertTrue(rows >= 4, bench.toString());
        Matcher m = PLOT.matcher(dom(chromium, page));
        int plots = 0;
        while (m.find()) {
            plots++;
            assertEquals("series", m.group(1));
            assertEquals(rows, Integer.parseInt(m.group(3)), "one point per table row");
            assertEquals(rows, count(m.group(4), "class=\"point\""));
        }
        assertEquals(2, plots);
    }

    @Test
    void aStudysReportDrawsEveryTrialsCurvePrunedOnesTooAndExportBestTakesItsBestEpoch() throws Exception {
        String chromium = chromium();
        String data = dataset();
        Path file = dir.resolve("study.yaml");
        Files.writeString(file, "data: " + data + "\nworkers: 1\nspark:\n  master: local[2]\ntrain:\n  epochs: 3\n"
                + "  batch-size: 100\nsearch:\n  space:\n    train.learning-rate: {loguniform: [0.0005, 0.01]}\n"
                + "    model.factors: {choice: [4, 8]}\n  trials: 3\n  min-epochs: 1\n  eta: 3\n");
        Path study = dir.resolve("study");
        CliRun tune = CliRun.of("tune", file.toString(), "--study", study.toString());
        assertEquals(0, tune.exitCode(), tune.toString());
        assertTrue(tune.out().lines().anyMatch(l -> l.startsWith("study " + study + ": ") && l.contains("2 pruned")
                && l.contains("1 completed")), tune.toString());
        String dom = dom(chromium, study.resolve("report.html"));
        Matcher m = PLOT.matcher(dom);
        assertTrue(m.find(), dom);
        assertEquals("series", m.group(1));
        assertEquals(1 + 1 + 3, Integer.parseInt(m.group(3)), "every trial's epochs: two pruned at 1, one to 3");
        assertTrue(dom.contains("(best)"), "the best trial is named");
        assertTrue(dom.contains("<h2>Best trial: "), dom);
        run(chromium, "--window-size=1200,1100", "--screenshot=" + Path.of("target", "study-report-screenshot.png")
                .toAbsolutePath(), study.resolve("report.html").toUri().toString());

        CliRun export = CliRun.of("export", study.toString(), "--best", "--out", dir.resolve("best").toString());
        assertEquals(0, export.exitCode(), export.toString());
        JsonNode best = new com.fasterxml.jackson.databind.ObjectMapper().readTree(study.resolve("best.json")
                .toFile());
        assertTrue(export.out().contains("best trial of study " + study + ": " + best.get("trial").asText()
                + ", epoch " + best.get("bestEpoch").asInt()), export.toString());
        assertTrue(export.out().contains("metrics at export: epoch " + best.get("bestEpoch").asInt() + "  HR@"),
                export.toString());
    }

    /** A small generated dataset in the test's directory. */
    private String dataset() throws IOException {
        SyntheticDataset.Result r = SyntheticDataset.generate(new SyntheticDataset.Params(300, 100, 20, 8, 0.8, 2.5,
                5, 20));
        String data = dir.resolve("data").toString();
        DatasetStore.write(Storage.configuration(), data, r.dataset(), r.source(), r.split(), false);
        return data;
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    /** The page's DOM after its script ran. */
    private static String dom(String chromium, Path page) throws Exception {
        return run(chromium, "--virtual-time-budget=5000", "--dump-dom", page.toUri().toString());
    }

    private static String run(String chromium, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--no-first-run", "--user-data-dir="
                        + Files.createTempDirectory("chromium-profile")));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish: " + cmd);
        assertEquals(0, p.exitValue(), "chromium failed: " + cmd);
        return out;
    }

    /** Debian's chromium: on the PATH, else installed with apt-get when this is root; else the test is skipped. */
    private static String chromium() throws IOException, InterruptedException {
        for (String name : List.of("chromium", "chromium-browser")) {
            if (onPath(name)) {
                return name;
            }
        }
        String why;
        if (!"root".equals(System.getProperty("user.name"))) {
            why = "chromium is not installed and this user cannot install it (run as root, or apt-get install"
                    + " chromium)";
        } else {
            Process p = new ProcessBuilder("apt-get", "install", "-y", "-q", "chromium").redirectErrorStream(true)
                    .start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            boolean done = p.waitFor(15, TimeUnit.MINUTES);
            why = done && p.exitValue() == 0 && onPath("chromium") ? null : "apt-get install chromium failed: "
                    + log.lines().reduce((a, b) -> b).orElse("");
        }
        Assumptions.assumeTrue(why == null, why);
        return "chromium";
    }

    private static boolean onPath(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, name))) {
                return true;
            }
        }
        return false;
    }
}
