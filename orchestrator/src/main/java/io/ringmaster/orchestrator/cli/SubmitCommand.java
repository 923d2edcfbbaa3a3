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
        if (jar != null && !master.startsWith("local")) {
            job.spark().conf().merge("spark.jars", jar, (a, b) -> a + "," + b);
        }
        if (job.cluster() != null && ClusterProfile.load(job.cluster()).gpusPerExecutor > 0) {
            System.out.println("cluster profile " + job.cluster() + ": executors discover GPUs with "
                    + job.spark().conf().get("spark.executor.resource.gpu.discoveryScript")
                    + " (it must exist on every node; gpu-configs/discover-gpus.sh is the bundled one)");
        }
        TrainJob.run(job, System.out);
        return 0;
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
