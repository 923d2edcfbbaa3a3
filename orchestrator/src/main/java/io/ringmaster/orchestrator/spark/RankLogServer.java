package io.ringmaster.orchestrator.spark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The driver side of per-rank logs (issue 19, part 2): listens for the gang tasks' {@link RankLogStream}s,
 * keeps every rank's lines by attempt, prints the warnings and errors as {@code [rank r host] ...} (when
 * the executors are JVMs of their own: in local mode the console has them already), gives a failed
 * attempt the last lines of a rank, and renders {@code logs/rank-<r>.log} for the run directory. A
 * connection that does not open with the job's random token is dropped unread.
 */
public final class RankLogServer implements AutoCloseable {

    /** The run directory's folder for the ranks' logs. */
    public static final String DIR = "logs";
    /** Lines kept per rank and attempt; more are counted, not kept. */
    private static final int MAX_LINES = 100_000;

    /** One rank's lines in one attempt. */
    private static final class Log {
        final String host;
        final List<String> lines = new ArrayList<>();
        /** The lines a failure's tail shows: each event's first line, not the task's own failure. */
        final java.util.BitSet headlines = new java.util.BitSet();
        long dropped;
        volatile boolean ended;

        Log(String host) {
            this.host = host;
        }
    }

    private final ServerSocket server;
    private final String token = HexFormat.of().formatHex(random());
    private final PrintStream console;
    private final Map<String, Log> logs = new ConcurrentHashMap<>(); // "attempt rank"
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final String started = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").format(
            java.time.LocalDateTime.now());
    private final Thread acceptor;
    private volatile boolean closed;

    private RankLogServer(ServerSocket server, PrintStream console) {
        this.server = server;
        this.console = console;
        this.acceptor = new Thread(this::accept, "ringmaster-rank-logs");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Listens on {@code bindHost} (the driver's address as executors reach it); {@code console} gets the
     * ranks' warnings and errors, or is null when it shows them already.
     */
    public static RankLogServer start(String bindHost, PrintStream console) throws IOException {
        return new RankLogServer(new ServerSocket(0, 64, InetAddress.getByName(bindHost)), console);
    }

    private static byte[] random() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return b;
    }

    /** What the tasks of attempt {@code attempt} connect to. */
    RankLogStream.Endpoint endpoint(int attempt) {
        return new RankLogStream.Endpoint(server.getInetAddress().getHostAddress(), server.getLocalPort(), token,
                attempt);
    }

    private void accept() {
        while (!closed) {
            try {
                Socket s = server.accept();
                open.add(s);
                Thread t = new Thread(() -> read(s), "ringmaster-rank-log-reader");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void read(Socket s) {
        Log log = null;
        String prefix = "";
        try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                StandardCharsets.UTF_8))) {
            s.setSoTimeout(30_000); // for the header only
            String[] header = String.valueOf(in.readLine()).split(" ");
            if (header.length != 5 || !header[0].equals("RINGMASTER-LOG") || !MessageDigest.isEqual(
                    header[1].getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
                return;
            }
            s.setSoTimeout(0);
            int attempt = Integer.parseInt(header[2]);
            int rank = Integer.parseInt(header[3]);
            String host = header[4];
            log = new Log(host);
            logs.put(attempt + " " + rank, log);
            prefix = "[rank " + rank + " " + host + "] ";
            boolean echo = false;
            for (String line; (line = in.readLine()) != null; ) {
                int tab = line.indexOf('\t');
                String level = tab < 0 ? "+" : line.substring(0, tab);
                String text = line.substring(tab + 1);
                boolean headline = !level.equals("+");
                if (headline) {
                    echo = level.equals("WARN") || level.equals("ERROR") || level.equals("FATAL");
                }
                synchronized (log) {
                    if (log.lines.size() < MAX_LINES) {
                        log.headlines.set(log.lines.size(), headline && !level.equals(RankLogStream.FAILED));
                        log.lines.add(text);
                    } else {
                        log.dropped++;
                    }
                }
                if (echo && console != null) {
                    console.println(prefix + text);
                }
            }
        } catch (IOException | RuntimeException e) {
            // a rank that died mid-line: what arrived is kept
        } finally {
            open.remove(s);
            if (log != null) {
                log.ended = true;
            }
        }
    }

    /**
     * The last {@code n} events rank {@code rank} logged in attempt {@code attempt}, a line each (stack traces
     * and the task's own failure, which the error states, are in the file only); empty when it sent none.
     * Waits until its stream has ended, up to {@code waitMillis}: a failure can reach the driver before the
     * failed rank's last lines do.
     */
    public List<String> tail(int attempt, int rank, int n, long waitMillis) {
        long deadline = System.currentTimeMillis() + waitMillis;
        Log log = logs.get(attempt + " " + rank);
        while ((log == null || !log.ended) && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            log = logs.get(attempt + " " + rank);
        }
        if (log == null) {
            return List.of();
        }
        synchronized (log) {
            java.util.LinkedList<String> tail = new java.util.LinkedList<>();
            for (int i = log.headlines.previousSetBit(log.lines.size() - 1); i >= 0 && tail.size() < n;
                 i = log.headlines.previousSetBit(i - 1)) {
                tail.addFirst(log.lines.get(i));
            }
            return List.copyOf(tail);
        }
    }

    /** {@code logs/rank-<r>.log} per rank heard from, every attempt in turn: the run directory's copies. */
    public Map<String, String> files() {
        Map<Integer, TreeMap<Integer, Log>> byRank = new TreeMap<>();
        logs.forEach((key, log) -> {
            String[] k = key.split(" ");
            byRank.computeIfAbsent(Integer.parseInt(k[1]), r -> new TreeMap<>()).put(Integer.parseInt(k[0]), log);
        });
        Map<String, String> files = new LinkedHashMap<>();
        byRank.forEach((rank, attempts) -> {
            StringBuilder b = new StringBuilder();
            attempts.forEach((attempt, log) -> {
                b.append("=== attempt ").append(attempt).append(" of the job started ").append(started)
                        .append(", rank ").append(rank).append(" on ").append(log.host).append(" ===\n");
                synchronized (log) {
                    log.lines.forEach(l -> b.append(l).append('\n'));
                    if (log.dropped > 0) {
                        b.append("... ").append(log.dropped).append(" more lines not kept\n");
                    }
                }
            });
            files.put(DIR + "/rank-" + rank + ".log", b.toString());
        });
        return files;
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // nothing listens any more either way
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }
}
