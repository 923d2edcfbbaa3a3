package io.ringmaster.orchestrator.job;

import com.fasterxml.jackson.annotation.JsonMerge;
import com.fasterxml.jackson.annotation.OptBoolean;
import io.ringmaster.data.loader.NullPolicy;
import io.ringmaster.workers.model.EmbeddingOptimizer;
import io.ringmaster.workers.ring.Compression;
import io.ringmaster.workers.ring.Transport;
import io.ringmaster.workers.train.EmbeddingExchange;
import io.ringmaster.workers.train.EngineKind;
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
        public EngineKind engine;
        /** BLAS threads per worker. */
        public int threads = 1;
        /**
         * How Adam updates embedding tables: adam (every row every step, DL4J's arithmetic; the default) or
         * lazy-adam (only the rows a step touched, as PyTorch's SparseAdam; the fused engine only).
         */
        public EmbeddingOptimizer embeddingOptimizer;
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
        public Compression compression = Compression.NONE;
        /** Seconds a ring transfer may stall before the peer is declared dead or hung. */
        public int timeout = 120;
        /** Seconds to wait for the ring to connect after rendezvous. */
        public int connectTimeout = 60;
        /** Size of each pipelined chunk (and of each rank's shared memory slot), KiB. */
        public int chunkKb = 1024;
        /** How embedding tables' gradients are summed: auto, sparse (touched rows) or dense (whole tables). */
        public EmbeddingExchange embeddings = EmbeddingExchange.AUTO;
        /** What carries the collectives: auto (shared memory between ranks on one host, else TCP), tcp, shm. */
        public Transport transport = Transport.AUTO;
    }

    public static final class Loader {
        /** stream (Parquet row-group shards, the default) or memory (every rank samples the whole epoch). */
        public LoaderMode mode = LoaderMode.STREAM;
        /** Training Parquet for stream mode; default: the dataset's train.parquet. */
        public String data;
        /** Row groups whose rows are shuffled together. */
        public int shuffleGroups = 8;
        /** Row groups decoded ahead on a background thread. */
        public int prefetchGroups = 4;
        /** reject or skip rows with nulls. */
        public NullPolicy nulls = NullPolicy.REJECT;
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
        /** Address executors reach the driver's parameter server on; default: spark.driver.host. */
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
}
