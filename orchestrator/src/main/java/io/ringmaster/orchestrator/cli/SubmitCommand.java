package io.ringmaster.orchestrator.cli;

import io.ringmaster.orchestrator.job.ClusterProfile;
import io.ringmaster.orchestrator.job.JobConfig;
import io.ringmaster.orchestrator.run.TrainJob;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "submit", mixinStandardHelpOptions = true,
        description = "Run a training job on a Spark cluster: the driver runs here (client mode) and ships this jar"
                + " to the executors; --dry-run prints the equivalent spark-submit command instead. --master local[N]"
                + " runs embedded.")
final class SubmitCommand implements Callable<Integer> {

    @Option(names = "--master", required = true,
            description = "Spark master URL (spark://host:7077, yarn, k8s://..., local[N]).")
    String master;

    @Option(names = "--cluster", description = "Cluster profile (see `ringmaster profiles`) or profile file.")
    String cluster;

    @Option(names = "--dry-run", description = "Print the spark-submit command and exit.")
    boolean dryRun;

    @Option(names = "--set", description = "Override any job key: --set workers=8")
    List<String> sets = new ArrayList<>();

    @Parameters(index = "0", description = "The job file (YAML).")
    Path jobFile;

    @Override
    public Integer call() throws Exception {
        List<String> overrides = new ArrayList<>(sets);
        overrides.add(JobConfig.override("spark.master", master));
        if (cluster != null) {
            overrides.add(JobConfig.override("cluster", cluster));
        }
        JobConfig job = JobConfig.load(jobFile, overrides).validate();
        String jar = ownJar();
        if (dryRun) {
            System.out.println(String.join(" \\\n  ", sparkSubmit(job, jar)));
            return 0;
        }
        job = forCluster(job, master, jar, System.out);
        if (job.cluster() != null && ClusterProfile.load(job.cluster()).gpusPerExecutor > 0) {
            System.out.println("cluster profile " + job.cluster() + ": executors discover GPUs with "
                    + job.spark().conf().get("spark.executor.resource.gpu.discoveryScript")
                    + " (it must exist on every node; gpu-configs/discover-gpus.sh is the bundled one)");
        }
        TrainJob.run(job, System.out);
        return 0;
    }

    /**
     * The job as it runs on {@code master}: this jar shipped to the executors, and the driver bound to an
     * address they reach (said on {@code out}).
     */
    static JobConfig forCluster(JobConfig job, String master, String jar, java.io.PrintStream out) {
        if (jar != null && !master.startsWith("local")) {
            // the job is frozen: a copy (merging into its map threw, found when submitting from the jar)
            String jars = job.spark().conf().get("spark.jars");
            job = job.withSparkConf(Map.of("spark.jars", jars == null ? jar : jars + "," + jar));
        }
        String driverHost = driverAddress(master, job.spark().conf());
        if (driverHost != null) {
            // found across hosts: bin/ringmaster binds the driver to 127.0.0.1 (SPARK_LOCAL_IP) for embedded jobs,
            // where executors on other hosts cannot reach it
            job = job.withSparkConf(Map.of("spark.driver.host", driverHost, "spark.driver.bindAddress", driverHost));
            out.println("driver: executors reach it at " + driverHost + ", the address this machine uses towards the"
                    + " master (set spark.driver.host to choose another)");
        }
        return job;
    }

    /**
     * For a standalone master ({@code spark://host:port}) when the job does not set spark.driver.host: the
     * local address this machine sends from towards the master, so that executors on other hosts reach the
     * driver. Null otherwise (other masters, or no route).
     */
    static String driverAddress(String master, Map<String, String> conf) {
        if (!master.startsWith("spark://") || conf.containsKey("spark.driver.host")) {
            return null;
        }
        String first = master.substring("spark://".length()).split(",")[0];
        int colon = first.lastIndexOf(':');
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket()) {
            probe.connect(new java.net.InetSocketAddress(colon > 0 ? first.substring(0, colon) : first,
                    colon > 0 ? Integer.parseInt(first.substring(colon + 1)) : 7077)); // no packet is sent
            java.net.InetAddress local = probe.getLocalAddress();
            return local == null || local.isAnyLocalAddress() ? null : local.getHostAddress();
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    /** The jar this command runs from, or null when running from classes (tests). */
    static String ownJar() {
        try {
            File f = new File(SubmitCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return f.isFile() && f.getName().endsWith(".jar") ? f.getAbsolutePath() : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** spark-submit running this jar's {@code train} in cluster terms, credentials redacted. */
    static List<String> sparkSubmit(JobConfig job, String jar) {
        List<String> cmd = new ArrayList<>();
        String home = System.getenv("SPARK_HOME");
        cmd.add(home != null ? home + "/bin/spark-submit" : "spark-submit");
        cmd.add("--master " + job.sparkMaster());
        cmd.add("--class io.ringmaster.orchestrator.cli.RingmasterCli");
        cmd.add("--conf spark.executorEnv.OMP_NUM_THREADS=1");
        String opens = String.join(" ", io.ringmaster.orchestrator.spark.JvmFlags.moduleFlags());
        if (!opens.isEmpty()) {
            cmd.add("--driver-java-options '" + opens + "'");
            if (!job.spark().conf().containsKey("spark.executor.extraJavaOptions")) {
                cmd.add("--conf 'spark.executor.extraJavaOptions=" + opens + "'");
            }
        }
        for (Map.Entry<String, String> e : job.spark().conf().entrySet()) {
            String v = JobConfig.isCredential(e.getKey()) ? "<redacted>" : e.getValue();
            cmd.add("--conf '" + e.getKey() + "=" + v.replace("'", "'\\''") + "'");
        }
        String script = job.spark().conf().get("spark.executor.resource.gpu.discoveryScript");
        if ("discover-gpus.sh".equals(script)) {
            cmd.add("--files gpu-configs/discover-gpus.sh");
        }
        cmd.add(jar != null ? jar : "orchestrator/target/ringmaster.jar");
        cmd.add("train --config job.yaml" + (job.cluster() != null ? " --set cluster=" + job.cluster() : "")
                + " --set spark.master=" + job.sparkMaster());
        return cmd;
    }
}
