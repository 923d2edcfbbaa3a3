package io.ringmaster.orchestrator.run;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringmaster.workers.eval.Metrics;
import io.ringmaster.workers.train.EpochMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Follows the run's {@code metrics.jsonl} from the driver while the gang trains, printing each new
 * complete record as a console line; works wherever the run directory lives, because workers on other
 * machines write it through the same Hadoop URI.
 */
public final class MetricsTail implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final FileSystem fs;
    private final Path file;
    private final PrintStream out;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile java.util.function.Consumer<Map<String, Object>> onStart = m -> { };
    private int printed;

    public MetricsTail(Configuration conf, Path file, PrintStream out) throws IOException {
        this.fs = file.getFileSystem(conf);
        this.file = file;
        this.out = out;
        if (fs.exists(file)) { // a continued run: print only what this launch adds
            try (InputStream in = fs.open(file)) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                this.printed = text.split("\n", -1).length - 1;
            }
        }
        this.thread = new Thread(this::loop, "ringmaster-metrics-tail");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void loop() {
        while (running) {
            poll();
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void poll() {
        String text;
        try {
            if (!fs.exists(file)) {
                return;
            }
            try (InputStream in = fs.open(file)) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            return; // the file is being written; the next poll sees it whole
        }
        String[] lines = text.split("\n", -1);
        // the last element is incomplete (or empty after the final newline)
        for (int i = printed; i < lines.length - 1; i++) {
            print(lines[i]);
            printed = i + 1;
        }
    }

    private void print(String line) {
        Map<String, Object> m;
        try {
            m = JSON.readValue(line, MAP);
        } catch (IOException e) {
            out.println("metrics: " + line);
            return;
        }
        if ("start".equals(m.get("event"))) {
            onStart.accept(m);
        }
        String formatted = format(m);
        if (formatted != null) {
            out.println(formatted);
        }
    }

    /** Console form of one metrics record, or null for records the driver reports itself. */
    public static String format(Map<String, Object> m) {
        Object event = m.get("event");
        if ("start".equals(event)) {
            String line = String.format("training %s  engine %s on %s (%s)  %,d samples/epoch  batch %s",
                    m.get("model"), m.get("engine"), m.get("backend"), m.get("device"),
                    ((Number) m.get("samplesPerEpoch")).longValue(), m.get("batchSize"));
            if ("stream".equals(m.get("loader"))) {
                line += String.format("%nloader: streaming %s, %s row groups, %s steps/epoch, global batch %s,"
                                + " at most %.1f MB decoded at once per worker", m.get("loaderData"),
                        m.get("rowGroups"), m.get("stepsPerEpoch"), m.get("globalBatch"),
                        ((Number) m.get("loaderMemoryBoundBytes")).doubleValue() / (1 << 20));
            }
            return line;
        }
        if ("checkpoint".equals(event)) {
            return String.format("checkpoint  step %s -> %s", m.get("step"), m.get("dir"));
        }
        if ("transport".equals(event)) {
            return String.format("%s: master %s, workers %s", m.get("strategy"), m.get("master"),
                    String.join(", ", ((List<?>) m.get("workers")).stream().map(String::valueOf).toList()));
        }
        if ("left-out".equals(event)) {
            long trained = ((Number) m.get("trained")).longValue();
            long handedOut = ((Number) m.get("handedOut")).longValue();
            return String.format("%s: epoch %s trained %,d of the %,d examples handed out (DL4J trains at most"
                    + " averaging.frequency minibatches per worker and round, and leaves out the rest of an uneven"
                    + " round)", m.get("strategy"), m.get("epoch"), trained, handedOut);
        }
        if ("resume".equals(event)) {
            return String.format("resumed from checkpoint step %s", m.get("step"));
        }
        if ("baseline".equals(event)) {
            Metrics b = Metrics.readFrom(m, "", ((Number) m.get("k")).intValue(), null, Set.of("event", "name", "k",
                    "time"));
            return m.get("name") + " baseline  " + b.line();
        }
        if ("epoch".equals(event)) {
            return EpochMetrics.fromMap(m).line();
        }
        return null;
    }

    /** Also tells {@code l} about each start record the workers write. */
    void onStart(java.util.function.Consumer<Map<String, Object>> l) {
        this.onStart = l;
    }

    /** Prints whatever is left and stops following. */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        poll();
    }
}
