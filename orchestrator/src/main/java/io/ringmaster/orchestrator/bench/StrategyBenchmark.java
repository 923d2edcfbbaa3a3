package io.ringmaster.orchestrator.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Ingest;
import io.ringmaster.data.Storage;
import io.ringmaster.orchestrator.job.JobConfig;
import io.ringmaster.orchestrator.run.TrainJob;
import io.ringmaster.workers.Worker;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * {@code ringmaster bench strategies}: the same NeuMF job (model, data, loader, global batch, epochs,
 * evaluation) trained once with each strategy on the same Spark master in one run, then per strategy
 * the median training time and throughput of an epoch, the best HR@10 / NDCG@10, and when it first
 * reached the target HR@10 (epoch and cumulative training + evaluation time).
 */
public final class StrategyBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String data;
    private final int workers;
    private final int epochs;
    private final List<String> strategies;
    private final String master;
    private final double targetHr;
    private final List<String> sets;
    private final Path work;

    /** One strategy's figures. */
    record Row(String strategy, int epochs, double medianEpochSeconds, double medianSamplesPerSecond, double bestHr,
               double bestNdcg, int bestEpoch, int targetEpoch, double secondsToTarget, double wallSeconds,
               int attempts) {
    }

    /**
     * @param master Spark master for every strategy: {@code local[N]} (default: the gang size) or
     *               {@code local-cluster[N,1,MB]} (one executor JVM per worker, started from this jar)
     * @param sets   extra job settings ({@code key.path=value}) for every strategy
     * @param work   where datasets and run directories go
     */
    public StrategyBenchmark(String data, int workers, int epochs, List<String> strategies, String master,
                             double targetHr, List<String> sets, Path work) {
        if (workers < 1 || epochs < 1 || strategies.isEmpty()) {
            throw new IllegalArgumentException("bench strategies: --workers and --epochs must be >= 1 and"
                    + " --strategies must name at least one");
        }
        for (String s : strategies) {
            if (!io.ringmaster.orchestrator.job.Strategy.ids().contains(s)) {
                throw new IllegalArgumentException("bench strategies: unknown strategy '" + s + "' (one of "
                        + String.join(", ", io.ringmaster.orchestrator.job.Strategy.ids()) + ")");
            }
        }
        this.data = data;
        this.workers = workers;
        this.epochs = epochs;
        this.strategies = strategies;
        this.master = master == null ? "local[" + workers + "]" : master;
        this.targetHr = targetHr;
        this.sets = sets;
        this.work = work;
    }

    public List<Row> run(PrintStream out) throws IOException {
        Files.createDirectories(work);
        String dataset = dataset(out);
        Map<String, String> sparkConf = new LinkedHashMap<>();
        sparkConf.putAll(io.ringmaster.orchestrator.spark.SparkSessions.localClusterSetUp(master, Map.of(),
                work.resolve("spark-home")));
        out.printf("bench strategies: %d workers on Spark %s, %d epochs each, target HR@10 %.2f, work dir %s%n%n",
                workers, master, epochs, targetHr, work);
        List<Row> rows = new ArrayList<>();
        for (String strategy : strategies) {
            out.println("== strategy " + strategy);
            String runId = strategy + "-" + System.currentTimeMillis();
            List<String> overrides = new ArrayList<>(List.of(JobConfig.override("data", dataset),
                    "workers=" + workers, "train.epochs=" + epochs, "strategy=" + strategy,
                    JobConfig.override("spark.master", master), JobConfig.override("run.dir",
                            work.resolve("runs").toString()), "run.id=" + runId));
            overrides.addAll(sets);
            JobConfig job = JobConfig.parse("", "bench strategies", overrides);
            job = job.withSparkConf(sparkConf);
            long t0 = System.nanoTime();
            TrainJob.run(job, out);
            double wall = (System.nanoTime() - t0) / 1e9;
            rows.add(row(strategy, work.resolve("runs").resolve(runId), wall));
            out.println();
        }
        print(rows, out);
        return rows;
    }

    /** The dataset directory to train on: {@code data} itself, or {@code data} ingested under the work dir. */
    private String dataset(PrintStream out) throws IOException {
        Configuration conf = Storage.configuration();
        org.apache.hadoop.fs.Path p = Storage.path(data);
        if (Storage.fs(p, conf).exists(new org.apache.hadoop.fs.Path(p, DatasetStore.MANIFEST))) {
            return data;
        }
        String out0 = work.resolve("data").toString();
        out.println("(no manifest.json in " + data + ": ingesting it into " + out0 + ")");
        Ingest.Result r = Ingest.ingest(conf, data, Ingest.Options.defaults());
        DatasetStore.write(conf, out0, r.dataset(), r.source(), r.split(), true);
        return out0;
    }

    private Row row(String strategy, Path runDir, double wall) throws IOException {
        List<Map<String, Object>> epochRecords = new ArrayList<>();
        for (String line : Files.readAllLines(runDir.resolve(Worker.METRICS_FILE), StandardCharsets.UTF_8)) {
            Map<String, Object> m = JSON.readValue(line, new TypeReference<>() { });
            if ("epoch".equals(m.get("event"))) {
                epochRecords.add(m);
            }
        }
        double[] seconds = new double[epochRecords.size()];
        double[] rates = new double[epochRecords.size()];
        double bestHr = -1;
        double bestNdcg = 0;
        int bestEpoch = 0;
        int targetEpoch = 0;
        double toTarget = Double.NaN;
        double elapsed = 0;
        for (int i = 0; i < epochRecords.size(); i++) {
            Map<String, Object> m = epochRecords.get(i);
            seconds[i] = num(m, "trainSeconds");
            rates[i] = num(m, "samplesPerSecond");
            elapsed += seconds[i] + num(m, "evalSeconds");
            double hr = num(m, "hr");
            if (hr > bestHr) {
                bestHr = hr;
                bestNdcg = num(m, "ndcg");
                bestEpoch = ((Number) m.get("epoch")).intValue();
            }
            if (targetEpoch == 0 && hr >= targetHr) {
                targetEpoch = ((Number) m.get("epoch")).intValue();
                toTarget = elapsed;
            }
        }
        Map<String, Object> summary = JSON.readValue(runDir.resolve("summary.json").toFile(),
                new TypeReference<>() { });
        int attempts = summary.get("attempts") instanceof Number n ? n.intValue() : 1;
        return new Row(strategy, epochRecords.size(), TrainBenchmark.median(seconds), TrainBenchmark.median(rates),
                bestHr, bestNdcg, bestEpoch, targetEpoch, toTarget, wall, attempts);
    }

    private void print(List<Row> rows, PrintStream out) {
        Row ring = rows.stream().filter(r -> r.strategy().equals("allreduce")).findFirst().orElse(null);
        out.printf("strategies on Spark %s, %d workers, %d epochs (median epoch; time to target = training +"
                + " evaluation up to the first epoch with HR@10 >= %.2f)%n", master, workers, epochs, targetHr);
        out.println("| strategy | s/epoch | samples/s | vs ring | best HR@10 | NDCG@10 | at epoch | first HR@10 >= "
                + String.format("%.2f", targetHr) + " | wall s | attempts |");
        out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (Row r : rows) {
            String target = r.targetEpoch() == 0 ? "not reached" : String.format("epoch %d, %.1f s", r.targetEpoch(),
                    r.secondsToTarget());
            String vs = ring == null ? "" : String.format("%.3fx", r.medianSamplesPerSecond()
                    / ring.medianSamplesPerSecond());
            out.printf("| %s | %.2f | %,.0f | %s | %.4f | %.4f | %d | %s | %.1f | %d |%n", r.strategy(),
                    r.medianEpochSeconds(), r.medianSamplesPerSecond(), vs, r.bestHr(), r.bestNdcg(), r.bestEpoch(),
                    target, r.wallSeconds(), r.attempts());
        }
        Row fastest = rows.stream().filter(r -> r.targetEpoch() > 0)
                .min(java.util.Comparator.comparingDouble(Row::secondsToTarget)).orElse(null);
        out.println(fastest == null ? "no strategy reached HR@10 " + targetHr
                : "fastest to HR@10 >= " + targetHr + ": " + fastest.strategy() + String.format(" (%.1f s)",
                        fastest.secondsToTarget()));
    }

    private static double num(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
