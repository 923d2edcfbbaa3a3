package io.ringmaster.orchestrator.bench;

import io.ringmaster.orchestrator.hosts.NetnsCluster;
import io.ringmaster.workers.ring.Compression;
import io.ringmaster.workers.ring.Integrity;
import io.ringmaster.workers.ring.RingAuth;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code ringmaster bench allreduce}: the ring between N separate worker processes, per buffer size and
 * exchange: a dense all-reduce (time per op, algorithm bandwidth = bytes / time, bus bandwidth = algbw ·
 * 2(N−1)/N, what each link carries) and the sparse exchange of embedding rows (each rank's rows gathered
 * by every rank: algbw = N · rows / time, busbw = (N−1) · rows / time), with messages sealed and plain,
 * beside a raw TCP copy of the same bytes between two of the same processes over the same sockets, in
 * the same run. On 127.0.0.1 by default; with {@code --hosts} each rank runs on its own host, a network
 * namespace whose link is shaped to {@code --link-gbit} ({@code scripts/netns-cluster.sh}, needs root).
 */
public final class AllReduceBenchmark {

    private final List<Integer> workers;
    private final List<Integer> megabytes;
    private final Compression compression;
    private final int chunkKb;
    private final List<Integer> hosts;
    private final double linkGbit;
    private final Path hostsScript;

    public AllReduceBenchmark(List<Integer> workers, List<Integer> megabytes, Compression compression, int chunkKb) {
        this(workers, megabytes, compression, chunkKb, List.of(), 1, null);
    }

    /** With {@code hosts} non-empty, gangs of those sizes, one rank per host, instead of {@code workers}. */
    public AllReduceBenchmark(List<Integer> workers, List<Integer> megabytes, Compression compression, int chunkKb,
                              List<Integer> hosts, double linkGbit, Path hostsScript) {
        for (int n : hosts.isEmpty() ? workers : hosts) {
            if (n < 2 || n > 16) {
                throw new IllegalArgumentException("bench allreduce: --" + (hosts.isEmpty() ? "workers" : "hosts")
                        + " must be between 2 and 16, got " + n);
            }
        }
        for (int mb : megabytes) {
            if (mb < 1 || mb > 1024) {
                throw new IllegalArgumentException("bench allreduce: --mb must be between 1 and 1024, got " + mb);
            }
        }
        if (!(linkGbit > 0 && linkGbit <= 100)) {
            throw new IllegalArgumentException("bench allreduce: --link-gbit must be above 0 and at most 100, got "
                    + linkGbit);
        }
        this.workers = workers;
        this.megabytes = megabytes;
        this.compression = compression;
        this.chunkKb = chunkKb;
        this.hosts = hosts;
        this.linkGbit = linkGbit;
        this.hostsScript = hostsScript;
    }

    private final io.ringmaster.orchestrator.report.Plot busbwPlot = new io.ringmaster.orchestrator.report.Plot(
            "bus bandwidth by message size", "message MB", "busbw GB/s");
    private final io.ringmaster.orchestrator.report.Plot ratioPlot = new io.ringmaster.orchestrator.report.Plot(
            "busbw as a share of one raw TCP stream", "message MB", "% of raw");

    /** The table as plots, for {@code --plot} (filled by {@link #run}). */
    public List<io.ringmaster.orchestrator.report.Plot> plots() {
        return List.of(busbwPlot, ratioPlot);
    }

    public void run(PrintStream out) throws IOException, InterruptedException {
        boolean onHosts = !hosts.isEmpty();
        out.printf("ring between separate JVMs %s, %s on the wire, %d KiB chunks, %d cores%n", onHosts
                ? String.format("on hosts of their own (network namespaces, links shaped to %s Gbit/s)", gbit())
                : "on 127.0.0.1", compression == Compression.NONE ? "fp32" : "fp16", chunkKb,
                Runtime.getRuntime().availableProcessors());
        out.println("dense: busbw = algbw * 2(n-1)/n; rows: every rank's embedding rows (size MB each) gathered by"
                + " all, busbw = (n-1) * size / time");
        out.println("raw = one TCP stream between two of the same processes, same sockets; sealed = AES-GCM records"
                + " (allreduce.integrity)");
        out.printf("%5s %8s %6s %8s %10s %11s %11s %9s %9s %10s%n", "ranks", "exchange", "sealed", "size MB",
                "ms/op", "algbw GB/s", "busbw GB/s", "raw GB/s", "busbw/raw", "busbw/link");
        double last = Double.NaN;
        int lastMb = megabytes.stream().mapToInt(Integer::intValue).max().orElse(1);
        if (!onHosts) {
            for (int n : workers) {
                runGang(n, null, out, lastMb);
            }
            return;
        }
        int most = hosts.stream().mapToInt(Integer::intValue).max().orElse(2);
        try (NetnsCluster cluster = NetnsCluster.up(hostsScript, "rmb", most, linkGbit)) {
            for (int n : hosts) {
                double r = runGang(n, cluster, out, lastMb);
                if (n == most) {
                    last = r;
                }
            }
        }
        out.printf("hosts: busbw at %d MB = %.2f of the raw link rate (%d hosts, %s Gbit/s)%n", lastMb, last, most,
                gbit());
    }

