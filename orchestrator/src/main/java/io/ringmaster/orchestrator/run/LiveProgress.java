package io.ringmaster.orchestrator.run;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import scala.Tuple4;

/**
 * Progress lines on the driver while a ring gang trains, between the epoch lines (issue 19, part 1): the
 * gang's named accumulators ({@code ringmaster.steps}, {@code ringmaster.samples}) reach the driver with
 * every executor heartbeat, so this works on a cluster, not only in one JVM. Every
 * {@code run.progress-seconds} it prints, when the gang has moved on,
 * {@code progress  step 1,234 of 3,315 (epoch 2 of 6)  52,340 samples/s  loss 0.4123  ETA epoch 0:12, job 1:05}
 * (the loss over the examples since the line before). On a terminal ({@link TerminalOut}) it draws a bar
 * instead, redrawn every second: {@code epoch 2/6 [=====>....] 1,234/3,315  loss 0.4123  52,340 samples/s
 * ETA 0:12 (job 1:05)}.
 */
final class LiveProgress extends SparkListener implements AutoCloseable {

    private final SparkContext sc;
    private final PrintStream out;
    private final long firstStep;
    private final Map<Long, Long> steps = new ConcurrentHashMap<>();
    private final Map<Long, Long> samples = new ConcurrentHashMap<>();
    private final Map<Long, Double> losses = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile long stepsPerEpoch;
    private volatile int epochs;
    private volatile boolean running = true;

    /** Follows the attempt that continues from global step {@code firstStep}, printing every {@code seconds}. */
    LiveProgress(SparkContext sc, PrintStream out, long firstStep, int seconds) {
        this.sc = sc;
        this.out = out;
        this.firstStep = firstStep;
        sc.addSparkListener(this);
        this.thread = new Thread(() -> loop(seconds * 1000L), "ringmaster-progress");
        thread.setDaemon(true);
        thread.start();
    }

    /** What the workers' start record says: steps per epoch (0: unknown) and epochs. */
    void shape(long stepsPerEpoch, int epochs) {
        this.stepsPerEpoch = stepsPerEpoch;
        this.epochs = epochs;
    }

