package io.ringmaster.orchestrator.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.data.SyntheticDataset;
import io.ringmaster.orchestrator.spark.JvmFlags;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training across hosts (issue 18): three hosts, each a network namespace with its own address and a
 * 1 Gbit/s link; a Spark standalone master on host 0 and a worker on every host, all JVMs started from the
 * test classpath; {@code ringmaster submit} runs the driver on host 0. Ring jobs of 2 and 3 workers and a
 * parameter-server job train, and each names its workers' addresses, every one a different host; a lost host
 * is named and the gang relaunched, or continued smaller ({@code workers-min}). Spark's own authentication and
 * network encryption are on throughout ({@code spark.authenticate}, {@code spark.network.crypto.enabled}). Opt-in:
 * {@code mvn -Phosts test -pl orchestrator} (needs root); skipped where namespaces cannot be made.
 */
@Tag("hosts")
class StandaloneHostsTest {

    static final String MASTER = "spark://10.77.0.10:7077";
    /**
     * Spark's own security, on for the whole cluster: every daemon, driver and executor authenticates with
     * this secret (standalone mode shares one secret) and encrypts its RPC and block transfers.
     */
    static final String SPARK_SECRET = java.util.HexFormat.of().formatHex(io.ringmaster.workers.ring.RingAuth
            .newSecret());
    static final List<String> SPARK_SECURITY = List.of("spark.authenticate=true",
            "spark.authenticate.secret=" + SPARK_SECRET, "spark.network.crypto.enabled=true");

    @TempDir
    static Path dir;
    static Path LOG;
    static NetnsCluster hosts;
    static String data;
    static String lossData;

    private static String dataset(String name, int users, int items) throws Exception {
        SyntheticDataset.Result r = SyntheticDataset.generate(new SyntheticDataset.Params(users, items, 20, 8, 0.8,
                2.5, 5, 20));
        String where = dir.resolve(name).toString();
        DatasetStore.write(Storage.configuration(), where, r.dataset(), r.source(), r.split(), false);
        return where;
    }

    @BeforeAll
    static void cluster() throws Exception {
        LOG = dir.resolve("cluster.log");
        Assumptions.assumeTrue(NetnsCluster.permitted(),
                "network namespaces cannot be made here (needs root / CAP_NET_ADMIN): the hosts tests are skipped");
        hosts = NetnsCluster.up(NetnsCluster.script(Path.of(System.getProperty("user.dir"))), "rmsa", 3, 1);
        hosts.start(0, java(hosts.address(0), "-Xmx512m", "org.apache.spark.deploy.master.Master", "--host",
                hosts.address(0), "--port", "7077", "--webui-port", "8080"), LOG.toFile());
        for (int h = 0; h < 3; h++) {
            startWorker(h);
        }
        awaitWorkers(3);

        data = dataset("data", 150, 100);
        // enough test users that best HR@10 is stable to about 0.002 between gang sizes (measured: 3 and 2
        // workers on local Spark, 0.6103 and 0.6087)
        lossData = dataset("loss-data", 3000, 400);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (hosts != null) {
            hosts.close();
            assertEquals(List.of(), hosts.namespaces(), "namespaces left behind");
        }
    }

    @Test
    void ringJobsOfTwoAndThreeWorkersTrainWithEveryRankOnAnotherHost() throws Exception {
        for (int workers : new int[] {2, 3}) {
            JsonNode summary = submit("ring-" + workers, workers);
            assertEquals(workers, distinctHosts(summary), summary.toString());
            // across hosts the ring seals its messages by default (allreduce.integrity: auto)
            String metrics = Files.readString(dir.resolve("runs").resolve("ring-" + workers).resolve("metrics.jsonl"));
            assertTrue(metrics.contains("\"transport\":\"tcp ring, sealed\""), metrics);
        }
    }

    @Test
    void aParameterServerJobTrainsWithItsWorkersOnOtherHosts() throws Exception {
        JsonNode summary = submit("ps", 2, "strategy=parameter-server", "parameter-server.stall-timeout=60");
        assertEquals(2, distinctHosts(summary), summary.toString());
    }

