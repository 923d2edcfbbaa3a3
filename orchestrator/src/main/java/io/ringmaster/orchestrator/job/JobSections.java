package io.ringmaster.orchestrator.job;

import com.fasterxml.jackson.annotation.JsonMerge;
import com.fasterxml.jackson.annotation.OptBoolean;
import io.ringmaster.data.loader.NullPolicy;
import io.ringmaster.workers.model.EmbeddingOptimizer;
import io.ringmaster.workers.ring.Compression;
import io.ringmaster.workers.ring.Integrity;
import io.ringmaster.workers.ring.Transport;
import io.ringmaster.workers.train.EmbeddingExchange;
import io.ringmaster.workers.train.EngineKind;
import io.ringmaster.workers.train.FaultInjection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sections of a job file ({@link JobConfig}), each key with its default (docs/job-file.md). Choices
 * are their enums, bound by {@link JobChoices}.
 */
public final class JobSections {

    private JobSections() {
    }

    public static final class Model {
        /** The model family ({@link ModelTypes}); its settings follow. */
        String type = ModelTypes.DEFAULT;
        /** GMF embedding width. */
        int factors = 8;
        /** MLP widths: [concatenated embedding, dense layer widths...]. */
        @JsonMerge(OptBoolean.FALSE)
        List<Integer> layers = List.of(64, 32, 16, 8);

        public String type() { return type; }
        public int factors() { return factors; }
        public List<Integer> layers() { return layers; }
    }

    /** model.type als: Spark MLlib ALS with implicit feedback (each training interaction is one observation). */
    public static final class Als {
        /** Latent factors per user and item. */
        int rank = 16;
        /** L2 regularisation (MLlib's regParam). */
        double regParam = 0.05;
        /** Confidence of an observed interaction (implicit feedback). */
        double alpha = 20.0;
        /** Alternating least-squares sweeps (MLlib's maxIter). */
        int iterations = 10;

        public int rank() { return rank; }
        public double regParam() { return regParam; }
        public double alpha() { return alpha; }
        public int iterations() { return iterations; }
    }

    /**
     * model.type item2vec: Spark MLlib Word2Vec over each user's items in time order; a user is scored by the
     * similarity of an item to the user's most recent items.
     */
    public static final class Item2Vec {
        /** Vector size. */
        int vectorSize = 32;
        /** Context window (items either side): a user's history is context, not a sentence of words. */
        int window = 20;
        /** Items seen fewer times are left out (they score 0). */
        int minCount = 1;
        /** Passes over the sequences; at most partitions (MLlib's Word2Vec requires it). */
        int iterations = 10;
        /** Partitions Word2Vec trains in. */
        int partitions = 10;
        /** Word2Vec's initial learning rate (MLlib's stepSize). */
        double learningRate = 0.05;
        /** A user's most recent training items that make up the user's vector. */
        int recent = 10;

        public int vectorSize() { return vectorSize; }
        public int window() { return window; }
        public int minCount() { return minCount; }
        public int iterations() { return iterations; }
        public int partitions() { return partitions; }
        public double learningRate() { return learningRate; }
        public int recent() { return recent; }
    }

    /** model.type svd: truncated SVD of the (user x item) interaction matrix, RowMatrix.computeSVD. */
    public static final class Svd {
        /** Singular values kept. */
        int k = 32;

        public int k() { return k; }
    }

    public static final class Train {
        int epochs = 20;
        /** Examples per optimiser step (global, across all workers). */
        int batchSize = 256;
        double learningRate = 0.001;
        /** Sampled negatives per positive interaction, per epoch. */
        int negatives = 4;
        long seed = 42;
        /**
         * fused (fast CPU kernel) or dl4j (DL4J graph on the loaded ND4J backend); default fused for the
         * allreduce strategy, dl4j (the only choice) for DL4J's training masters.
         */
        EngineKind engine;
        /** BLAS threads per worker. */
        int threads = 1;
        /**
         * How Adam updates embedding tables: adam (every row every step, DL4J's arithmetic; the default) or
         * lazy-adam (only the rows a step touched, as PyTorch's SparseAdam; the fused engine only).
         */
        EmbeddingOptimizer embeddingOptimizer;