    @Override
    public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate e) {
        scala.collection.Iterator<Tuple4<Object, Object, Object, scala.collection.Seq<AccumulableInfo>>> it =
                e.accumUpdates().iterator();
        while (it.hasNext()) {
            Tuple4<Object, Object, Object, scala.collection.Seq<AccumulableInfo>> t = it.next();
            long task = (Long) t._1();
            scala.collection.Iterator<AccumulableInfo> infos = t._4().iterator();
            while (infos.hasNext()) {
                AccumulableInfo a = infos.next();
                if (a.name().isEmpty() || a.update().isEmpty()) {
                    continue;
                }
                Object v = a.update().get();
                if (a.name().get().equals("ringmaster.steps") && v instanceof Long n) {
                    steps.put(task, n);
                } else if (a.name().get().equals("ringmaster.samples") && v instanceof Long n) {
                    samples.put(task, n);
                } else if (a.name().get().equals("ringmaster.lossSum") && v instanceof Double d) {
                    losses.put(task, d);
                }
            }
        }
    }

    private void loop(long everyMillis) {
        boolean bar = out instanceof TerminalOut.Stream; // a terminal: a bar redrawn every second
        long shownStep = 0;
        long firstSeen = 0; // rates run from the first heartbeat that reported steps, not from the launch
        long firstDone = 0;
        long firstTrained = 0;
        long lastTrained = 0;
        double lastLossSum = 0;
        double loss = Double.NaN; // over the examples since the previous update
        while (running) {
            try {
                Thread.sleep(bar ? Math.min(1000, everyMillis) : everyMillis);
            } catch (InterruptedException e) {
                return;
            }
            long done = steps.values().stream().mapToLong(Long::longValue).sum();
            long trained = samples.values().stream().mapToLong(Long::longValue).sum();
            double lossSum = losses.values().stream().mapToDouble(Double::doubleValue).sum();
            if (!running || done == 0 || done == shownStep && !bar) {
                continue;
            }
            long now = System.nanoTime();
            if (trained > lastTrained) {
                loss = (lossSum - lastLossSum) / (trained - lastTrained);
                lastTrained = trained;
                lastLossSum = lossSum;
            }
            double rate = Double.NaN;
            double perStep = Double.NaN;
            if (firstSeen == 0) {
                firstSeen = now;
                firstDone = done;
                firstTrained = trained;
            } else if (done > firstDone) {
                double seconds = (now - firstSeen) / 1e9;
                rate = (trained - firstTrained) / seconds;
                perStep = seconds / (done - firstDone);
            }
            if (bar) {
                TerminalOut.bar(out, bar(firstStep + done, loss, rate, perStep));
            } else {
                out.println(line(firstStep + done, loss, rate, perStep));
            }
            shownStep = done;
        }
    }

    /** The progress line at global step {@code step}; loss and rates NaN while unknown. */
    private String line(long step, double loss, double samplesPerSecond, double secondsPerStep) {
        long perEpoch = stepsPerEpoch;
        String rate = Double.isNaN(samplesPerSecond) ? "" : String.format("  %,.0f samples/s", samplesPerSecond)
                + (Double.isNaN(loss) ? "" : String.format("  loss %.4f", loss));
        if (perEpoch <= 0) {
            return String.format("progress  step %,d%s", step, rate);
        }
        long total = perEpoch * epochs;
        long epoch = Math.min(epochs, Math.max(1, (step + perEpoch - 1) / perEpoch));
        long epochEnd = Math.min(total, epoch * perEpoch);
        String eta = Double.isNaN(secondsPerStep) ? "" : String.format("  ETA epoch %s, job %s",
                clock(secondsPerStep * (epochEnd - step)), clock(secondsPerStep * (total - step)));
        return String.format("progress  step %,d of %,d (epoch %d of %d)%s%s", step, total, epoch, epochs, rate,
                eta);
    }

    /**
     * The terminal's bar at global step {@code step}, as Keras draws it:
     * {@code epoch 2/6 [=======>......] 1,234/3,315  loss 0.4123  52,340 samples/s  ETA 0:12 (job 1:05)}.
     */
    private String bar(long step, double loss, double samplesPerSecond, double secondsPerStep) {
        long perEpoch = stepsPerEpoch;
        StringBuilder b = new StringBuilder();
        if (perEpoch > 0) {
            long total = perEpoch * epochs;
            long epoch = Math.min(epochs, Math.max(1, (step + perEpoch - 1) / perEpoch));
            long inEpoch = step - (epoch - 1) * perEpoch;
            int width = 30;
            int filled = (int) Math.min(width, width * inEpoch / perEpoch);
            b.append(String.format("epoch %d/%d [", epoch, epochs)).append("=".repeat(Math.max(0, filled - 1)))
                    .append(filled > 0 ? filled == width ? "=" : ">" : "").append(".".repeat(width - filled))
                    .append(String.format("] %,d/%,d", inEpoch, perEpoch));
            if (!Double.isNaN(loss)) {
                b.append(String.format("  loss %.4f", loss));
            }
            if (!Double.isNaN(samplesPerSecond)) {
                b.append(String.format("  %,.0f samples/s", samplesPerSecond));
            }
            if (!Double.isNaN(secondsPerStep)) {
                b.append(String.format("  ETA %s (job %s)", clock(secondsPerStep * (epoch * perEpoch - step)),
                        clock(secondsPerStep * (total - step))));
            }
            return b.toString();
        }
        return line(step, loss, samplesPerSecond, secondsPerStep);
    }

    private static String clock(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format("%d:%02d", s / 60, s % 60);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        TerminalOut.clear(out);
        sc.removeSparkListener(this);
    }
}