    @Test
    void aLostHostIsNamedAndTheGangRelaunchesWhenAReplacementRegistersOrContinuesSmallerWithWorkersMin()
            throws Exception {
        String[] job = {io.ringmaster.orchestrator.job.JobConfig.override("data", lossData), "train.epochs=6",
            "train.batch-size=600", "train.learning-rate=0.005", "checkpoint.every-steps=100", "allreduce.timeout=20"};
        JsonNode reference = submit("whole", 3, job);
        double hr = reference.get("bestHr").asDouble();

        // every process of host 2 killed mid-epoch 2; a replacement worker registers there: a gang of 3 again
        JsonNode relaunched = submitAndLoseHost2("relaunched", job, true);
        String console = relaunched.get("console").asText();
        assertTrue(java.util.regex.Pattern.compile("attempt 1 of 3 failed: rank \\d on 10\\.77\\.0\\.12 ")
                .matcher(console).find(), "the lost host is named: " + console);
        assertEquals(2, relaunched.get("attempts").asInt(), console);
        assertEquals(0, relaunched.get("gangChanges").size(), console);
        assertEquals(3, distinctHosts(relaunched), console);
        assertEquals(hr, relaunched.get("bestHr").asDouble(), 0.01, console);
        assertEquals(reference.get("paramsSha256").asText(), relaunched.get("paramsSha256").asText(),
                "a relaunch with the whole gang from a mid-epoch checkpoint is bit-identical: " + console);

        // lost again, and nothing replaces it: workers-min 2 continues with two from the epoch-end checkpoint
        List<String> smaller = new ArrayList<>(List.of(job));
        smaller.addAll(List.of("workers-min=2", "retry.wait-for-slots=15"));
        JsonNode shrunk = submitAndLoseHost2("shrunk", smaller.toArray(String[]::new), false);
        console = shrunk.get("console").asText();
        assertEquals(2, shrunk.get("attempts").asInt(), console);
        assertEquals(1, shrunk.get("gangChanges").size(), console);
        assertTrue(shrunk.get("gangChanges").get(0).asText().startsWith("attempt 2: a gang of 2 instead of 3"),
                console);
        assertTrue(console.contains("continuing from checkpoint step") && console.contains("step 0 of it)"), console);
        assertEquals(2, distinctHosts(shrunk), console);
        System.out.printf("host loss: best HR@10 uninterrupted %.4f, relaunched with 3 %.4f, continued with 2 %.4f%n",
                hr, relaunched.get("bestHr").asDouble(), shrunk.get("bestHr").asDouble());
        assertEquals(hr, shrunk.get("bestHr").asDouble(), 0.01, console);

        startWorker(2); // the cluster as the other tests expect it
        awaitWorkers(3);
    }

    @Test
    void aHostCutOffFromTheNetworkIsNamedWithinTheTimeoutAndTheGangGoesOnWithout() throws Exception {
        String[] job = {io.ringmaster.orchestrator.job.JobConfig.override("data", lossData), "train.epochs=4",
            "train.batch-size=600", "train.learning-rate=0.005", "checkpoint.every-steps=100", "allreduce.timeout=10",
            "workers-min=2", "retry.wait-for-slots=30"};
        java.util.concurrent.atomic.AtomicLong cut = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong failedAfter = new java.util.concurrent.atomic.AtomicLong();
        JsonNode s;
        try {
            s = submit("cut-off", 3, line -> {
                if (line.startsWith("epoch   1 ") && cut.get() == 0) {
                    Thread.sleep(1500);
                    hosts.link(2, false); // processes alive, unreachable: as a pulled cable or a dead switch port
                    cut.set(System.nanoTime());
                }
                if (line.startsWith("attempt 1 of ") && failedAfter.get() == 0) {
                    failedAfter.set(System.nanoTime() - cut.get());
                }
            }, job);
        } finally {
            hosts.link(2, true);
        }
        String console = s.get("console").asText();
        System.out.printf("cut-off host: the attempt failed %.1f s after the link went down%n",
                failedAfter.get() / 1e9);
        console.lines().filter(l -> l.startsWith("attempt 1 of") || l.startsWith("continuing with")
                || l.startsWith("rank ")).forEach(System.out::println);
        assertTrue(console.contains("10.77.0.12"), "the unreachable host is named: " + console);
        assertTrue(failedAfter.get() > 0 && failedAfter.get() < 25e9, "failed " + failedAfter.get() / 1e9
                + " s after the cut (allreduce.timeout 10 s): " + console);
        assertEquals(2, distinctHosts(s), console);
        // the cut-off worker's JVMs are still alive: stop them so the cluster is as the other tests expect it
        hosts.killAll(2);
        startWorker(2);
        awaitWorkers(3);
    }

    /**
     * Submits a 3-worker job and, once epoch 1 has been reported and a few steps of epoch 2 have passed, kills
     * every process of host 2 (its Spark worker and executor); with {@code replace}, starts a new worker there
     * once the driver reports the failed attempt. The summary, with the console as "console".
     */
    private static JsonNode submitAndLoseHost2(String runId, String[] job, boolean replace) throws Exception {
        java.util.concurrent.atomic.AtomicBoolean killed = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicBoolean replaced = new java.util.concurrent.atomic.AtomicBoolean();
        return submit(runId, 3, line -> {
            if (line.startsWith("epoch   1 ") && !killed.getAndSet(true)) {
                Thread.sleep(1500);
                assertTrue(hosts.killAll(2) > 0, "nothing ran on host 2");
            }
            if (replace && line.startsWith("attempt 1 of ") && !replaced.getAndSet(true)) {
                startWorker(2);
            }
        }, job);
    }

