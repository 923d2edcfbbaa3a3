package io.ringmaster.orchestrator.spark;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkException;

/**
 * A training gang that failed. Spark returns a task's exception as text inside its own
 * {@link SparkException}; this recovers from it the failing rank and host, the worker's exception
 * class and message, and the worker's stack trace, so the CLI can report the cause from the worker
 * instead of Spark's driver-side stack.
 */
public final class GangFailure extends RuntimeException {

    private static final String EXCEPTION = "([A-Za-z_$][\\w$]*(?:\\.[A-Za-z_$][\\w$]*)+(?:Exception|Error|Fault))";
    private static final Pattern EXCEPTION_LINE = Pattern.compile("^" + EXCEPTION + ": (.*)$", Pattern.MULTILINE);
    /** Any throwable class (java.lang.Exception, Throwable, ...) after "Caused by: ". */
    private static final Pattern CAUSE_LINE = Pattern.compile(
            "^Caused by: ([A-Za-z_$][\\w$]*(?:\\.[A-Za-z_$][\\w$]*)+)(?:: (.*))?$", Pattern.MULTILINE);

    private final String taskExceptionClass;
    private final boolean thrownByRingmaster;
    private final String workerTrace;

    private GangFailure(String taskExceptionClass, boolean thrownByRingmaster, String message, String workerTrace,
                        Throwable cause) {
        super(message, cause);
        this.taskExceptionClass = taskExceptionClass;
        this.thrownByRingmaster = thrownByRingmaster;
        this.workerTrace = workerTrace;
    }

    /** The same failure told as {@code message} (explained, with the failed rank's last log lines). */
    public GangFailure withMessage(String message) {
        GangFailure g = new GangFailure(taskExceptionClass, thrownByRingmaster, message, workerTrace, getCause());
        g.setStackTrace(getStackTrace());
        return g;
    }

    /** True when the worker's exception was thrown by Ringmaster's own code (its top stack frame). */
    public boolean thrownByRingmaster() {
        return thrownByRingmaster;
    }

    /** Class name of the worker's exception, or null when Spark's message has none. */
    public String taskExceptionClass() {
        return taskExceptionClass;
    }

    /** The failed task's stack trace as Spark reported it (empty when it has none). */
    public String workerTrace() {
        return workerTrace;
    }

    /**
     * A training attempt the driver stopped itself (a watchdog), as a failure the job may retry; {@code
     * cause}'s class counts as the task's exception class.
     */
    public static GangFailure stoppedByDriver(RuntimeException cause) {
        return new GangFailure(cause.getClass().getName(), true, cause.getMessage(), "", cause);
    }

    public static GangFailure from(SparkException e) {
        String text = e.getMessage() == null ? "" : e.getMessage();
        int driver = text.indexOf("\nDriver stacktrace:");
        String task = driver >= 0 ? text.substring(0, driver) : text;
        Matcher m = EXCEPTION_LINE.matcher(task);
        while (m.find()) {
            String cls = m.group(1);
            if (cls.equals(SparkException.class.getName())) {
                continue;
            }
            String trace = task.substring(m.start()).strip();
            if (cls.equals(GangTaskException.class.getName())) {
                Matcher c = CAUSE_LINE.matcher(task);
                if (c.find(m.end())) {
                    return new GangFailure(c.group(1), topFrameIsOurs(task, c.end()), m.group(2), trace, e);
                }
            }
            return new GangFailure(cls, topFrameIsOurs(task, m.end()), m.group(2), trace, e);
        }
        String first = text.lines().findFirst().orElse("Spark job failed");
        return new GangFailure(null, false, "training gang failed: " + first, "", e);
    }

    private static boolean topFrameIsOurs(String text, int from) {
        String rest = text.substring(from);
        int at = rest.indexOf("\tat ");
        return at >= 0 && rest.startsWith("\tat io.ringmaster.", at);
    }
}
