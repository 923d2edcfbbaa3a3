package io.ringmaster.orchestrator.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * The executor side of per-rank logs (issue 19, part 2), as Spark's TorchDistributor streams its tasks'
 * output: while a gang task runs, the log events of its thread, and of the threads it starts, go to the
 * driver's {@link RankLogServer} over TCP, one line at a time and flushed, so the lines written before a
 * JVM dies have reached the driver. Ringmaster's own loggers are heard from INFO on even where the
 * console shows only warnings (the console keeps its level); other loggers at the level the
 * configuration gives them.
 */
final class RankLogStream implements AutoCloseable {

    /** Where the driver listens and the token it expects: shipped in the task closure. */
    record Endpoint(String host, int port, String token, int attempt) implements Serializable {
    }

    private static final InheritableThreadLocal<RankLogStream> CURRENT = new InheritableThreadLocal<>();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS")
            .withZone(ZoneId.systemDefault());
    private static final int MAX_TRACE_LINES = 40;
    /** The level tag of the task's own failure: kept in the rank's log, not printed by the driver. */
    static final String FAILED = "FAILED";
    private static boolean installed;

    private final Socket socket;
    private final OutputStream out;
    private volatile boolean broken;

    private RankLogStream(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
    }

    /**
     * Connects to the driver and makes this thread's (and its future threads') log events go there; null,
     * with a warning on the executor's own log, when the driver cannot be reached: training goes on without.
     */
    static RankLogStream open(Endpoint driver, int rank, String host) {
        install();
        try {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(driver.host(), driver.port()), 10_000);
            s.setTcpNoDelay(true);
            RankLogStream stream = new RankLogStream(s);
            stream.write("RINGMASTER-LOG " + driver.token() + " " + driver.attempt() + " " + rank + " " + host + "\n");
            CURRENT.set(stream);
            return stream;
        } catch (IOException e) {
            LogManager.getLogger(RankLogStream.class).warn("rank {}: cannot send this rank's log to the driver at"
                    + " {}:{}: {}", rank, driver.host(), driver.port(), e.toString());
            return null;
        }
    }

    /** Stops sending: the task's thread logs only locally again. */
    @Override
    public void close() {
        if (CURRENT.get() == this) {
            CURRENT.remove();
        }
        broken = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // the driver has what was sent
        }
    }

    /**
     * The task's own failure, as the rank's last line: sent here only, not logged (the driver reports it
     * once, and a console would repeat it with its stack).
     */
    void failed(Throwable t) {
        send(System.currentTimeMillis(), FAILED, "GangTask", "this rank failed: " + t, t);
    }

    private void send(LogEvent e) {
        String logger = e.getLoggerName() == null ? "" : e.getLoggerName().substring(e.getLoggerName()
                .lastIndexOf('.') + 1);
        send(e.getTimeMillis(), e.getLevel().name(), logger, e.getMessage().getFormattedMessage(), e.getThrown());
    }

    private void send(long millis, String level, String logger, String message, Throwable thrown) {
        StringBuilder b = new StringBuilder();
        String text = TIME.format(Instant.ofEpochMilli(millis)) + " " + (level.equals(FAILED) ? "ERROR" : level) + " "
                + logger + ": " + message;
        if (thrown != null) {
            StringWriter w = new StringWriter();
            thrown.printStackTrace(new java.io.PrintWriter(w));
            String[] lines = w.toString().split("\n");
            StringBuilder t = new StringBuilder();
            for (int i = 0; i < Math.min(lines.length, MAX_TRACE_LINES); i++) {
                t.append('\n').append(lines[i].stripTrailing());
            }
            if (lines.length > MAX_TRACE_LINES) {
                t.append("\n\t... ").append(lines.length - MAX_TRACE_LINES).append(" more");
            }
            text += t;
        }
        boolean first = true;
        for (String line : text.split("\n")) {
            b.append(first ? level : "+").append('\t').append(line).append('\n');
            first = false;
        }
        write(b.toString());
    }

    private synchronized void write(String lines) {
        if (broken) {
            return;
        }
        try {
            out.write(lines.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException ex) {
            broken = true; // the driver went away: the executor's own log still has everything
        }
    }

    /**
     * Adds the appender once per JVM: to the root logger, and where Ringmaster's loggers are quieter than
     * INFO, to a logger config of theirs at INFO that hands the console only what it showed before.
     */
    private static synchronized void install() {
        if (installed || !(LogManager.getContext(false) instanceof LoggerContext ctx)) {
            installed = true;
            return;
        }
        installed = true;
        Configuration config = ctx.getConfiguration();
        Appender appender = new ToDriver();
        appender.start();
        config.addAppender(appender);
        LoggerConfig ringmaster = config.getLoggerConfig("io.ringmaster");
        Level before = ringmaster.getLevel();
        if (before.isMoreSpecificThan(Level.INFO) && before != Level.INFO) {
            LoggerConfig own = new LoggerConfig("io.ringmaster", Level.INFO, false);
            // what reached the console before, at the level it reached it
            for (LoggerConfig c = ringmaster; c != null; c = c.isAdditive() ? c.getParent() : null) {
                for (Appender a : c.getAppenders().values()) {
                    own.addAppender(a, before, null);
                }
            }
            own.addAppender(appender, null, null);
            if (ringmaster.getName().equals("io.ringmaster")) {
                config.removeLogger("io.ringmaster");
            }
            config.addLogger("io.ringmaster", own);
        }
        config.getRootLogger().addAppender(appender, null, null);
        ctx.updateLoggers();
    }

    /** Hands each event logged on a thread of a running gang task to that task's stream. */
    private static final class ToDriver extends AbstractAppender {
        ToDriver() {
            super("ringmaster-rank-log", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            RankLogStream s = CURRENT.get();
            if (s != null && !s.broken) {
                s.send(event);
            }
        }
    }
}
