package io.ringmaster.orchestrator.cli;

import io.ringmaster.orchestrator.bench.AllReduceBenchmark;
import io.ringmaster.orchestrator.bench.LoaderBenchmark;
import io.ringmaster.orchestrator.bench.TrainBenchmark;
import io.ringmaster.workers.ring.Compression;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print figures.",
        subcommands = {BenchCommand.Train.class, BenchCommand.AllReduce.class, BenchCommand.Loader.class,
                BenchCommand.Score.class, BenchCommand.Strategies.class, BenchCommand.Scale.class,
                BenchCommand.Embeddings.class})
final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "missing benchmark (train, scale, allreduce, embeddings, loader, score, strategies)");
    }

    /** A flag's value parsed by a job key's parser, its error naming the flag instead of the key. */
    static <T> T flag(String name, java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new IllegalArgumentException(name + ": " + m.substring(m.indexOf(" must ") + 1));
        }
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
                description = "Measured epochs per batch size, after one warm-up epoch; the median is reported"
                        + " (default: ${DEFAULT-VALUE}).")
        int epochs;

        @Option(names = "--dl4j-steps", defaultValue = "300",
                description = "Measured DL4J steps per batch size; 0 skips the DL4J baseline (default:"
                        + " ${DEFAULT-VALUE}).")
        int dl4jSteps;

        @Option(names = "--target-hr", defaultValue = "0.64", description = "Target HR@10 (default: ${DEFAULT-VALUE}).")
        double targetHr;

        @Option(names = "--max-epochs", defaultValue = "20",
                description = "Epochs allowed to reach the target (default: ${DEFAULT-VALUE}).")
        int maxEpochs;

        @Option(names = "--threads", defaultValue = "1",
                description = "BLAS threads per worker (default: ${DEFAULT-VALUE}).")
        int threads;

        @Option(names = "--workers", split = ",",
                description = "Gang sizes, e.g. 1,2: measure gang scaling (ring all-reduce between worker threads)"
                        + " at each global batch size instead of the single-worker comparison.")
        List<Integer> workers = new java.util.ArrayList<>();

        @Option(names = "--embedding-optimizer", defaultValue = "adam",
                description = "With --workers: adam or lazy-adam (default: ${DEFAULT-VALUE}, the job default).")
        String embeddingOptimizer;

        @Option(names = "--transport", defaultValue = "auto",
                description = "With --workers: auto (shared memory here), tcp or shm (default: ${DEFAULT-VALUE}).")
        String transport;

        @Option(names = "--embeddings", defaultValue = "auto",
                description = "With --workers: allreduce.embeddings, auto, sparse or dense (default:"
                        + " ${DEFAULT-VALUE}).")
        String embeddings;

        @Option(names = "--rounds", defaultValue = "3", description = "With --workers: rounds of measurements, each"
                + " configuration once per round; rows and ratios are medians over rounds (default: ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--peer", description = "With --workers: also train the PyTorch reference"
                + " (ncf_torch.py --sparse: SparseAdam, one thread) on the same data in this run and print the ratio.")
        boolean peer;

        @Option(names = "--peer-script", defaultValue = "../shared/peers/ncf_torch.py",
                description = "The PyTorch reference (default: ${DEFAULT-VALUE}).")
        java.nio.file.Path peerScript;

        @Option(names = "--peer-epochs", defaultValue = "3",
                description = "Epochs the peer trains (default: ${DEFAULT-VALUE}).")
        int peerEpochs;

        @Override
        public Integer call() throws Exception {
            if (peer && workers.isEmpty()) {
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "--peer needs --workers (e.g. --workers 1,2)");
            }
            new TrainBenchmark(data, batchSizes, epochs, dl4jSteps, targetHr, maxEpochs, threads, workers, rounds,
                    flag("--embedding-optimizer", () -> io.ringmaster.workers.model.EmbeddingOptimizer.parse(
                            embeddingOptimizer)),
                    io.ringmaster.workers.ring.RingOptions.DEFAULT.withTransport(flag("--transport",
                            () -> io.ringmaster.workers.ring.Transport.parse(transport))),
                    flag("--embeddings", () -> io.ringmaster.workers.train.EmbeddingExchange.parse(embeddings)),
                    peer ? peerScript : null, peerEpochs).run(System.out);
            return 0;
        }
    }

    @Command(name = "allreduce", mixinStandardHelpOptions = true,
            description = "Ring all-reduce between N worker processes, on this machine or (--hosts) on hosts of their"
                    + " own with shaped links: time, algorithm and bus bandwidth per buffer size, dense and embedding"
                    + " rows, sealed and plain, beside a raw TCP copy between the same processes in the same run.")
    static final class AllReduce implements Callable<Integer> {

        @Option(names = "--workers", split = ",", defaultValue = "2,4",
                description = "Gang sizes (default: ${DEFAULT-VALUE}).")
        List<Integer> workers;

        @Option(names = "--mb", split = ",", defaultValue = "1,4,16,64",
                description = "Buffer sizes in MiB of fp32 values (default: ${DEFAULT-VALUE}).")
        List<Integer> megabytes;

        @Option(names = "--compression", defaultValue = "none",
                description = "none or fp16 (default: ${DEFAULT-VALUE}).")
        String compression;

        @Option(names = "--chunk-kb", defaultValue = "1024",
                description = "Pipelined chunk size, KiB (default: ${DEFAULT-VALUE}).")
        int chunkKb;

        @Option(names = "--hosts", split = ",",
                description = "Gang sizes with one rank per host instead of --workers: hosts are network namespaces"
                        + " on this machine made by --hosts-script (needs root), removed afterwards.")
        List<Integer> hosts = new java.util.ArrayList<>();

        @Option(names = "--link-gbit", defaultValue = "1",
                description = "With --hosts: each host's link rate, Gbit/s both ways (default: ${DEFAULT-VALUE}).")
        double linkGbit;

        @Option(names = "--hosts-script", defaultValue = "scripts/netns-cluster.sh",
                description = "With --hosts: the script that makes the hosts (default: ${DEFAULT-VALUE}).")
        java.nio.file.Path hostsScript;

        @Option(names = "--plot", description = "Also write the table as plots to this HTML file (self-contained,"
                + " as the run report).")
        java.nio.file.Path plot;

        @Override
        public Integer call() throws Exception {
            AllReduceBenchmark bench = new AllReduceBenchmark(workers, megabytes, Compression.parse(compression),
                    chunkKb, hosts, linkGbit, hostsScript);
            bench.run(System.out);
            if (plot != null) {
                java.nio.file.Files.writeString(plot, io.ringmaster.orchestrator.report.ReportPage.plots(
                        "bench allreduce", (hosts.isEmpty() ? "workers " + workers : "hosts " + hosts + ", "
                                + linkGbit + " Gbit/s links") + ", " + compression + ", " + chunkKb + " KiB chunks",
                        bench.plots()));
                System.out.println("plot " + plot.toAbsolutePath());
            }
            return 0;
        }
    }

    @Command(name = "loader", mixinStandardHelpOptions = true,
            description = "Streaming loader rows/s over a Parquet dataset, beside a plain single-threaded"
                    + " parquet-hadoop"
                    + " ColumnReader pass over the same data and one trainer's demand, in the same run.")
    static final class Loader implements Callable<Integer> {

        @Option(names = "--uri", required = true,
                description = "Training Parquet with user and item columns (file or directory, any Hadoop URI).")
        String uri;

        @Option(names = "--batch", defaultValue = "1024", description = "Rows per batch (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--shuffle-groups", defaultValue = "8",
                description = "Shuffle window, row groups (default: ${DEFAULT-VALUE}).")
        int shuffleGroups;

        @Option(names = "--prefetch-groups", defaultValue = "4",
                description = "Prefetch depth, row groups (default: ${DEFAULT-VALUE}).")
        int prefetchGroups;

        @Option(names = "--hadoop", description = "Hadoop setting key=value (repeatable), e.g. s3a endpoint and keys.")
        java.util.Map<String, String> hadoop = new java.util.LinkedHashMap<>();

        @Override
        public Integer call() throws Exception {
            new LoaderBenchmark(uri, hadoop, batch, shuffleGroups, prefetchGroups).run(System.out);
            return 0;
        }
    }

    @Command(name = "score", mixinStandardHelpOptions = true,
            description = "Spark top-K scoring job on local[2] beside plain single-JVM loops over the same model.")
    static final class Score implements Callable<Integer> {

        @Option(names = "--model", required = true, description = "Model bundle from `ringmaster export`.")
        String model;

        @Override
        public Integer call() throws Exception {
            new io.ringmaster.orchestrator.bench.ScoreBenchmark(model).run(System.out);
            return 0;
        }
    }

    @Command(name = "strategies", mixinStandardHelpOptions = true,
            description = "The same job trained with each strategy (Ringmaster's ring all-reduce, DL4J's parameter"
                    + " server, DL4J's parameter averaging) on the same Spark master in one run: time and samples/s"
                    + " per epoch, best HR@10 / NDCG@10, and time to first reach a target HR@10.")
    static final class Strategies implements Callable<Integer> {

        @Option(names = "--data", required = true,
                description = "Dataset directory, or a source to ingest first (e.g. ../shared/data/ml-100k).")
        String data;

        @Option(names = "--workers", defaultValue = "2", description = "Workers per job (default: ${DEFAULT-VALUE}).")
        int workers;

        @Option(names = "--epochs", defaultValue = "10",
                description = "Epochs per strategy (default: ${DEFAULT-VALUE}).")
        int epochs;

        @Option(names = "--strategies", split = ",", defaultValue = "allreduce,parameter-server,averaging",
                description = "Strategies to run (default: ${DEFAULT-VALUE}).")
        List<String> strategies;

        @Option(names = "--master", description = "Spark master for every strategy (default: local[<workers>]);"
                + " local-cluster[N,1,MB] starts one executor JVM per worker from this jar.")
        String master;

        @Option(names = "--target-hr", defaultValue = "0.64", description = "Target HR@10 (default: ${DEFAULT-VALUE}).")
        double targetHr;

        @Option(names = "--set", description = "Job setting key.path=value for every strategy (repeatable).")
        List<String> sets = new java.util.ArrayList<>();

        @Option(names = "--work-dir", defaultValue = "bench-strategies",
                description = "Where the ingested dataset and run directories go (default: ${DEFAULT-VALUE}).")
        java.nio.file.Path work;

        @Override
        public Integer call() throws Exception {
            new io.ringmaster.orchestrator.bench.StrategyBenchmark(data, workers, epochs, strategies, master, targetHr,
                    sets, work.toAbsolutePath()).run(System.out);
            return 0;
        }
    }

    @Command(name = "scale", mixinStandardHelpOptions = true,
            description = "Training throughput as the catalogue grows: generates power-law datasets of each size,"
                    + " trains a fixed number of steps at a fixed batch per worker with each gang size, and prints"
                    + " samples/s, bytes per step and where a step's time goes.")
    static final class Scale implements Callable<Integer> {

        @Option(names = "--entities", split = ",", defaultValue = "10000,100000,1000000,4000000",
                description = "Catalogue sizes, users + items, split evenly (default: ${DEFAULT-VALUE}).")
        List<Long> entities;

        @Option(names = "--interactions", defaultValue = "5",
                description = "Mean interactions per user, the same at every size (default: ${DEFAULT-VALUE}).")
        int interactions;

        @Option(names = "--batch", defaultValue = "256",
                description = "Examples per worker per step (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--steps", defaultValue = "2000",
                description = "Steps per measurement, after as many warm-up steps (default: ${DEFAULT-VALUE}).")
        int steps;

        @Option(names = "--repeats", defaultValue = "3", description = "Measurements per row; the median is printed"
                + " (default: ${DEFAULT-VALUE}).")
        int repeats;

        @Option(names = "--workers", split = ",", defaultValue = "1,2",
                description = "Gang sizes (default: ${DEFAULT-VALUE}).")
        List<Integer> workers;

        @Option(names = "--embedding-optimizer", defaultValue = "lazy-adam",
                description = "lazy-adam or adam (default: ${DEFAULT-VALUE}: the one whose step does not grow with the"
                        + " catalogue; adam, the job default, updates every row every step).")
        String embeddingOptimizer;

        @Option(names = "--work-dir", defaultValue = "bench-scale",
                description = "Where the generated datasets are kept for later runs (default: ${DEFAULT-VALUE}).")
        java.nio.file.Path work;

        @Option(names = "--peer",
                description = "Also train the PyTorch reference (ncf_torch.py --sparse: SparseAdam, one"
                + " thread) on the largest dataset in this run and print the ratio to 1 worker.")
        boolean peer;

        @Option(names = "--peer-script", defaultValue = "../shared/peers/ncf_torch.py",
                description = "The PyTorch reference (default: ${DEFAULT-VALUE}).")
        java.nio.file.Path peerScript;

        @Option(names = "--peer-epochs", defaultValue = "1",
                description = "Epochs the peer trains (default: ${DEFAULT-VALUE}).")
        int peerEpochs;

        @Override
        public Integer call() throws Exception {
            new io.ringmaster.orchestrator.bench.ScaleBenchmark(entities, interactions, batch, steps, repeats, workers,
                    flag("--embedding-optimizer", () -> io.ringmaster.workers.model.EmbeddingOptimizer.parse(
                            embeddingOptimizer)), work.toAbsolutePath(), peer ? peerScript : null, peerEpochs)
                    .run(System.out);
            return 0;
        }
    }

    @Command(name = "embeddings", mixinStandardHelpOptions = true,
            description = "Exchanging an embedding table's touched rows against all-reducing the whole table, per"
                    + " transport, gang size and share of rows touched: the crossover allreduce.embeddings auto uses.")
    static final class Embeddings implements Callable<Integer> {

        @Option(names = "--workers", split = ",", defaultValue = "2,3,4",
                description = "Gang sizes (default: ${DEFAULT-VALUE}).")
        List<Integer> workers;

        @Option(names = "--rows", defaultValue = "100000",
                description = "Rows of the table (default: ${DEFAULT-VALUE}).")
        int rows;

        @Option(names = "--width", defaultValue = "40", description = "Values per row (default: ${DEFAULT-VALUE}).")
        int width;

        @Option(names = "--shares", split = ",", defaultValue = "0.01,0.05,0.1,0.2,0.3,0.4,0.5,0.6,0.8,1.0",
                description = "Shares of the rows each rank touches (default: ${DEFAULT-VALUE}).")
        List<Double> shares;

        @Option(names = "--transports", split = ",", defaultValue = "tcp,shm",
                description = "Transports (default: ${DEFAULT-VALUE}).")
        List<String> transports;

        @Option(names = "--iterations", defaultValue = "40",
                description = "Exchanges per round (default: ${DEFAULT-VALUE}).")
        int iterations;

        @Override
        public Integer call() throws Exception {
            new io.ringmaster.orchestrator.bench.EmbeddingExchangeBenchmark(workers, rows, width, shares,
                    flag("--transports", () -> transports.stream().map(io.ringmaster.workers.ring.Transport::parse)
                            .toList()), iterations).run(System.out);
            return 0;
        }
    }
}