        public int epochs() { return epochs; }
        public int batchSize() { return batchSize; }
        public double learningRate() { return learningRate; }
        public int negatives() { return negatives; }
        public long seed() { return seed; }
        public EngineKind engine() { return engine; }
        public int threads() { return threads; }
        public EmbeddingOptimizer embeddingOptimizer() { return embeddingOptimizer; }
    }

    public static final class Eval {
        /** The cut-off K of the ranking figures. */
        int k = 10;
        /** The figure that picks the best epoch (hr, ndcg or map). */
        String select = "hr";

        public int k() { return k; }
        public String select() { return select; }
    }

    public static final class Run {
        /** Parent directory of run directories (any Hadoop URI). */
        String dir = "runs";
        /** Run id; generated from the time when absent. */
        String id;
        /**
         * Seconds between progress lines while the gang trains (steps, samples/s, ETA; fed by the executors'
         * heartbeats, so at most as often as spark.executor.heartbeatInterval, 10 s by default); 0: none.
         */
        int progressSeconds = 10;

        public String dir() { return dir; }
        public String id() { return id; }
        public int progressSeconds() { return progressSeconds; }
    }

    public static final class Trace {
        /**
         * Each rank records its steps' phases, evaluations and checkpoints; the run directory gets a Chrome
         * trace (timeline.json, rank = thread) for chrome://tracing or Perfetto. Ring strategy only.
         */
        boolean timeline;

        public boolean timeline() { return timeline; }
    }

    public static final class Spark {
        /** Spark master; default local[workers] (embedded). */
        String master;
        /** Extra Spark configuration. */
        Map<String, String> conf = new LinkedHashMap<>();

        public String master() { return master; }
        public Map<String, String> conf() { return conf; }
    }

    public static final class AllReduce {
        /** Wire format of gradients: none (fp32) or fp16 (half the bytes, lossy). */
        Compression compression = Compression.NONE;
        /** Seconds a ring transfer may stall before the peer is declared dead or hung. */
        int timeout = 120;
        /** Seconds to wait for the ring to connect after rendezvous. */
        int connectTimeout = 60;
        /** Size of each pipelined chunk (and of each rank's shared memory slot), KiB. */
        int chunkKb = 1024;
        /** How embedding tables' gradients are summed: auto, sparse (touched rows) or dense (whole tables). */
        EmbeddingExchange embeddings = EmbeddingExchange.AUTO;
        /** What carries the collectives: auto (shared memory between ranks on one host, else TCP), tcp, shm. */
        Transport transport = Transport.AUTO;
        /**
         * Whether the ring's messages are sealed (AES-GCM records keyed from the job secret per connection): auto
         * (when the ranks are on more than one host), on, off.
         */
        Integrity integrity = Integrity.AUTO;

        public Compression compression() { return compression; }
        public int timeout() { return timeout; }
        public int connectTimeout() { return connectTimeout; }
        public int chunkKb() { return chunkKb; }
        public EmbeddingExchange embeddings() { return embeddings; }
        public Transport transport() { return transport; }
        public Integrity integrity() { return integrity; }
    }

    public static final class Loader {
        /** stream (Parquet row-group shards, the default) or memory (every rank samples the whole epoch). */
        LoaderMode mode = LoaderMode.STREAM;
        /** Training Parquet for stream mode; default: the dataset's train.parquet. */
        String data;
        /** Row groups whose rows are shuffled together. */
        int shuffleGroups = 8;
        /** Row groups decoded ahead on a background thread. */
        int prefetchGroups = 4;
        /** reject or skip rows with nulls. */
        NullPolicy nulls = NullPolicy.REJECT;

