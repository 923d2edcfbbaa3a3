package io.ringmaster.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringmaster.orchestrator.job.JobConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What {@code submit} changes in a job before it runs on a cluster: the jar it runs from goes to the
 * executors (the job is frozen, so this is a copy: merging into it threw when submitting from the jar), and
 * the driver binds to the address this machine uses towards a standalone master, not to the loopback
 * address {@code bin/ringmaster} gives embedded jobs.
 */
class SubmitForClusterTest {

    @Test
    void theJarIsShippedAndTheDriverBindsWhereTheMasterSendsFrom() {
        JobConfig job = JobConfig.parse("data: d\nspark:\n  conf:\n    spark.jars: /opt/other.jar\n", "job.yaml",
                List.of()).validate();
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        JobConfig run = SubmitCommand.forCluster(job, "spark://127.0.0.1:7077", "/opt/ringmaster.jar",
                new PrintStream(said, true, StandardCharsets.UTF_8));
        assertEquals("/opt/other.jar,/opt/ringmaster.jar", run.spark().conf().get("spark.jars"));
        assertEquals("127.0.0.1", run.spark().conf().get("spark.driver.host"));
        assertEquals("127.0.0.1", run.spark().conf().get("spark.driver.bindAddress"));
        assertTrue(said.toString(StandardCharsets.UTF_8).contains("executors reach it at 127.0.0.1"));
        assertEquals("/opt/other.jar", job.spark().conf().get("spark.jars"), "the loaded job is left as it was");

        JobConfig chosen = JobConfig.parse("data: d\nspark:\n  conf:\n    spark.driver.host: 10.1.2.3\n", "job.yaml",
                List.of()).validate();
        assertEquals("10.1.2.3", SubmitCommand.forCluster(chosen, "spark://127.0.0.1:7077", null,
                new PrintStream(new ByteArrayOutputStream())).spark().conf().get("spark.driver.host"));
        JobConfig local = SubmitCommand.forCluster(job, "local[2]", "/opt/ringmaster.jar",
                new PrintStream(new ByteArrayOutputStream()));
        assertNull(local.spark().conf().get("spark.driver.host"));
        assertEquals("/opt/other.jar", local.spark().conf().get("spark.jars"));
    }
}