    private static void startWorker(int h) throws Exception {
        Path work = Files.createDirectories(dir.resolve("worker-" + h + "-" + System.nanoTime()));
        hosts.start(h, java(hosts.address(h), "-Xmx512m", "org.apache.spark.deploy.worker.Worker", "--host",
                hosts.address(h), "--cores", "1", "--memory", "2g", "--work-dir", work.toString(), MASTER),
                LOG.toFile());
    }

    private static void awaitWorkers(int n) throws Exception {
        Process wait = hosts.start(0, java(hosts.address(0), "-Xmx64m", LinkProbe.class.getName(), "wait-http",
                "http://10.77.0.10:8080/json/", "\"aliveworkers\":" + n, "120"));
        String said = new String(wait.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(wait.waitFor(150, TimeUnit.SECONDS) && wait.exitValue() == 0, said + "\n" + tail(LOG.toFile()));
    }

    private static long distinctHosts(JsonNode summary) {
        Set<String> seen = new HashSet<>();
        for (JsonNode h : summary.path("workerHosts")) {
            assertTrue(h.asText().startsWith("10.77.0."), "worker on " + h.asText() + ", not one of the hosts");
            seen.add(h.asText().replaceAll(":\\d+$", ""));
        }
        return seen.size();
    }

    private interface LineWatcher {
        void saw(String line) throws Exception;
    }

    private static JsonNode submit(String runId, int workers, String... sets) throws Exception {
        return submit(runId, workers, line -> { }, sets);
    }

    /**
     * {@code ringmaster submit} on host 0 with a short job of {@code workers} workers ({@code sets}: --set
     * overrides), each console line shown to {@code watcher} as it comes;
     * the summary, with the console as "console".
     */
    private static JsonNode submit(String runId, int workers, LineWatcher watcher, String... sets) throws Exception {
        Path job = dir.resolve(runId + ".yaml");
        List<String> lines = new ArrayList<>(List.of(
                "data: " + data,
                "workers: " + workers,
                "train:",
                "  epochs: 1",
                "  batch-size: 120",
                "run:",
                "  dir: " + dir.resolve("runs"),
                "  id: " + runId,
                "spark:",
                "  conf:",
                "    spark.executor.cores: '1'",
                "    spark.executor.memory: 1g",
                "    spark.executor.extraClassPath: '" + System.getProperty("java.class.path") + "'",
                "    spark.executor.extraJavaOptions: '" + String.join(" ", JvmFlags.moduleFlags()) + "'",
                "    spark.local.dir: '" + dir.resolve("spark-local") + "'"));
        for (String p : SPARK_SECURITY) {
            lines.add("    " + p.substring(0, p.indexOf('=')) + ": '" + p.substring(p.indexOf('=') + 1) + "'");
        }
        Files.writeString(job, String.join("\n", lines) + "\n");
        File out = dir.resolve(runId + ".out").toFile();
        List<String> args = new ArrayList<>(List.of("submit", "--master", MASTER, "--cluster", "local-cpu"));
        for (String s : sets) {
            args.addAll(List.of("--set", s));
        }
        args.add(job.toString());
        // bound to loopback as bin/ringmaster binds embedded jobs: submit must pick the address executors reach
        Process driver = hosts.start(0, java("127.0.0.1", "-Xmx1g", "io.ringmaster.orchestrator.cli.RingmasterCli",
                args.toArray(String[]::new)), out);
        StringBuilder shown = new StringBuilder();
        try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(
                driver.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                shown.append(line).append('\n');
                watcher.saw(line);
            }
        }
        String console = shown.toString();
        boolean ended = driver.waitFor(300, TimeUnit.SECONDS);
        String said = console + "\n" + tail(out);
        assertTrue(ended && driver.exitValue() == 0, said);
        assertTrue(console.contains(workers + " workers on Spark " + MASTER), said);
        assertTrue(console.contains("driver: executors reach it at 10.77.0.10,"), said);
        JsonNode summary = new ObjectMapper().readTree(dir.resolve("runs").resolve(runId).resolve("summary.json")
                .toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) summary).put("console", console);
        return summary;
    }

    /** A JVM on a host: this test's Java and classpath, Spark's module flags, Spark bound to that address. */
    private static List<String> java(String address, String heap, String mainClass, String... args) {
        List<String> cmd = new ArrayList<>(List.of("env", "SPARK_LOCAL_IP=" + address,
                ProcessHandle.current().info().command().orElse("java"), heap));
        cmd.addAll(JvmFlags.moduleFlags());
        if (mainClass.startsWith("org.apache.spark.deploy.")) {
            SPARK_SECURITY.forEach(p -> cmd.add("-D" + p));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static String tail(File f) throws java.io.IOException {
        if (!f.exists()) {
            return "";
        }
        String s = Files.readString(f.toPath());
        return s.substring(Math.max(0, s.length() - 6000));
    }
}