        public LoaderMode mode() { return mode; }
        public String data() { return data; }
        public int shuffleGroups() { return shuffleGroups; }
        public int prefetchGroups() { return prefetchGroups; }
        public NullPolicy nulls() { return nulls; }
    }

    public static final class Checkpoint {
        /** Checkpoint every N global steps (0: not by steps). */
        int everySteps = 0;
        /** Checkpoint every N epochs (0: not by epochs); the end of training always gets one. */
        int everyEpochs = 1;
        /** Newest checkpoints kept. */
        int keep = 3;

        public int everySteps() { return everySteps; }
        public int everyEpochs() { return everyEpochs; }
        public int keep() { return keep; }
    }

    public static final class Retry {
        /** Gang launches before the job fails: a failed gang is relaunched from the newest checkpoint. */
        int maxAttempts = 3;
        /**
         * Seconds a relaunch waits for task slots for the whole gang; with fewer than {@code workers} (but at least
         * {@code workers-min}) by then, it continues with the slots there are.
         */
        int waitForSlots = 120;

        public int maxAttempts() { return maxAttempts; }
        public int waitForSlots() { return waitForSlots; }
    }

    /** strategy: parameter-server (DL4J SharedTrainingMaster, threshold-encoded gradient sharing over Aeron UDP). */
    public static final class ParameterServer {
        /** UDP ports the driver's and each executor's transport may bind: "first-last" or one port. */
        String ports = "40100-40199";
        /** Address executors reach the driver's parameter server on; default: spark.driver.host. */
        String masterAddress;
        /** Initial threshold of DL4J's adaptive threshold encoding of gradient updates. */
        double threshold = 1e-3;
        /**
         * Seconds without a new finished minibatch, job or task before the watchdog cancels the epoch and the
         * attempt fails (then retry.* relaunches it from the newest checkpoint).
         */
        int stallTimeout = 120;
        /** Seconds each worker gets to reach the master (a UDP echo) before training starts. */
        int connectTimeout = 10;
        /**
         * Training threads in each JVM's parameter-server client. DL4J runs one client per JVM, fed by every
         * task of that JVM; with more than one it trains through its ParallelWrapper, sharing encoded
         * updates between the threads too (on local[2] here: 10-17k samples/s with 2, 13-24k with 1).
         */
        int trainersPerExecutor = 1;

        public String ports() { return ports; }
        public String masterAddress() { return masterAddress; }
        public double threshold() { return threshold; }
        public int stallTimeout() { return stallTimeout; }
        public int connectTimeout() { return connectTimeout; }
        public int trainersPerExecutor() { return trainersPerExecutor; }
    }

    /** strategy: averaging (DL4J ParameterAveragingTrainingMaster). */
    public static final class Averaging {
        /** Minibatches each worker trains between two averages of parameters and updater state. */
        int frequency = 5;
        /**
         * Seconds without a new finished minibatch, job or task before the watchdog cancels the epoch and the
         * attempt fails (then retry.* relaunches it from the newest checkpoint).
         */
        int stallTimeout = 120;

        public int frequency() { return frequency; }
        public int stallTimeout() { return stallTimeout; }
    }

    /**
     * A deliberate failure, for tests: with the ring that rank throws just before that global step; with
     * DL4J's strategies its batches stop coming at that step, as from a hung worker, until the watchdog
     * cancels the epoch. The first attempt only.
     */
    public static final class Fault {
        /** Rank that fails on purpose. */
        int killRank = -1;
        /** Global step (1-based) at which it fails. */
        long atStep = -1;
        /**
         * stop (the rank throws), exit (the rank halts its JVM) or tamper (the rank flips one byte of its next ring
         * message on the wire).
         */
        FaultInjection.Kind kind = FaultInjection.Kind.STOP;

        public int killRank() { return killRank; }
        public long atStep() { return atStep; }
        public FaultInjection.Kind kind() { return kind; }
    }
}
