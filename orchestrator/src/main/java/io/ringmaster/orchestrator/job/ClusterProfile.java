package io.ringmaster.orchestrator.job;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A named cluster profile from {@code gpu-configs/} (packaged in the jar) or a YAML file: the Spark
 * resource settings, ND4J backend settings, per-worker batch size and all-reduce settings that suit
 * one kind of cluster. A job selects one with {@code cluster: <name or file>}; the profile's values
 * are defaults the job file and {@code --set} override.
 */
public final class ClusterProfile {

    public static final List<String> BUILT_IN = List.of("local-cpu", "single-gpu", "4xV100-node", "8xA100-node",
            "8xH100-node");

    public String name;
    public String description;
    /** GPUs each executor has ({@code spark.executor.resource.gpu.amount}); 0 for CPU clusters. */
    public int gpusPerExecutor = 0;
    /** GPUs each gang task takes ({@code spark.task.resource.gpu.amount}). */
    public int gpusPerTask = 0;
    /** Executors (nodes) in the cluster, when fixed: bounds the gang size. */
    public Integer executors;
    /** Spark's GPU discovery script on the executors (default: the bundled discover-gpus.sh, shipped by submit). */
    public String discoveryScript;
    public Nd4j nd4j = new Nd4j();
    public Train train = new Train();
    public AllReduce allreduce;
    public Spark spark = new Spark();

    public static final class Nd4j {
        /** cpu or cuda: must match the jar (mvn -Pcuda builds the CUDA one). */
        public String backend = "cpu";
        /** Off-heap / device memory limit per executor JVM, GB (JavaCPP maxbytes). */
        public Double memoryLimitGb;
    }

    public static final class Train {
        public String engine;
        public Integer threads;
        /** Global batch = workers x this, unless the job sets train.batch-size. */
        public Integer batchSizePerWorker;
    }

    public static final class AllReduce {
        public String compression;
        public Integer chunkKb;
    }

    public static final class Spark {
        public Map<String, String> conf = new LinkedHashMap<>();
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** A built-in profile by name, or a profile file by path. */
    public static ClusterProfile load(String nameOrPath) {
        Path file = Path.of(nameOrPath);
        ClusterProfile p;
        String where;
        try {
            if (Files.isRegularFile(file)) {
                where = file.toString();
                try (InputStream in = Files.newInputStream(file)) {
                    p = YAML.readValue(in, ClusterProfile.class);
                }
            } else {
                where = "gpu-configs/" + nameOrPath + ".yaml";
                InputStream in = ClusterProfile.class.getClassLoader().getResourceAsStream(where);
                if (in == null) {
                    throw new JobConfigException("job: unknown cluster profile '" + nameOrPath + "'; built-in: "
                            + String.join(", ", BUILT_IN) + " (or give a profile file's path)");
                }
                try (in) {
                    p = YAML.readValue(in, ClusterProfile.class);
                }
            }
        } catch (UnrecognizedPropertyException e) {
            throw new JobConfigException("cluster profile " + nameOrPath + ": unknown key '" + e.getPropertyName()
                    + "'; known keys: " + e.getKnownPropertyIds().stream().map(Object::toString).sorted()
                    .collect(Collectors.joining(", ")), e);
        } catch (IOException e) {
            throw new JobConfigException("cluster profile " + nameOrPath + ": " + e.getMessage(), e);
        }
        return p.validate(where);
    }

    ClusterProfile validate(String where) {
        if (!"cpu".equals(nd4j.backend) && !"cuda".equals(nd4j.backend)) {
            throw new JobConfigException(where + ": nd4j.backend must be cpu or cuda, got '" + nd4j.backend + "'");
        }
        if (gpusPerExecutor < 0 || gpusPerTask < 0) {
            throw new JobConfigException(where + ": gpus-per-executor and gpus-per-task must be >= 0");
        }
        if (gpusPerTask > gpusPerExecutor) {
            throw new JobConfigException(where + ": gpus-per-task (" + gpusPerTask + ") is more than an executor has"
                    + " (gpus-per-executor " + gpusPerExecutor + "): no task could ever be scheduled");
        }
        if ("cuda".equals(nd4j.backend) && gpusPerTask == 0) {
            throw new JobConfigException(where + ": nd4j.backend cuda needs gpus-per-task >= 1");
        }
        if ("cpu".equals(nd4j.backend) && gpusPerExecutor > 0) {
            throw new JobConfigException(where + ": GPUs requested with nd4j.backend cpu; set nd4j.backend: cuda");
        }
        if ("cuda".equals(nd4j.backend) && "fused".equals(train.engine)) {
            throw new JobConfigException(where + ": train.engine fused is a CPU kernel; GPU profiles use dl4j");
        }
        return this;
    }

    /** The most workers this profile's cluster can run at once, or null when the executor count is open. */
    public Integer maxWorkers() {
        if (executors == null || gpusPerTask == 0) {
            return null;
        }
        return executors * (gpusPerExecutor / gpusPerTask);
    }

    /** Spark settings: the profile's, plus the GPU resource requests and ND4J memory limits. */
    public Map<String, String> sparkConf() {
        Map<String, String> c = new LinkedHashMap<>(spark.conf == null ? Map.of() : spark.conf);
        if (gpusPerExecutor > 0) {
            c.putIfAbsent("spark.executor.resource.gpu.amount", String.valueOf(gpusPerExecutor));
            c.putIfAbsent("spark.task.resource.gpu.amount", String.valueOf(gpusPerTask));
            c.putIfAbsent("spark.executor.resource.gpu.discoveryScript",
                    discoveryScript != null ? discoveryScript : "discover-gpus.sh");
        }
        if (nd4j.memoryLimitGb != null) {
            long bytes = (long) (nd4j.memoryLimitGb * (1L << 30));
            String opts = "-Dorg.bytedeco.javacpp.maxbytes=" + bytes + " -Dorg.bytedeco.javacpp.maxphysicalbytes="
                    + (bytes + (8L << 30));
            c.merge("spark.executor.extraJavaOptions", opts, (a, b) -> a + " " + b);
        }
        return c;
    }

    /**
     * Makes this profile's settings the defaults of {@code job}; its engine, BLAS threads and all-reduce
     * settings only when {@code ring} (the job trains with Ringmaster's ring, not a DL4J training master).
     */
    void applyTo(JobConfig job, boolean ring) {
        job.cluster = name;
        if (ring) {
            if (train.engine != null) {
                job.train.engine = io.ringmaster.workers.train.EngineKind.parse(train.engine);
            }
            if (train.threads != null) {
                job.train.threads = train.threads;
            }
            if (allreduce != null && allreduce.compression != null) {
                job.allreduce.compression = io.ringmaster.workers.ring.Compression.parse(allreduce.compression);
            }
            if (allreduce != null && allreduce.chunkKb != null) {
                job.allreduce.chunkKb = allreduce.chunkKb;
            }
        }
        job.spark.conf.putAll(sparkConf());
    }

    /** One line per built-in profile, for {@code ringmaster profiles}. */
    public static List<String> describeBuiltIns() {
        List<String> lines = new ArrayList<>();
        for (String n : BUILT_IN) {
            ClusterProfile p = load(n);
            lines.add(String.format("%-12s %-5s %s", n, p.gpusPerExecutor == 0 ? "cpu"
                    : p.gpusPerExecutor + " GPU", p.description));
        }
        return lines;
    }
}
