package io.ringmaster.orchestrator.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringmaster.data.Storage;
import io.ringmaster.workers.LoaderSettings;
import io.ringmaster.workers.model.EmbeddingOptimizer;
import io.ringmaster.workers.model.ModelSpec;
import io.ringmaster.workers.ring.RingOptions;
import io.ringmaster.workers.train.EngineKind;
import io.ringmaster.workers.train.FaultInjection;
import io.ringmaster.workers.train.TrainingSettings;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training job (docs/job-file.md): the keys of a job file with their defaults ({@link JobSections}),
 * choices bound to their enums. {@link #load} and {@link #parse} ({@link JobParser}) resolve the
 * cluster profile and {@code --set} overrides and return the job frozen: its fields are package-private
 * (only this package's parser and profile set them; everything else reads accessors), its lists and
 * maps are read-only, and what is settled later (the run id, a local cluster's Spark settings) comes as
 * a copy ({@link #withRunId}, {@link #withSparkConf}). Checking ({@link JobValidator}), the model fingerprint
 * ({@link ModelFingerprint}) and credential redaction ({@link CredentialRedaction}) live apart.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class JobConfig {

    /** Dataset directory written by {@code ringmaster ingest} or {@code generate} (any Hadoop URI). */
    String data;
    /** Gang size: number of workers training one model synchronously. */
    int workers = 1;
    /**
     * Smallest gang a relaunch may continue with when fewer than {@code workers} task slots come back within
     * {@code retry.wait-for-slots} (from the newest epoch-end checkpoint, same global batch); 0: {@code workers}.
     */
    int workersMin;
    /** Cluster profile (gpu-configs name or file) whose settings are this job's defaults. */
    String cluster;
    /** How the workers combine their work. */
    Strategy strategy = Strategy.ALLREDUCE;
    JobSections.Model model = new JobSections.Model();
    JobSections.Train train = new JobSections.Train();
    JobSections.Eval eval = new JobSections.Eval();
    JobSections.Run run = new JobSections.Run();
    JobSections.Trace trace = new JobSections.Trace();
    JobSections.Spark spark = new JobSections.Spark();
    JobSections.AllReduce allreduce = new JobSections.AllReduce();
    JobSections.Loader loader = new JobSections.Loader();
    JobSections.Checkpoint checkpoint = new JobSections.Checkpoint();
    JobSections.Retry retry = new JobSections.Retry();
    JobSections.ParameterServer parameterServer = new JobSections.ParameterServer();
    JobSections.Averaging averaging = new JobSections.Averaging();
    /** Deliberate failure for tests (off unless set). */
    JobSections.Fault fault;
    /** Settings of the Spark MLlib families (each only with its model.type). */
    JobSections.Als als;
    JobSections.Item2Vec item2vec;
    JobSections.Svd svd;
    /** Hadoop configuration entries (e.g. credentials for s3a:// or wasbs://). */
    Map<String, String> hadoop = new LinkedHashMap<>();

    public String data() { return data; }
    public int workers() { return workers; }
    public int workersMin() { return workersMin == 0 ? workers : workersMin; }
    public String cluster() { return cluster; }
    public Strategy strategy() { return strategy; }
    public JobSections.Model model() { return model; }
    public JobSections.Train train() { return train; }
    public JobSections.Eval eval() { return eval; }
    public JobSections.Run run() { return run; }
    public JobSections.Trace trace() { return trace; }
    public JobSections.Spark spark() { return spark; }
    public JobSections.AllReduce allreduce() { return allreduce; }
    public JobSections.Loader loader() { return loader; }
    public JobSections.Checkpoint checkpoint() { return checkpoint; }
    public JobSections.Retry retry() { return retry; }
    public JobSections.ParameterServer parameterServer() { return parameterServer; }
    public JobSections.Averaging averaging() { return averaging; }
    public JobSections.Fault fault() { return fault; }
    public Map<String, String> hadoop() { return hadoop; }
    public JobSections.Als als() { return als != null ? als : new JobSections.Als(); }
    public JobSections.Item2Vec item2vec() { return item2vec != null ? item2vec : new JobSections.Item2Vec(); }
    public JobSections.Svd svd() { return svd != null ? svd : new JobSections.Svd(); }

    /** True for a family Spark MLlib trains on the driver's Spark (als, item2vec, svd), not a gang. */
    public boolean sparkFamily() {
        return ModelTypes.SPARK_FAMILIES.contains(model.type);
    }

    /** Reads a job file; errors name the file, the key and the line. */
    public static JobConfig load(java.nio.file.Path file, List<String> overrides) {
        return JobParser.load(file, overrides);
    }

    /**
     * Parses job YAML, then applies {@code overrides} ({@code key.path=value}, value in YAML syntax,
     * e.g. {@code train.epochs=5} or {@code model.layers=[32,16,8]}).
     */
    public static JobConfig parse(String yaml, String where, List<String> overrides) {
        return JobParser.parse(yaml, where, overrides);
    }

    /** The Hadoop properties among {@code --set} overrides ({@code hadoop.KEY=VALUE}). */
    public static Map<String, String> hadoopOverrides(List<String> overrides) {
        return JobParser.hadoopOverrides(overrides);
    }

    /** One {@code --set} override for {@link #parse}: {@code key=value}, strings quoted for YAML. */
    public static String override(String key, Object value) {
        return JobParser.override(key, value);
    }

    /** Checks every value; the message names the key. Returns this. */
    public JobConfig validate() {
        JobValidator.check(this);
        return this;
    }

    /** Makes the lists and maps read-only; returns this. */
    JobConfig freeze() {
        if (spark != null && spark.conf != null) {
            spark.conf = Collections.unmodifiableMap(new LinkedHashMap<>(spark.conf));
        }
        if (hadoop != null) {
            hadoop = Collections.unmodifiableMap(new LinkedHashMap<>(hadoop));
        }
        if (model != null && model.layers != null) {
            model.layers = List.copyOf(model.layers);
        }
        return this;
    }

    /** A frozen copy with run id {@code id}. */
    public JobConfig withRunId(String id) {
        JobConfig c = copy();
        c.run.id = id;
        return c.freeze();
    }

    /** A frozen copy that trains with a gang of {@code n} (a relaunch with fewer slots than {@code workers}). */
    public JobConfig withWorkers(int n) {
        JobConfig c = copy();
        c.workers = n;
        c.workersMin = Math.min(workersMin(), n);
        return c.freeze();
    }

    /** A frozen copy whose Spark settings also hold {@code extra} (which wins). */
    public JobConfig withSparkConf(Map<String, String> extra) {
        JobConfig c = copy();
        Map<String, String> conf = new LinkedHashMap<>(c.spark.conf);
        conf.putAll(extra);
        c.spark.conf = conf;
        return c.freeze();
    }

    /** A frozen copy without the {@code hadoop} and {@code spark.conf} entries a redacted job.yaml left as such. */
    public JobConfig withoutRedactedValues() {
        JobConfig c = copy();
        c.hadoop = new LinkedHashMap<>(c.hadoop);
        c.hadoop.values().removeIf(CredentialRedaction.REDACTED::equals);
        c.spark.conf = new LinkedHashMap<>(c.spark.conf);
        c.spark.conf.values().removeIf(CredentialRedaction.REDACTED::equals);
        return c.freeze();
    }

    private JobConfig copy() {
        try {
            ObjectNode tree = JobParser.YAML.valueToTree(this);
            return JobParser.YAML.treeToValue(tree, JobConfig.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot copy job", e);
        }
    }

    public TrainingSettings settings() {
        return new TrainingSettings(train.epochs, train.batchSize, train.negatives, train.seed, engine(), eval.k,
                train.threads, embeddingOptimizer(), allreduce.embeddings, eval.select);
    }

    /** The model the job trains: {@code model.type} with its settings. */
    public ModelSpec modelSpec() {
        return ModelTypes.spec(this);
    }

    /** train.embedding-optimizer, else the engine's default (adam). */
    public EmbeddingOptimizer embeddingOptimizer() {
        return train.embeddingOptimizer != null ? train.embeddingOptimizer : engine().defaultEmbeddingOptimizer();
    }

    /** True for the default strategy: Ringmaster's own ring all-reduce in a Spark barrier stage. */
    public boolean usesRing() {
        return strategy == Strategy.ALLREDUCE;
    }

    /** The training engine: train.engine, else fused for the ring and dl4j for DL4J's training masters. */
    public EngineKind engine() {
        if (train.engine != null) {
            return train.engine;
        }
        return usesRing() ? EngineKind.FUSED : EngineKind.DL4J;
    }

    /** The settings a checkpoint's state depends on ({@link ModelFingerprint}). */
    public Map<String, String> modelSettings() {
        return ModelFingerprint.of(this);
    }

    /** SHA-256 of {@link #modelSettings()}, recorded in every checkpoint. */
    public String configHash() {
        return ModelFingerprint.hash(this);
    }

    /** Lines {@code key: old -> new} for every model setting that differs from {@code before}. */
    public List<String> modelDiff(JobConfig before) {
        return ModelFingerprint.diff(this, before);
    }

    /** The resolved job as YAML (every default filled in), credentials included. */
    public String toYaml() {
        try {
            return JobParser.YAML.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise job", e);
        }
    }

    /** The resolved job as YAML with credential values replaced by {@code <redacted>}: for the run directory. */
    public String toRedactedYaml() {
        return CredentialRedaction.redactedYaml(this);
    }

    /** A job file's text (or a study file's) with credential values redacted, for files a run keeps. */
    public static String redactedText(String yaml) {
        return CredentialRedaction.redactedYaml(yaml);
    }

    /** A {@code --set key=value} with its value redacted when the key names a credential. */
    public static String redactedOverride(String override) {
        return CredentialRedaction.redactedOverride(override);
    }

    /** True for configuration keys whose values are credentials ({@link CredentialRedaction}). */
    public static boolean isCredential(String key) {
        return CredentialRedaction.isCredential(key);
    }

    /** True when a retry needs new executor JVMs: DL4J's parameter-server client outlives an attempt in its JVM. */
    public boolean needsFreshExecutorsToRetry() {
        return strategy == Strategy.PARAMETER_SERVER;
    }

    /** The watchdog's limit for a DL4J strategy, seconds. */
    public int stallTimeout() {
        return strategy == Strategy.AVERAGING ? averaging.stallTimeout : parameterServer.stallTimeout;
    }

    /** {@code parameter-server.ports} as {first, last}. */
    public int[] portRange() {
        String p = parameterServer.ports == null ? "" : parameterServer.ports.trim();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(?:\\s*-\\s*(\\d+))?").matcher(p);
        if (m.matches()) {
            int first = Integer.parseInt(m.group(1));
            int last = m.group(2) == null ? first : Integer.parseInt(m.group(2));
            if (first >= 1024 && last <= 65535 && first <= last) {
                return new int[] {first, last};
            }
        }
        throw new JobConfigException("job: 'parameter-server.ports' must be a UDP port or range first-last within"
                + " 1024-65535, got '" + parameterServer.ports + "'");
    }

    /** The ring's settings from the {@code allreduce} section. */
    public RingOptions ringOptions() {
        if (allreduce.compression == null || allreduce.transport == null || allreduce.embeddings == null
                || allreduce.integrity == null) {
            throw new IllegalArgumentException("allreduce.compression, allreduce.transport, allreduce.embeddings and"
                    + " allreduce.integrity need a value (leave a key out for its default)");
        }
        if (allreduce.chunkKb < 1 || allreduce.chunkKb > 65536) {
            throw new IllegalArgumentException("allreduce.chunk-kb must be between 1 and 65536, got "
                    + allreduce.chunkKb);
        }
        if (allreduce.timeout < 1 || allreduce.connectTimeout < 1) {
            throw new IllegalArgumentException("allreduce.timeout and allreduce.connect-timeout are seconds and must"
                    + " be >= 1, got " + allreduce.timeout + " and " + allreduce.connectTimeout);
        }
        return new RingOptions(allreduce.compression, allreduce.connectTimeout * 1000, allreduce.timeout * 1000,
                allreduce.chunkKb * 1024, allreduce.transport, allreduce.integrity);
    }

    /** The workers' loader settings from the {@code loader} section. */
    public LoaderSettings loaderSettings() {
        if (loader.mode == null || loader.nulls == null) {
            throw new IllegalArgumentException("loader.mode (memory or stream) and loader.nulls (reject or skip) need"
                    + " a value (leave a key out for its default)");
        }
        return new LoaderSettings(loader.mode == LoaderMode.STREAM, loader.data == null ? null
                : Storage.path(loader.data).toString(), loader.shuffleGroups, loader.prefetchGroups, loader.nulls);
    }

    public FaultInjection faultInjection() {
        return fault == null ? FaultInjection.NONE : new FaultInjection(fault.killRank, fault.atStep, fault.kind);
    }

    public int[] layers() {
        return model.layers.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Spark master: the configured one, else {@code local[workers]}. */
    public String sparkMaster() {
        return spark.master != null ? spark.master : "local[" + workers + "]";
    }

    /** Dataset location as an absolute URI (plain paths are made absolute). */
    public String dataUri() {
        return Storage.path(data).toString();
    }
}
