package io.ringmaster.orchestrator.bench;

import io.ringmaster.workers.ring.Compression;
import io.ringmaster.workers.ring.RingAuth;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code ringmaster bench allreduce}: the ring all-reduce between N separate worker processes on this
 * machine, per buffer size: time per all-reduce, algorithm bandwidth (bytes / time) and bus bandwidth
 * (algbw · 2(N−1)/N, what each link carries), beside a raw TCP copy of the same bytes between two of
 * the same processes over the same sockets, measured in the same run: the physical limit here.
 */
public final class AllReduceBenchmark {

    private final List<Integer> workers;
    private final List<Integer> megabytes;
    private final Compression compression;
    private final int chunkKb;

    public AllReduceBenchmark(List<Integer> workers, List<Integer> megabytes, Compression compression, int chunkKb) {
        for (int n : workers) {
            if (n < 2 || n > 16) {
                throw new IllegalArgumentException("bench allreduce: --workers must be between 2 and 16, got " + n);
            }
        }
        for (int mb : megabytes) {
            if (mb < 1 || mb > 1024) {
                throw new IllegalArgumentException("bench allreduce: --mb must be between 1 and 1024, got " + mb);
            }
        }
        this.workers = workers;
        this.megabytes = megabytes;
        this.compression = compression;
        this.chunkKb = chunkKb;
    }

    public void run(PrintStream out) throws IOException, InterruptedException {
        out.printf("ring all-reduce between separate JVMs on 127.0.0.1, %s on the wire, %d KiB chunks, %d cores%n",
                compression == Compression.NONE ? "fp32" : "fp16", chunkKb, Runtime.getRuntime().availableProcessors());
        out.println("busbw = algbw * 2(n-1)/n; raw = one TCP stream between two of the same processes, same sockets");
        out.printf("%7s %8s %10s %11s %11s %11s %9s%n", "workers", "size MB", "ms/op", "algbw GB/s", "busbw GB/s",
                "raw GB/s", "busbw/raw");
        for (int n : workers) {
            runGang(n, out);
        }
    }

    private void runGang(int n, PrintStream out) throws IOException, InterruptedException {
        List<Process> procs = new ArrayList<>();
        List<BufferedReader> readers = new ArrayList<>();
        List<PrintWriter> writers = new ArrayList<>();
        try {
            int heapMb = 256 + 3 * megabytes.stream().mapToInt(Integer::intValue).max().orElse(1);
            for (int r = 0; r < n; r++) {
                Process p = new ProcessBuilder(command(heapMb)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                procs.add(p);
                readers.add(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
                writers.add(new PrintWriter(p.getOutputStream(), true, StandardCharsets.UTF_8));
            }
            List<String> addresses = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                addresses.add(expect(readers.get(r), "LISTEN", r).substring("LISTEN ".length()));
            }
            String secret = HexFormat.of().formatHex(RingAuth.newSecret());
            for (int r = 0; r < n; r++) {
                writers.get(r).println("PEERS " + r + " " + secret + " " + compression.id() + " " + chunkKb * 1024
                        + " " + String.join(",", addresses));
            }
            for (int r = 0; r < n; r++) {
                expect(readers.get(r), "READY", r);
            }
            for (int mb : megabytes) {
                int floats = mb * (1 << 20) / 4;
                int iters = Math.max(3, Math.min(50, 512 / mb));
                for (PrintWriter w : writers) {
                    w.println("RUN " + floats + " " + iters);
                }
                double perOp = 0;
                double raw = 0;
                for (int r = 0; r < n; r++) {
                    String[] f = expect(readers.get(r), "RESULT", r).split(" ");
                    if (r == 0) {
                        perOp = Double.parseDouble(f[1]);
                        raw = Double.parseDouble(f[2]);
                    }
                }
                double bytes = (double) floats * 4;
                double algbw = bytes / perOp / 1e9;
                double busbw = algbw * 2 * (n - 1) / n;
                double rawbw = bytes / raw / 1e9;
                out.printf("%7d %8d %10.2f %11.3f %11.3f %11.3f %8.0f%%%n", n, mb, perOp * 1e3, algbw, busbw, rawbw,
                        100 * busbw / rawbw);
            }
            for (PrintWriter w : writers) {
                w.println("END");
            }
            for (Process p : procs) {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    throw new IOException("bench worker did not exit");
                }
            }
        } finally {
            procs.forEach(Process::destroyForcibly);
        }
    }

    private static String expect(BufferedReader in, String word, int rank) throws IOException {
        String line = in.readLine();
        if (line == null || !line.startsWith(word)) {
            throw new IOException("bench worker rank " + rank + " said '" + line + "', expected " + word);
        }
        return line;
    }

    /** The same Java and classpath as this process, with its module flags. */
    private static List<String> command(int heapMb) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(
                System.getProperty("java.home") + File.separator + "bin" + File.separator + "java"));
        cmd.add("-Xmx" + heapMb + "m");
        cmd.addAll(io.ringmaster.orchestrator.spark.JvmFlags.moduleFlags());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(AllReduceBenchWorker.class.getName());
        return cmd;
    }
}
