package io.ringmaster.orchestrator.cli;

import io.ringmaster.orchestrator.bench.TrainBenchmark;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print figures.",
        subcommands = {BenchCommand.Train.class})
final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing benchmark (train)");
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Training throughput of one worker (fused engine vs DL4J's own graph, same data, same run)"
                    + " per batch size, and wall time to first reach a target HR@10.")
    static final class Train implements Callable<Integer> {

        @Option(names = "--data", required = true,
                description = "Dataset directory, or a source to ingest in memory (e.g. ../shared/data/ml-100k).")
        String data;

        @Option(names = "--batch-sizes", split = ",", defaultValue = "256,2048",
                description = "Batch sizes (default: ${DEFAULT-VALUE}).")
        List<Integer> batchSizes;

        @Option(names = "--epochs", defaultValue = "5",
                description = "Measured epochs per batch size, after one warm-up epoch; the median is reported (default: ${DEFAULT-VALUE}).")
        int epochs;

        @Option(names = "--dl4j-steps", defaultValue = "300",
                description = "Measured DL4J steps per batch size; 0 skips the DL4J baseline (default: ${DEFAULT-VALUE}).")
        int dl4jSteps;

        @Option(names = "--target-hr", defaultValue = "0.64", description = "Target HR@10 (default: ${DEFAULT-VALUE}).")
        double targetHr;

        @Option(names = "--max-epochs", defaultValue = "20",
                description = "Epochs allowed to reach the target (default: ${DEFAULT-VALUE}).")
        int maxEpochs;

        @Option(names = "--threads", defaultValue = "1", description = "BLAS threads (default: ${DEFAULT-VALUE}).")
        int threads;

        @Override
        public Integer call() throws Exception {
            new TrainBenchmark(data, batchSizes, epochs, dl4jSteps, targetHr, maxEpochs, threads).run(System.out);
            return 0;
        }
    }
}
