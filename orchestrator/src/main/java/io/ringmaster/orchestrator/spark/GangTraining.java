package io.ringmaster.orchestrator.spark;

import io.ringmaster.workers.WorkerResult;
import io.ringmaster.workers.WorkerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.SparkSession;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Launches one training gang as a Spark barrier stage: {@code workers} tasks scheduled together,
 * one per partition, each running {@link io.ringmaster.workers.Worker}; returns their results by rank.
 * A failed task fails the whole stage (Spark does not retry a failed barrier result stage), reported
 * as a {@link GangFailure}.
 */
public final class GangTraining {

    private GangTraining() {
    }

    public static List<WorkerResult> run(SparkSession spark, WorkerSpec spec, int workers) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Integer> ranks = IntStream.range(0, workers).boxed().toList();
        RDD<Integer> seeds = jsc.parallelize(ranks, workers).rdd();
        ClassTag<WorkerResult> tag = ClassTag$.MODULE$.apply(WorkerResult.class);
        RDD<WorkerResult> results = seeds.barrier().mapPartitions(new GangTask(spec), false, tag);
        jsc.setJobGroup("ringmaster-" + spec.runId(), "Ringmaster training gang, run " + spec.runId(), true);
        List<WorkerResult> out;
        try {
            out = new ArrayList<>(results.toJavaRDD().collect());
        } catch (Exception e) {
            if (e instanceof SparkException se) {
                throw GangFailure.from(se);
            }
            throw e;
        }
        out.sort((a, b) -> Integer.compare(a.rank(), b.rank()));
        return out;
    }
}
