package io.ringmaster.orchestrator.tune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.ringmaster.orchestrator.job.JobConfig;
import io.ringmaster.orchestrator.job.JobConfigException;
import io.ringmaster.workers.eval.RankingEvaluator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A study file (issue 21): the usual job file plus a {@code search} section. Its ranges ({@code choice},
 * {@code uniform}, {@code loguniform}, {@code int}) name job keys; it says which figure to maximise, how many
 * trials, how many at once, the timeout, the seed and the scheduler ({@code asha} with {@code min-epochs}
 * and {@code eta}, or {@code none}). Everything that can be checked before a trial runs is checked here,
 * naming the key: a search key that is not a job key, a range whose values make an invalid job, trials
 * below max-concurrent.
 */
public final class StudySpec {

    /** One search key's range. */
    public record Range(String key, String kind, List<Object> choices, double low, double high) {

        /** A value drawn from the range. */
        public Object sample(SplittableRandom rng) {
            return switch (kind) {
                case "choice" -> choices.get(rng.nextInt(choices.size()));
                case "uniform" -> low + (high - low) * rng.nextDouble();
                case "loguniform" -> Math.exp(Math.log(low) + (Math.log(high) - Math.log(low)) * rng.nextDouble());
                case "int" -> (long) low + rng.nextLong((long) high - (long) low + 1);
                default -> throw new IllegalStateException(kind);
            };
        }

        /** The values a check tries: every choice, or both ends. */
        List<Object> extremes() {
            return switch (kind) {
                case "choice" -> choices;
                case "int" -> List.of((long) low, (long) high);
                default -> List.of(low, high);
            };
        }
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final String yaml;
    private final List<String> overrides;
    private final String jobYaml;
    private final JobConfig base;
    private final List<Range> ranges;
    private final String metric;
    private final int trials;
    private final int maxConcurrent;
    private final int timeoutSeconds;
    private final long seed;
    private final String scheduler;
    private final int minEpochs;
    private final int eta;

    private StudySpec(String yaml, List<String> overrides, String jobYaml, JobConfig base, List<Range> ranges,
                      String metric, int trials, int maxConcurrent, int timeoutSeconds, long seed, String scheduler,
                      int minEpochs, int eta) {
        this.yaml = yaml;
        this.overrides = List.copyOf(overrides);
        this.jobYaml = jobYaml;
        this.base = base;
        this.ranges = List.copyOf(ranges);
        this.metric = metric;
        this.trials = trials;
        this.maxConcurrent = maxConcurrent;
        this.timeoutSeconds = timeoutSeconds;
        this.seed = seed;
        this.scheduler = scheduler;
        this.minEpochs = minEpochs;
        this.eta = eta;
    }

    public List<Range> ranges() {
        return ranges;
    }

    public String metric() {
        return metric;
    }

    public int trials() {
        return trials;
    }

    /** Trials at once; 0 when the file leaves it to the cluster (as many gangs as its task slots hold). */
    public int maxConcurrent() {
        return maxConcurrent;
    }

    /** The study file's text, as given. */
    public String yaml() {
        return yaml;
    }

    /** A trial's full length: the job's train.epochs. */
    public int epochs() {
        return base.train().epochs();
    }

    /** The study's job with no search key set (credentials it kept redacted left out). */
    public JobConfig base() {
        return base;
    }

    /** The figure maximised as printed, e.g. {@code HR@10}. */
    public String figure() {
        return metric.toUpperCase(java.util.Locale.ROOT) + "@" + base.eval().k();
    }

    /**
     * The epochs at which a trial's figure is compared with the others': {@code min-epochs}·η^k below
     * train.epochs, then train.epochs itself (scheduler none: train.epochs only).
     */
    public List<Integer> rungs() {
        List<Integer> r = new ArrayList<>();
        if (scheduler.equals("asha")) {
            for (long e = minEpochs; e < epochs(); e *= eta) {
                r.add((int) e);
            }
        }
        r.add(epochs());
        return r;
    }

    public int timeoutSeconds() {
        return timeoutSeconds;
    }

