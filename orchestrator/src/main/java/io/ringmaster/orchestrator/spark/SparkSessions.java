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
}
