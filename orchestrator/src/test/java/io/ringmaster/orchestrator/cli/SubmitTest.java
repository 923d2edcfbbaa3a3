package io.ringmaster.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.data.SyntheticDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.master.Master$;
import org.apache.spark.deploy.worker.Worker$;
import org.apache.spark.rpc.RpcEnv;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Tuple3;

/**
 * {@code ringmaster submit} against a Spark standalone master and two workers started from the
 * project's own classpath on 127.0.0.1 (the workers launch executor JVMs from an empty Spark home
 * plus the test classpath): the job trains, checkpoints and exits 0.
 */
class SubmitTest {

    @TempDir
    Path dir;

    @Test
    void submitsAShortJobToAStandaloneClusterThatTrainsAndCheckpoints() throws Exception {
        SparkConf conf = new SparkConf();
        Tuple3<RpcEnv, Object, scala.Option<Object>> master = Master$.MODULE$.startRpcEnvAndEndpoint("127.0.0.1", 0,
                0, conf);
        int port = master._1().address().port(); // _2 is the web UI port
        List<RpcEnv> workers = new ArrayList<>();
        try {
            for (int w = 0; w < 2; w++) {
                Path work = Files.createDirectories(dir.resolve("worker-" + w));
                workers.add(Worker$.MODULE$.startRpcEnvAndEndpoint("127.0.0.1", 0, 0, 1, 1536,
                        new String[] {"spark://127.0.0.1:" + port}, work.toString(), scala.Option.apply(w), conf,
                        scala.Option.empty()));
            }
            Path data = dir.resolve("data");
            SyntheticDataset.Result r = SyntheticDataset.generate(new SyntheticDataset.Params(150, 100, 20, 8, 0.8,
                    2.5, 5, 20));
            DatasetStore.write(Storage.configuration(), data.toString(), r.dataset(), r.source(), r.split(), false);
            Path job = dir.resolve("job.yaml");
            Files.writeString(job, String.join("\n",
                    "data: " + data,
                    "workers: 2",
                    "train:",
                    "  epochs: 1",
                    "  batch-size: 100",
                    "run:",
                    "  dir: " + dir.resolve("runs"),
                    "  id: submitted",
                    "spark:",
                    "  conf:",
                    "    spark.executor.cores: '1'",
                    "    spark.executor.memory: 1g",
                    "    spark.executor.extraClassPath: '" + System.getProperty("java.class.path") + "'",
                    "    spark.local.dir: '" + dir.resolve("spark-local") + "'",
                    "") + "\n");

            CliRun dry = CliRun.of("submit", "--master", "spark://127.0.0.1:" + port, "--cluster", "local-cpu",
                    "--dry-run", job.toString());
            assertEquals(0, dry.exitCode(), dry.toString());
            assertTrue(dry.out().contains("spark-submit") && dry.out().contains("--master spark://127.0.0.1:" + port)
                    && dry.out().contains("--class io.ringmaster.orchestrator.cli.RingmasterCli"), dry.out());

            CliRun run = CliRun.of("submit", "--master", "spark://127.0.0.1:" + port, "--cluster", "local-cpu",
                    job.toString());
            assertEquals(0, run.exitCode(), run.toString());
            assertTrue(run.out().contains("gang of 2 workers on Spark spark://127.0.0.1:" + port), run.out());
            assertTrue(run.out().contains("checkpoint  step"), run.out());
            Path runDir = dir.resolve("runs/submitted");
            assertTrue(Files.exists(runDir.resolve("summary.json")));
            try (var cps = Files.list(runDir.resolve("checkpoints"))) {
                assertEquals(1, cps.count());
            }
        } finally {
            for (RpcEnv w : workers) {
                w.shutdown();
            }
            master._1().shutdown();
        }
    }
}
