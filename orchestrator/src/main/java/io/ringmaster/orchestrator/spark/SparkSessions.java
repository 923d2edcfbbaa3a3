package io.ringmaster.orchestrator.spark;

import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** Builds the driver's Spark session: embedded {@code local[N]} by default, or the given master. */
public final class SparkSessions {

    private SparkSessions() {
    }

    public static SparkSession create(String master, String appName, Map<String, String> conf) {
        SparkSession.Builder b = SparkSession.builder()
                .appName(appName)
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false");
        boolean running = SparkSession.getActiveSession().isDefined()
                && !SparkSession.getActiveSession().get().sparkContext().isStopped();
        if (master != null && !running) {
            b.master(master);
        }
        String localDir = System.getProperty("spark.local.dir");
        if (localDir != null) {
            b.config("spark.local.dir", localDir);
        }
        conf.forEach(b::config);
        return b.getOrCreate();
    }

    /** True for a local master ({@code local}, {@code local[N]}): its one executor is the driver's own JVM. */
    public static boolean executorIsDriverJvm(org.apache.spark.SparkContext sc) {
        return sc.master().equals("local") || sc.master().startsWith("local[");
    }

    /**
     * Spark settings for a {@code local-cluster} master's executor JVMs: this JVM's classpath, Spark's
     * module flags and temporary directory, one ND4J thread each, and {@code localDir} for Spark's files.
     */
    public static Map<String, String> localClusterExecutorConf(java.nio.file.Path localDir) {
        Map<String, String> conf = new java.util.LinkedHashMap<>();
        conf.put("spark.executor.extraClassPath", System.getProperty("java.class.path"));
        conf.put("spark.executor.extraJavaOptions", String.join(" ", JvmFlags.moduleFlags()) + " -Djava.io.tmpdir="
                + System.getProperty("java.io.tmpdir"));
        conf.put("spark.executorEnv.OMP_NUM_THREADS", "1");
        conf.put("spark.local.dir", localDir.toString());
        return conf;
    }

    /**
     * Spark settings that let a {@code local-cluster[N,C,MB]} master start its executor JVMs from this
     * JVM's classpath (the fat jar), as Spark's own test builds do, or an empty map when the user or the
     * environment already set that up ({@code $SPARK_HOME}, {@code spark.test.home}, or
     * {@code spark.executor.extraClassPath} in {@code conf}). Spark's launcher wants a Spark home with
     * a few folders; an empty one under {@code home} serves, and this JVM's Spark is pointed at it.
     */
    public static Map<String, String> localClusterSetUp(String master, Map<String, String> conf,
                                                        java.nio.file.Path home) throws java.io.IOException {
        if (master == null || !master.startsWith("local-cluster") || conf.containsKey("spark.executor.extraClassPath")
                || System.getenv("SPARK_HOME") != null || System.getProperty("spark.test.home") != null) {
            return Map.of();
        }
        java.nio.file.Files.createDirectories(home.resolve("jars"));
        java.nio.file.Files.createDirectories(home.resolve("launcher/target/scala-2.12")); // the launcher's Scala
        // a local-cluster worker reads spark.test.home (in testing mode) or $SPARK_HOME, which a running JVM
        // cannot set for itself
        System.setProperty("spark.testing", "true");
        System.setProperty("spark.test.home", home.toString());
        return localClusterExecutorConf(home.resolve("local"));
    }

    /**
     * True when no usable session is active or default, so one created now is the caller's to stop (a stopped
     * session left behind in this thread is nobody's).
     */
    public static boolean noneInUse() {
        return !usable(SparkSession.getDefaultSession()) && !usable(SparkSession.getActiveSession());
    }

    private static boolean usable(scala.Option<SparkSession> session) {
        return session.isDefined() && !session.get().sparkContext().isStopped();
    }

    /** Stops {@code spark} and clears it as this thread's active and default session. */
    public static void stop(SparkSession spark) {
        spark.stop();
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
    }

    /** A session for one command: created or joined, and stopped at close only when this call created it. */
    public record Scoped(SparkSession spark, boolean own) implements AutoCloseable {
        @Override
        public void close() {
            if (own) {
                SparkSessions.stop(spark);
            }
        }
    }

    /** {@link #create}, as a {@link Scoped} session. */
    public static Scoped scoped(String master, String appName, Map<String, String> conf) {
        boolean own = noneInUse();
        return new Scoped(create(master, appName, conf), own);
    }
}