    public long seed() {
        return seed;
    }

    public String scheduler() {
        return scheduler;
    }

    public int minEpochs() {
        return minEpochs;
    }

    public int eta() {
        return eta;
    }

    /** Reads a study from YAML text; {@code where} names it in errors. */
    public static StudySpec parse(String yaml, String where) {
        return parse(yaml, where, List.of());
    }

    /** The settings given beside the study file ({@code --set key=value}), applied to every trial's job. */
    public List<String> overrides() {
        return overrides;
    }

    /** This study with another scheduler ({@code none}: every trial to the end). */
    public StudySpec withScheduler(String other) {
        return new StudySpec(yaml, overrides, jobYaml, base, ranges, metric, trials, maxConcurrent, timeoutSeconds,
                seed, other, minEpochs, eta);
    }

    /**
     * Reads a study from YAML text with {@code overrides} ({@code key=value}) applied to its job;
     * {@code where} names it in errors.
     */
    public static StudySpec parse(String yaml, String where, List<String> overrides) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (IOException e) {
            throw new JobConfigException(where + ": not YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject() || !root.has("search")) {
            throw new JobConfigException(where + ": a study file is a job file with a 'search' section");
        }
        JsonNode search = root.get("search");
        ObjectNode job = ((ObjectNode) root).deepCopy();
        job.remove("search");
        String jobYaml;
        try {
            jobYaml = YAML.writeValueAsString(job);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        JobConfig base = JobConfig.parse(jobYaml, where, overrides).validate();
        List<Range> ranges = new ArrayList<>();
        JsonNode space = search.path("space");
        if (!space.isObject() || space.isEmpty()) {
            throw new JobConfigException(where + ": 'search.space' must map job keys to ranges");
        }
        for (Map.Entry<String, JsonNode> e : iterable(space)) {
            ranges.add(range(where, e.getKey(), e.getValue()));
        }
        String metric = search.path("metric").asText(base.eval().select());
        if (!RankingEvaluator.METRICS.contains(metric)) {
            throw new JobConfigException(where + ": 'search.metric' must be one of " + String.join(", ",
                    RankingEvaluator.METRICS) + ", got '" + metric + "'");
        }
        int trials = positive(where, search, "trials", 10);
        int maxConcurrent = search.has("max-concurrent") ? positive(where, search, "max-concurrent", 1) : 0;
        if (trials < maxConcurrent) {
            throw new JobConfigException(where + ": 'search.trials' (" + trials + ") is below 'search.max-concurrent' ("
                    + maxConcurrent + "): trials would never fill the slots; raise trials or lower max-concurrent");
        }
        int timeout = positive(where, search, "timeout", 24 * 3600);
        String scheduler = search.path("scheduler").asText("asha");
        if (!scheduler.equals("asha") && !scheduler.equals("none")) {
            throw new JobConfigException(where + ": 'search.scheduler' must be asha or none, got '" + scheduler + "'");
        }
        int minEpochs = positive(where, search, "min-epochs", 1);
        int eta = positive(where, search, "eta", 3);
        if (scheduler.equals("asha") && eta < 2) {
            throw new JobConfigException(where + ": 'search.eta' must be >= 2 (the share of a rung promoted is 1/eta),"
                    + " got " + eta);
        }
        if (scheduler.equals("asha") && minEpochs > base.train().epochs()) {
            throw new JobConfigException(where + ": 'search.min-epochs' (" + minEpochs + ") exceeds train.epochs ("
                    + base.train().epochs() + "): the first rung would be past the end");
        }
        if (scheduler.equals("asha")) {
            List<String> types = new ArrayList<>(List.of(base.model().type()));
            ranges.stream().filter(r -> r.key().equals("model.type")).forEach(r -> r.choices().forEach(c -> types.add(
                    String.valueOf(c))));
            types.stream().filter(io.ringmaster.orchestrator.job.ModelTypes.SPARK_FAMILIES::contains).findFirst()
                    .ifPresent(t -> {
                        throw new JobConfigException(where + ": 'search.scheduler' asha compares trials at epochs, and"
                                + " model.type " + t + " is fitted in one pass: use scheduler none");
                    });
        }
        StudySpec s = new StudySpec(yaml, overrides, jobYaml, base.withoutRedactedValues(), ranges, metric, trials,
                maxConcurrent, timeout, search.path("seed").asLong(base.train().seed()), scheduler, minEpochs, eta);
        s.checkRanges(where);
        return s;
    }

    /** Trial {@code index}'s settings: one value per search key, drawn from the study's seed. */
    public Map<String, Object> params(int index) {
        SplittableRandom rng = new SplittableRandom(io.ringmaster.data.Seeds.mix(seed, index));
        Map<String, Object> p = new LinkedHashMap<>();
        for (Range r : ranges) {
            p.put(r.key(), r.sample(rng));
        }
        return p;
    }

    /** The job a trial with {@code params} runs (the study's job with those keys set). */
    public JobConfig job(Map<String, Object> params, List<String> more) {
        List<String> all = new ArrayList<>(overrides);
        params.forEach((k, v) -> all.add(JobConfig.override(k, v)));
        all.addAll(more);
        return JobConfig.parse(jobYaml, "study trial", all);
    }

    /** Every key must be a job key, and each range's extreme values must make a valid job. */
    private void checkRanges(String where) {
        for (Range r : ranges) {
            for (Object v : r.extremes()) {
                try {
                    List<String> all = new ArrayList<>(overrides);
                    all.add(JobConfig.override(r.key(), v));
                    JobConfig.parse(jobYaml, where, all).validate();
                } catch (JobConfigException e) {
                    throw new JobConfigException(where + ": 'search.space." + r.key() + "' value " + v + " makes an"
                            + " invalid job: " + e.getMessage());
                }
            }
        }
    }

    private static Range range(String where, String key, JsonNode spec) {
        String at = where + ": 'search.space." + key + "'";
        if (!spec.isObject() || spec.size() != 1) {
            throw new JobConfigException(at + " must be one of {choice: [...]}, {uniform: [low, high]},"
                    + " {loguniform: [low, high]}, {int: [low, high]}");
        }
        String kind = spec.fieldNames().next();
        JsonNode v = spec.get(kind);
        switch (kind) {
            case "choice" -> {
                if (!v.isArray() || v.isEmpty()) {
                    throw new JobConfigException(at + ": choice needs a non-empty list");
                }
                List<Object> choices = new ArrayList<>();
                v.forEach(c -> choices.add(c.isNumber() ? c.numberValue() : c.isArray() ? YAML.convertValue(c,
                        List.class) : c.asText()));
                return new Range(key, kind, choices, 0, 0);
            }
            case "uniform", "loguniform", "int" -> {
                if (!v.isArray() || v.size() != 2 || !v.get(0).isNumber() || !v.get(1).isNumber()
                        || !(v.get(0).asDouble() <= v.get(1).asDouble())) {
                    throw new JobConfigException(at + ": " + kind + " needs [low, high] with low <= high");
                }
                if (kind.equals("loguniform") && v.get(0).asDouble() <= 0) {
                    throw new JobConfigException(at + ": loguniform needs low > 0");
                }
                if (kind.equals("int") && (!v.get(0).canConvertToLong() || v.get(0).asDouble() != v.get(0).asLong()
                        || v.get(1).asDouble() != v.get(1).asLong())) {
                    throw new JobConfigException(at + ": int needs whole numbers");
                }
                return new Range(key, kind, List.of(), v.get(0).asDouble(), v.get(1).asDouble());
            }
            default -> throw new JobConfigException(at + ": unknown range '" + kind + "' (choice, uniform,"
                    + " loguniform or int)");
        }
    }

    private static int positive(String where, JsonNode search, String key, int dflt) {
        JsonNode v = search.get(key);
        if (v == null) {
            return dflt;
        }
        if (!v.canConvertToInt() || v.asInt() < 1) {
            throw new JobConfigException(where + ": 'search." + key + "' must be a whole number >= 1, got " + v);
        }
        return v.asInt();
    }

    private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode node) {
        return node::fields;
    }
}
