package io.ringmaster.orchestrator.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonMerge;
import com.fasterxml.jackson.annotation.OptBoolean;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.ringmaster.data.Storage;
import io.ringmaster.data.loader.NullPolicy;
import io.ringmaster.workers.LoaderSettings;
import io.ringmaster.workers.ring.Compression;
import io.ringmaster.workers.eval.RankingEvaluator;
import io.ringmaster.workers.model.EmbeddingOptimizer;
import io.ringmaster.workers.model.ModelSpec;
import io.ringmaster.workers.ring.RingOptions;
import io.ringmaster.workers.ring.Transport;
import io.ringmaster.workers.train.EmbeddingExchange;
import io.ringmaster.workers.train.EngineKind;
import io.ringmaster.workers.train.FaultInjection;
import io.ringmaster.workers.train.TrainingSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A training job file (YAML). Every key has a default except {@code data}; unknown keys are errors
 * that name the key and list the known ones. See docs/job-file.md.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class JobConfig {

    /** Dataset directory written by {@code ringmaster ingest} or {@code generate} (any Hadoop URI). */
    public String data;
    /** Gang size: number of workers training one model synchronously. */
    public int workers = 1;
    /** Cluster profile (gpu-configs name or file) whose settings are this job's defaults. */
    public String cluster;
    /**
     * How the workers combine their work: allreduce (Ringmaster's ring in a barrier stage, the default),
     * parameter-server (DL4J's SharedTrainingMaster) or averaging (DL4J's ParameterAveragingTrainingMaster).
     */
    public String strategy = "allreduce";
    public Model model = new Model();
    public Train train = new Train();
    public Eval eval = new Eval();
    public Run run = new Run();
    public Spark spark = new Spark();
    public AllReduce allreduce = new AllReduce();
    public Loader loader = new Loader();
    public Checkpoint checkpoint = new Checkpoint();
    public Retry retry = new Retry();
    public ParameterServer parameterServer = new ParameterServer();
    public Averaging averaging = new Averaging();
    /** Deliberate failure for tests (off unless set). */
    public Fault fault;
    /** Hadoop configuration entries (e.g. credentials for s3a:// or wasbs://). */
    public Map<String, String> hadoop = new LinkedHashMap<>();

    public static final class Model {
        /** The model family ({@link ModelTypes}); its settings follow. */
        public String type = ModelTypes.DEFAULT;
        /** GMF embedding width. */
        public int factors = 8;
        /** MLP widths: [concatenated embedding, dense layer widths...]. */
        @JsonMerge(OptBoolean.FALSE)
        public List<Integer> layers = List.of(64, 32, 16, 8);
    }

    public static final class Train {
        public int epochs = 20;
        /** Examples per optimiser step (global, across all workers). */
        public int batchSize = 256;
        public double learningRate = 0.001;
        /** Sampled negatives per positive interaction, per epoch. */
        public int negatives = 4;
        public long seed = 42;
        /**
         * fused (fast CPU kernel) or dl4j (DL4J graph on the loaded ND4J backend); default fused for the
         * allreduce strategy, dl4j (the only choice) for DL4J's training masters.
         */
        public String engine;
        /** BLAS threads per worker. */
        public int threads = 1;
        /**
         * How Adam updates embedding tables: adam (every row every step, DL4J's arithmetic; the default) or
         * lazy-adam (only the rows a step touched, as PyTorch's SparseAdam; the fused engine only).
         */
        public String embeddingOptimizer;
    }

    public static final class Eval {
        /** The cut-off K of the ranking figures. */
        public int k = 10;
        /** The figure that picks the best epoch (hr, ndcg or map). */
        public String select = "hr";
    }

    public static final class Run {
        /** Parent directory of run directories (any Hadoop URI). */
        public String dir = "runs";
        /** Run id; generated from the time when absent. */
        public String id;
    }

    public static final class Spark {
        /** Spark master; default local[workers] (embedded). */
        public String master;
        /** Extra Spark configuration. */
        public Map<String, String> conf = new LinkedHashMap<>();
    }

    public static final class AllReduce {
        /** Wire format of gradients: none (fp32) or fp16 (half the bytes, lossy). */
        public String compression = "none";
        /** Seconds a ring transfer may stall before the peer is declared dead or hung. */
        public int timeout = 120;
        /** Seconds to wait for the ring to connect after rendezvous. */
        public int connectTimeout = 60;
        /** Size of each pipelined chunk (and of each rank's shared memory slot), KiB. */
        public int chunkKb = 1024;
        /** How embedding tables' gradients are summed: auto, sparse (touched rows) or dense (whole tables). */
        public String embeddings = "auto";
        /** What carries the collectives: auto (shared memory between ranks on one host, else TCP), tcp, shm. */
        public String transport = "auto";
    }

    public static final class Loader {
        /** stream (Parquet row-group shards, the default) or memory (every rank samples the whole epoch). */
        public String mode = "stream";
        /** Training Parquet for stream mode; default: the dataset's train.parquet. */
        public String data;
        /** Row groups whose rows are shuffled together. */
        public int shuffleGroups = 8;
        /** Row groups decoded ahead on a background thread. */
        public int prefetchGroups = 4;
        /** reject or skip rows with nulls. */
        public String nulls = "reject";
    }

    public static final class Checkpoint {
        /** Checkpoint every N global steps (0: not by steps). */
        public int everySteps = 0;
        /** Checkpoint every N epochs (0: not by epochs); the end of training always gets one. */
        public int everyEpochs = 1;
        /** Newest checkpoints kept. */
        public int keep = 3;
    }

    public static final class Retry {
        /** Gang launches before the job fails: a failed gang is relaunched from the newest checkpoint. */
        public int maxAttempts = 3;
    }

    /** strategy: parameter-server (DL4J SharedTrainingMaster, threshold-encoded gradient sharing over Aeron UDP). */
    public static final class ParameterServer {
        /** UDP ports the driver's and each executor's transport may bind: "first-last" or one port. */
        public String ports = "40100-40199";
        /** Address executors reach the driver's parameter server on; default: the driver's address (spark.driver.host). */
        public String masterAddress;
        /** Initial threshold of DL4J's adaptive threshold encoding of gradient updates. */
        public double threshold = 1e-3;
        /**
         * Seconds without a new finished minibatch, job or task before the watchdog cancels the epoch and the
         * attempt fails (then retry.* relaunches it from the newest checkpoint).
         */
        public int stallTimeout = 120;
        /** Seconds each worker gets to reach the master (a UDP echo) before training starts. */
        public int connectTimeout = 10;
        /**
         * Training threads in each JVM's parameter-server client. DL4J runs one client per JVM, fed by every
         * task of that JVM; with more than one it trains through its ParallelWrapper, sharing encoded
         * updates between the threads too (on local[2] here: 10-17k samples/s with 2, 13-24k with 1).
         */
        public int trainersPerExecutor = 1;
    }

    /** strategy: averaging (DL4J ParameterAveragingTrainingMaster). */
    public static final class Averaging {
        /** Minibatches each worker trains between two averages of parameters and updater state. */
        public int frequency = 5;
        /**
         * Seconds without a new finished minibatch, job or task before the watchdog cancels the epoch and the
         * attempt fails (then retry.* relaunches it from the newest checkpoint).
         */
        public int stallTimeout = 120;
    }

    /**
     * A deliberate failure, for tests: with the ring that rank throws just before that global step; with
     * DL4J's strategies its batches stop coming at that step, as from a hung worker, until the watchdog
     * cancels the epoch. The first attempt only.
     */
    public static final class Fault {
        /** Rank that fails on purpose. */
        public int killRank = -1;
        /** Global step (1-based) at which it fails. */
        public long atStep = -1;
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .setDefaultMergeable(true);

    /** Reads a job file; errors name the file, the key and the line. */
    public static JobConfig load(java.nio.file.Path file, List<String> overrides) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new JobConfigException(file + ": cannot read job file: " + e.getMessage(), e);
        }
        return parse(text, file.toString(), overrides);
    }

    /**
     * Parses job YAML, then applies {@code overrides} ({@code key.path=value}, value in YAML syntax,
     * e.g. {@code train.epochs=5} or {@code model.layers=[32,16,8]}).
     */
    public static JobConfig parse(String yaml, String where, List<String> overrides) {
        JsonNode jobTree = read(where, () -> yaml.isBlank() ? null : YAML.readTree(yaml));
        if (jobTree != null && !jobTree.isObject() && !jobTree.isNull() && !jobTree.isMissingNode()) {
            throw new JobConfigException(where + ": a job file must be a YAML mapping of keys to values");
        }
        String clusterName = topLevelValue(jobTree, overrides, "cluster");
        String strategyName = topLevelValue(jobTree, overrides, "strategy");
        boolean batchSet = jobTree != null && jobTree.get("train") != null && jobTree.get("train").has("batch-size");
        for (String o : overrides) {
            String key = o.contains("=") ? o.substring(0, o.indexOf('=')).trim() : o;
            batchSet |= key.equals("train.batch-size");
        }
        JobConfig defaults = new JobConfig();
        ClusterProfile profile = clusterName == null ? null : ClusterProfile.load(clusterName);
        if (profile != null) {
            // the engine, BLAS threads and all-reduce settings of a profile are the ring's: DL4J's strategies
            // keep their own defaults
            profile.applyTo(defaults, strategyName == null || strategyName.equals("allreduce"));
        }
        JobConfig c = read(where, () -> yaml.isBlank() ? null : YAML.readerForUpdating(defaults).readValue(yaml));
        JobConfig base = c == null ? defaults : c;
        if (profile != null && profile.train.batchSizePerWorker != null && !batchSet) {
            base.perWorkerBatch = profile.train.batchSizePerWorker;
        }
        if (overrides.isEmpty()) {
            return base.applyPerWorkerBatch();
        }
        ObjectNode tree = YAML.createObjectNode();
        for (int n = 0; n < overrides.size(); n++) {
            String o = overrides.get(n);
            int eq = o.indexOf('=');
            if (eq <= 0) { // not echoed: it may be a secret given without its key
                throw new JobConfigException("--set number " + (n + 1) + ": expected key.path=value, got "
                        + (eq == 0 ? "no key before '='" : "no '='"));
            }
            String key = o.substring(0, eq).trim();
            String[] keys = splitKey(key);
            ObjectNode node = tree;
            for (int i = 0; i < keys.length - 1; i++) {
                JsonNode child = node.get(keys[i]);
                node = child instanceof ObjectNode obj ? obj : node.putObject(keys[i]);
            }
            String value = o.substring(eq + 1).trim();
            JsonNode parsed;
            if (keys.length > 1 && isPassThrough(keys)) {
                // a Hadoop or Spark property: its value is the text as given (a secret may hold any
                // character YAML would read as syntax), less one pair of enclosing quotes
                parsed = value.isEmpty() ? null : YAML.getNodeFactory().textNode(unquote(value));
            } else {
                parsed = parseValue(key, value);
            }
            node.set(keys[keys.length - 1], parsed == null ? YAML.nullNode() : parsed);
        }
        JobConfig done = read("--set", false, () -> YAML.readerForUpdating(base).readValue(tree));
        return done.applyPerWorkerBatch();
    }

    /**
     * A top-level key's value before the job is bound (it picks the defaults the rest binds onto): the
     * last {@code --set} of it, else the job file's, else null.
     */
    private static String topLevelValue(JsonNode jobTree, List<String> overrides, String key) {
        String value = jobTree != null && jobTree.get(key) != null ? jobTree.get(key).asText() : null;
        for (String o : overrides) {
            String k = o.contains("=") ? o.substring(0, o.indexOf('=')).trim() : o;
            if (k.equals(key)) {
                value = o.substring(o.indexOf('=') + 1).trim().replaceAll("^'(.*)'$", "$1");
            }
        }
        return value;
    }

    /** Set from a cluster profile's train.batch-size-per-worker when the job names no global batch size. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    private Integer perWorkerBatch;

    private JobConfig applyPerWorkerBatch() {
        if (perWorkerBatch != null) {
            train.batchSize = perWorkerBatch * workers;
        }
        return this;
    }

    /**
     * A {@code --set} key as a path: split at dots, except that whatever follows {@code hadoop.} or
     * {@code spark.conf.} is one property name ({@code hadoop.fs.s3a.secret.key} is the Hadoop key
     * {@code fs.s3a.secret.key}).
     */
    static String[] splitKey(String key) {
        if (key.startsWith("hadoop.") && key.length() > "hadoop.".length()) {
            return new String[] {"hadoop", key.substring("hadoop.".length())};
        }
        if (key.startsWith("spark.conf.") && key.length() > "spark.conf.".length()) {
            return new String[] {"spark", "conf", key.substring("spark.conf.".length())};
        }
        return key.split("\\.");
    }

    /**
     * The Hadoop properties among {@code --set} overrides ({@code hadoop.KEY=VALUE}), for reading a run
     * directory before its job is parsed (its credentials were redacted from {@code job.yaml}).
     */
    public static Map<String, String> hadoopOverrides(List<String> overrides) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String o : overrides) {
            int eq = o.indexOf('=');
            String[] keys = eq > 0 ? splitKey(o.substring(0, eq).trim()) : new String[0];
            if (keys.length == 2 && keys[0].equals("hadoop")) {
                out.put(keys[1], unquote(o.substring(eq + 1).trim()));
            }
        }
        return out;
    }

    private static boolean isPassThrough(String[] path) {
        return path[0].equals("hadoop") || (path.length == 3 && path[0].equals("spark") && path[1].equals("conf"));
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.startsWith("'") && v.endsWith("'") || v.startsWith("\"") && v.endsWith("\""))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }

    /** A {@code --set} value as YAML; an error names the key, never the value (it may be a secret). */
    private static JsonNode parseValue(String key, String value) {
        if (value.isEmpty()) {
            return null;
        }
        try {
            return YAML.readTree(value);
        } catch (IOException e) {
            throw new JobConfigException("--set " + key + ": the value is not valid YAML (quote it: " + key
                    + "='...')");
        }
    }

    /** One {@code --set} override for {@link #parse}: {@code key=value}, strings quoted for YAML. */
    public static String override(String key, Object value) {
        String v = value instanceof String s ? "'" + s.replace("'", "''") + "'" : String.valueOf(value);
        return key + "=" + v;
    }

    private interface Parse<T> {
        T run() throws IOException;
    }

    private static <T> T read(String where, Parse<T> parse) {
        return read(where, true, parse);
    }

    /** {@code showValues}: whether an error may quote the offending value (not for {@code --set}). */
    private static <T> T read(String where, boolean showValues, Parse<T> parse) {
        try {
            return parse.run();
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            throw new JobConfigException(where + ": unknown key '" + path(e) + "'" + line(e) + "; known keys here: "
                    + known, e);
        } catch (InvalidFormatException e) {
            throw new JobConfigException(where + ": key '" + path(e) + "'" + line(e) + ": "
                    + (showValues ? "'" + e.getValue() + "' is" : "the value is") + " not a valid "
                    + e.getTargetType().getSimpleName().toLowerCase(), e);
        } catch (MismatchedInputException e) {
            if (e.getPath().isEmpty()) {
                throw new JobConfigException(where + ": a job file must be a YAML mapping of keys to values", e);
            }
            throw new JobConfigException(where + ": key '" + path(e) + "'" + line(e) + ": wrong type ("
                    + (showValues ? e.getOriginalMessage().split("\n")[0] : e.getTargetType() == null ? "not shown"
                    : "expected " + e.getTargetType().getSimpleName()) + ")", e);
        } catch (JsonProcessingException e) {
            org.yaml.snakeyaml.error.MarkedYAMLException marked = null;
            for (Throwable t = e; t != null && marked == null; t = t.getCause()) {
                marked = t instanceof org.yaml.snakeyaml.error.MarkedYAMLException m ? m : null;
            }
            if (marked != null && marked.getProblemMark() != null) { // the problem's own line, not its context's
                String problem = String.valueOf(marked.getProblem()).replace("\n", " ").strip();
                throw new JobConfigException(where + ": not valid YAML at line " + (marked.getProblemMark().getLine() + 1)
                        + ", column " + (marked.getProblemMark().getColumn() + 1) + ": " + problem
                        + (problem.contains("TAB") ? " (indent with spaces)" : ""), e);
            }
            throw new JobConfigException(where + ": not valid YAML" + line(e) + ": "
                    + e.getOriginalMessage().replace("\n", " "), e);
        } catch (IOException e) {
            throw new JobConfigException(where + ": " + e.getMessage(), e);
        }
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
    }

    private static String line(JsonProcessingException e) {
        return e.getLocation() == null || e.getLocation().getLineNr() < 1 ? ""
                : " (line " + e.getLocation().getLineNr() + ")";
    }

    /** Checks every value; the message names the key. Returns this. */
    public JobConfig validate() {
        for (Object[] section : new Object[][] {{"model", model}, {"train", train}, {"eval", eval}, {"run", run},
                {"spark", spark}, {"spark.conf", spark == null ? Map.of() : spark.conf}, {"hadoop", hadoop},
                {"allreduce", allreduce}, {"loader", loader}, {"checkpoint", checkpoint}, {"retry", retry}}) {
            if (section[1] == null) {
                throw new JobConfigException("job: '" + section[0] + "' must be a mapping, not empty (remove the key"
                        + " for the defaults" + (section[0].equals("spark.conf") || section[0].equals("hadoop")
                        ? ", or use {} for none)" : ")"));
            }
        }
        if (strategy == null || !STRATEGIES.contains(strategy)) {
            throw new JobConfigException("job: 'strategy' must be one of " + String.join(", ", STRATEGIES) + ", got '"
                    + strategy + "'");
        }
        if (parameterServer == null || averaging == null) {
            throw new JobConfigException("job: 'parameter-server' and 'averaging' must be mappings, not empty (remove"
                    + " the key for the defaults)");
        }
        if (run.dir == null || run.dir.isBlank()) {
            throw new JobConfigException("job: 'run.dir' must name the directory that holds run directories");
        }
        if (data == null || data.isBlank()) {
            throw new JobConfigException("job: 'data' is required: the dataset directory written by"
                    + " `ringmaster ingest` or `ringmaster generate`");
        }
        if (workers < 1) {
            throw new JobConfigException("job: 'workers' must be >= 1, got " + workers);
        }
        ModelTypes.check(model.type);
        if (eval.select == null || !RankingEvaluator.METRICS.contains(eval.select)) {
            throw new JobConfigException("job: 'eval.select' must be one of " + String.join(", ",
                    RankingEvaluator.METRICS) + ", got '" + eval.select + "'");
        }
        if (model.factors < 1) {
            throw new JobConfigException("job: 'model.factors' must be >= 1, got " + model.factors);
        }
        if (model.layers == null || model.layers.size() < 2) {
            throw new JobConfigException("job: 'model.layers' needs at least two widths (embedding, one dense"
                    + " layer), got " + model.layers);
        }
        for (Integer w : model.layers) {
            if (w == null || w < 1) {
                throw new JobConfigException("job: 'model.layers' entries must be positive, got " + model.layers);
            }
        }
        if (model.layers.get(0) % 2 != 0) {
            throw new JobConfigException("job: 'model.layers[0]' is the concatenated user+item embedding width and"
                    + " must be even, got " + model.layers.get(0));
        }
        if (!(train.learningRate > 0) || Double.isInfinite(train.learningRate)) {
            throw new JobConfigException("job: 'train.learning-rate' must be a positive number, got "
                    + train.learningRate);
        }
        if (train.batchSize % workers != 0) {
            throw new JobConfigException("job: 'train.batch-size' (" + train.batchSize + ") must be a multiple of"
                    + " 'workers' (" + workers + "): it is the global batch, split evenly across workers");
        }
        if (run.id != null && !run.id.matches("[A-Za-z0-9._-]+")) {
            throw new JobConfigException("job: 'run.id' may only use letters, digits, '.', '_' and '-', got '"
                    + run.id + "'");
        }
        if (cluster != null) {
            ClusterProfile p = ClusterProfile.load(cluster);
            Integer max = p.maxWorkers();
            if (max != null && workers > max) {
                throw new JobConfigException("job: workers = " + workers + " but cluster profile '" + cluster + "' has "
                        + p.executors + " executor(s) x " + p.gpusPerExecutor + " GPUs / " + p.gpusPerTask
                        + " per worker = " + max + " worker slots");
            }
            if (p.gpusPerExecutor > 0 && sparkMaster().startsWith("local")) {
                throw new JobConfigException("job: cluster profile '" + cluster + "' requests GPUs, which a "
                        + sparkMaster() + " master cannot schedule; submit to a cluster master (spark.master)");
            }
        }
        if (checkpoint.everySteps < 0 || checkpoint.everyEpochs < 0 || checkpoint.keep < 1) {
            throw new JobConfigException("job: 'checkpoint.every-steps' and 'checkpoint.every-epochs' must be >= 0"
                    + " and 'checkpoint.keep' >= 1");
        }
        if (retry.maxAttempts < 1) {
            throw new JobConfigException("job: 'retry.max-attempts' must be >= 1, got " + retry.maxAttempts);
        }
        if (fault != null && (fault.killRank < 0 || fault.killRank >= workers || fault.atStep < 1)) {
            throw new JobConfigException("job: 'fault' needs kill-rank in [0, workers) and at-step >= 1, got kill-rank "
                    + fault.killRank + ", at-step " + fault.atStep);
        }
        if (!usesRing()) {
            refuseForDl4jStrategy();
        }
        if ("dl4j".equals(engine()) && allreduce != null && "sparse".equals(allreduce.embeddings)) {
            throw new JobConfigException("job: 'allreduce.embeddings' sparse needs train.engine fused; the dl4j engine's"
                    + " gradient is one dense block (use auto or dense)");
        }
        try {
            settings();
            ringOptions();
            loaderSettings();
            EngineKind.parse(engine());
        } catch (IllegalArgumentException e) {
            throw new JobConfigException("job: " + e.getMessage(), e);
        }
        return this;
    }

    public TrainingSettings settings() {
        return new TrainingSettings(train.epochs, train.batchSize, train.negatives, train.seed,
                EngineKind.parse(engine()), eval.k, train.threads, embeddingOptimizer(),
                EmbeddingExchange.parse(allreduce.embeddings), eval.select);
    }

    /** The model the job trains: {@code model.type} with its settings. */
    public ModelSpec modelSpec() {
        return ModelTypes.spec(this);
    }

    /** train.embedding-optimizer, else the engine's default (adam). */
    public EmbeddingOptimizer embeddingOptimizer() {
        return train.embeddingOptimizer != null ? EmbeddingOptimizer.parse(train.embeddingOptimizer)
                : EngineKind.parse(engine()).defaultEmbeddingOptimizer();
    }

    /** The strategies, as the job file names them. */
    public static final List<String> STRATEGIES = List.of("allreduce", "parameter-server", "averaging");

    /** True for the default strategy: Ringmaster's own ring all-reduce in a Spark barrier stage. */
    public boolean usesRing() {
        return "allreduce".equals(strategy);
    }

    /** The training engine: train.engine, else fused for the ring and dl4j for DL4J's training masters. */
    public String engine() {
        if (train.engine != null) {
            return train.engine;
        }
        return usesRing() ? "fused" : "dl4j";
    }

    /**
     * DL4J's training masters run a whole epoch per Spark job on their own transport, so some of the
     * ring's options have no meaning there: refuse them by name rather than ignore them.
     */
    private void refuseForDl4jStrategy() {
        String s = "strategy " + strategy;
        if (!"dl4j".equals(engine())) {
            throw new JobConfigException("job: " + s + " trains DL4J's graph on the workers; 'train.engine' must be dl4j"
                    + " (or left out), got " + engine());
        }
        if (checkpoint.everySteps != 0) {
            throw new JobConfigException("job: " + s + " checkpoints at epoch ends only (DL4J's training master runs"
                    + " a whole epoch per Spark job); 'checkpoint.every-steps' must be 0, got " + checkpoint.everySteps);
        }
        AllReduce ring = new AllReduce();
        if (allreduce != null && (!java.util.Objects.equals(allreduce.compression, ring.compression)
                || allreduce.timeout != ring.timeout || allreduce.connectTimeout != ring.connectTimeout
                || allreduce.chunkKb != ring.chunkKb || !java.util.Objects.equals(allreduce.embeddings, ring.embeddings)
                || !java.util.Objects.equals(allreduce.transport, ring.transport))) {
            throw new JobConfigException("job: the 'allreduce' section configures Ringmaster's ring, which " + s
                    + " does not use; remove it (see 'parameter-server' / 'averaging' for this strategy's settings)");
        }
        if (train.threads != 1) {
            throw new JobConfigException("job: 'train.threads' sets the fused engine's BLAS threads; " + s
                    + " runs DL4J's own threads (set OMP_NUM_THREADS on the executors), remove it");
        }
        if ("averaging".equals(strategy) && averaging.frequency < 1) {
            throw new JobConfigException("job: 'averaging.frequency' must be >= 1, got " + averaging.frequency);
        }
        if ("parameter-server".equals(strategy)) {
            portRange();
            if (!(parameterServer.threshold > 0) || Double.isInfinite(parameterServer.threshold)) {
                throw new JobConfigException("job: 'parameter-server.threshold' must be a positive number, got "
                        + parameterServer.threshold);
            }
            if (parameterServer.trainersPerExecutor < 1) {
                throw new JobConfigException("job: 'parameter-server.trainers-per-executor' must be >= 1, got "
                        + parameterServer.trainersPerExecutor);
            }
            if (parameterServer.connectTimeout < 1) {
                throw new JobConfigException("job: 'parameter-server.connect-timeout' must be >= 1 s, got "
                        + parameterServer.connectTimeout);
            }
        }
        if (stallTimeout() < 30) {
            throw new JobConfigException("job: '" + strategy + ".stall-timeout' must be >= 30 s (executors report"
                    + " progress with their heartbeats, every 10 s by default), got " + stallTimeout());
        }
    }

    /** True when a retry needs new executor JVMs: DL4J's parameter-server client outlives an attempt in its JVM. */
    public boolean needsFreshExecutorsToRetry() {
        return "parameter-server".equals(strategy);
    }

    /** The watchdog's limit for a DL4J strategy, seconds. */
    public int stallTimeout() {
        return "averaging".equals(strategy) ? averaging.stallTimeout : parameterServer.stallTimeout;
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
        if (allreduce.compression == null) {
            throw new IllegalArgumentException("allreduce.compression must be none or fp16");
        }
        if (allreduce.chunkKb < 1 || allreduce.chunkKb > 65536) {
            throw new IllegalArgumentException("allreduce.chunk-kb must be between 1 and 65536, got "
                    + allreduce.chunkKb);
        }
        if (allreduce.timeout < 1 || allreduce.connectTimeout < 1) {
            throw new IllegalArgumentException("allreduce.timeout and allreduce.connect-timeout are seconds and must"
                    + " be >= 1, got " + allreduce.timeout + " and " + allreduce.connectTimeout);
        }
        return new RingOptions(Compression.parse(allreduce.compression), allreduce.connectTimeout * 1000,
                allreduce.timeout * 1000, allreduce.chunkKb * 1024, Transport.parse(allreduce.transport));
    }

    /** The workers' loader settings from the {@code loader} section. */
    public LoaderSettings loaderSettings() {
        if (!"memory".equals(loader.mode) && !"stream".equals(loader.mode)) {
            throw new IllegalArgumentException("loader.mode must be memory or stream, got '" + loader.mode + "'");
        }
        if (loader.nulls == null) {
            throw new IllegalArgumentException("loader.nulls must be reject or skip");
        }
        return new LoaderSettings("stream".equals(loader.mode), loader.data == null ? null
                : Storage.path(loader.data).toString(), loader.shuffleGroups, loader.prefetchGroups,
                NullPolicy.parse(loader.nulls));
    }

    public FaultInjection faultInjection() {
        return fault == null ? FaultInjection.NONE : new FaultInjection(fault.killRank, fault.atStep);
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

    /** The resolved job as YAML (every default filled in), credentials included. */
    public String toYaml() {
        try {
            return YAML.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise job", e);
        }
    }

    /**
     * The resolved job as YAML with the values of credential-like {@code hadoop} and {@code spark.conf}
     * keys (access keys, secrets, passwords, tokens, SAS, account keys) replaced by {@code <redacted>}:
     * what goes into the run directory and logs.
     */
    public String toRedactedYaml() {
        try {
            ObjectNode tree = YAML.valueToTree(this);
            redact(tree.get("hadoop"));
            JsonNode sparkNode = tree.get("spark");
            if (sparkNode != null) {
                redact(sparkNode.get("conf"));
            }
            return YAML.writeValueAsString(tree);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot serialise job", e);
        }
    }

    /**
     * The settings a checkpoint's state depends on: resuming with any of them changed would not
     * continue the same training. Run-only settings (epochs, checkpointing, retries, evaluation,
     * Spark, Hadoop, all-reduce transport) may change.
     */
    public Map<String, String> modelSettings() {
        Map<String, String> m = new java.util.TreeMap<>();
        m.put("data", dataUri());
        m.put("workers", String.valueOf(workers));
        if (!ModelTypes.DEFAULT.equals(model.type)) {
            m.put("model.type", model.type); // absent for the default, so runs from before model.type keep their hash
        }
        m.put("model.factors", String.valueOf(model.factors));
        m.put("model.layers", String.valueOf(model.layers));
        m.put("train.batch-size", String.valueOf(train.batchSize));
        m.put("train.learning-rate", String.valueOf(train.learningRate));
        m.put("train.negatives", String.valueOf(train.negatives));
        m.put("train.seed", String.valueOf(train.seed));
        m.put("train.engine", engine());
        if (embeddingOptimizer() != EmbeddingOptimizer.ADAM) {
            // absent for adam, so runs from before lazy Adam (which used it) keep their hash
            m.put("train.embedding-optimizer", embeddingOptimizer().id());
        }
        if (!usesRing()) {
            m.put("strategy", strategy); // absent for the ring, so runs from before strategies keep their hash
        }
        m.put("loader.mode", String.valueOf(loader.mode));
        m.put("loader.data", String.valueOf(loader.data == null ? null : Storage.path(loader.data).toString()));
        m.put("loader.shuffle-groups", String.valueOf(loader.shuffleGroups));
        return m;
    }

    /** SHA-256 of {@link #modelSettings()}. */
    public String configHash() {
        return Storage.sha256(modelSettings().toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Lines {@code key: old -> new} for every model setting that differs from {@code before}. */
    public List<String> modelDiff(JobConfig before) {
        List<String> diff = new java.util.ArrayList<>();
        Map<String, String> a = before.modelSettings();
        Map<String, String> b = modelSettings();
        java.util.Set<String> keys = new java.util.TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        for (String k : keys) {
            if (!java.util.Objects.equals(a.get(k), b.get(k))) {
                diff.add(k + ": " + shown(k, a.get(k)) + " -> " + shown(k, b.get(k)));
            }
        }
        return diff;
    }

    /**
     * A model setting's value for a diff: a run without a 'strategy' entry used the ring, one without a
     * 'train.embedding-optimizer' entry adam.
     */
    private static String shown(String key, String value) {
        if (value == null && "strategy".equals(key)) {
            return "allreduce";
        }
        return value == null && "train.embedding-optimizer".equals(key) ? "adam" : value;
    }

    private static final java.util.Set<String> CREDENTIAL_WORDS = java.util.Set.of("key", "accountkey", "accesskey",
            "secret", "secretkey", "password", "passwd", "token", "sas", "credential", "credentials");

    /**
     * True for configuration keys whose values are credentials: a word of the key (split at '.', '_',
     * '-' and camelCase) is key, secret, password, token, sas or credential(s); providers and types
     * (class names) are not.
     */
    public static boolean isCredential(String key) {
        String lower = key.toLowerCase(java.util.Locale.ROOT);
        if (lower.endsWith("provider") || lower.endsWith(".type") || lower.endsWith("provider.type")) {
            return false;
        }
        for (String word : key.split("[._\\-]|(?<=[a-z0-9])(?=[A-Z])")) {
            if (CREDENTIAL_WORDS.contains(word.toLowerCase(java.util.Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    private static void redact(JsonNode section) {
        if (section instanceof ObjectNode obj) {
            List<String> names = new java.util.ArrayList<>();
            obj.fieldNames().forEachRemaining(names::add);
            for (String n : names) {
                if (isCredential(n)) {
                    obj.put(n, "<redacted>");
                }
            }
        }
    }
}