    private String gbit() {
        return linkGbit == Math.rint(linkGbit) ? String.valueOf((long) linkGbit) : String.valueOf(linkGbit);
    }

    /** One gang's rows of the table; returns busbw/raw of its sealed dense all-reduce of {@code lastMb}. */
    private double runGang(int n, NetnsCluster cluster, PrintStream out, int lastMb) throws IOException,
            InterruptedException {
        List<Process> procs = new ArrayList<>();
        List<BufferedReader> readers = new ArrayList<>();
        List<PrintWriter> writers = new ArrayList<>();
        File errors = File.createTempFile("ringmaster-allreduce-bench", ".log");
        double result = Double.NaN;
        try {
            int heapMb = 256 + 16 * megabytes.stream().mapToInt(Integer::intValue).max().orElse(1);
            for (int r = 0; r < n; r++) {
                Process p = cluster == null
                        ? new ProcessBuilder(command(heapMb, "127.0.0.1")).redirectError(
                                ProcessBuilder.Redirect.appendTo(errors)).start()
                        : cluster.start(r, command(heapMb, cluster.address(r)), errors);
                procs.add(p);
                readers.add(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
                writers.add(new PrintWriter(p.getOutputStream(), true, StandardCharsets.UTF_8));
            }
            List<String> addresses = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                addresses.add(expect(readers.get(r), "LISTEN", r, errors).substring("LISTEN ".length()));
            }
            for (Integrity integrity : List.of(Integrity.OFF, Integrity.ON)) {
                String secret = HexFormat.of().formatHex(RingAuth.newSecret());
                for (int r = 0; r < n; r++) {
                    writers.get(r).println("PEERS " + r + " " + secret + " " + compression.id() + " "
                            + chunkKb * 1024 + " " + integrity.id() + " " + String.join(",", addresses));
                }
                for (int r = 0; r < n; r++) {
                    expect(readers.get(r), "READY", r, errors);
                }
                for (String exchange : List.of("dense", "rows")) {
                    for (int mb : megabytes) {
                        long bytes = (long) mb << 20;
                        int iters = Math.max(3, Math.min(50, 512 / mb));
                        for (PrintWriter w : writers) {
                            w.println("RUN " + exchange + " " + bytes + " " + iters);
                        }
                        String[] f = null;
                        for (int r = 0; r < n; r++) {
                            String line = expect(readers.get(r), "RESULT", r, errors);
                            if (r == 0) {
                                f = line.split(" ");
                            }
                        }
                        double perOp = Double.parseDouble(f[1]);
                        double rawbw = bytes / Double.parseDouble(f[2]) / 1e9;
                        boolean dense = exchange.equals("dense");
                        double algbw = (dense ? bytes : (double) n * bytes) / perOp / 1e9;
                        double busbw = dense ? algbw * 2 * (n - 1) / n : (double) (n - 1) * bytes / perOp / 1e9;
                        out.printf("%5d %8s %6s %8d %10.2f %11.3f %11.3f %9.3f %8.0f%% %10s%n", n, exchange,
                                integrity == Integrity.ON ? "yes" : "no", mb, perOp * 1e3, algbw, busbw, rawbw,
                                100 * busbw / rawbw, cluster == null ? "-"
                                        : String.format("%.0f%%", 100 * busbw / (linkGbit / 8)));
                        String name = n + " ranks, " + exchange + (integrity == Integrity.ON ? ", sealed" : "");
                        busbwPlot.add(name, mb, busbw);
                        ratioPlot.add(name, mb, 100 * busbw / rawbw);
                        if (dense && integrity == Integrity.ON && mb == lastMb) {
                            result = busbw / rawbw;
                        }
                    }
                }
                for (PrintWriter w : writers) {
                    w.println("DONE");
                }
            }
            for (PrintWriter w : writers) {
                w.println("END");
            }
            for (Process p : procs) {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    throw new IOException("bench worker did not exit");
                }
            }
            return result;
        } finally {
            procs.forEach(Process::destroyForcibly);
            Files.deleteIfExists(errors.toPath());
        }
    }

    private static String expect(BufferedReader in, String word, int rank, File errors) throws IOException {
        String line = in.readLine();
        if (line == null || !line.startsWith(word)) {
            String log = Files.readString(errors.toPath());
            throw new IOException("bench worker rank " + rank + " said '" + line + "', expected " + word
                    + (log.isBlank() ? "" : "; its errors:\n" + log.substring(Math.max(0, log.length() - 4000))));
        }
        return line;
    }

    /** The same Java and classpath as this process, with its module flags. */
    private static List<String> command(int heapMb, String listenOn) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(
                System.getProperty("java.home") + File.separator + "bin" + File.separator + "java"));
        cmd.add("-Xmx" + heapMb + "m");
        cmd.addAll(io.ringmaster.orchestrator.spark.JvmFlags.moduleFlags());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(AllReduceBenchWorker.class.getName());
        cmd.add(listenOn);
        return cmd;
    }
}
