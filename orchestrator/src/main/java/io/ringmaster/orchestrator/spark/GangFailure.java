package io.ringmaster.orchestrator.spark;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkException;

/**
 * A training gang that failed. Spark returns a task's exception as text inside its own
 * {@link SparkException}; this recovers the task's exception class and message from it, so the
 * CLI can report a bad input file as one line instead of Spark's stack traces.
 */
public final class GangFailure extends RuntimeException {

    private static final Pattern EXCEPTION_LINE =
            Pattern.compile("^([A-Za-z_$][\\w$]*(?:\\.[A-Za-z_$][\\w$]*)+(?:Exception|Error)): (.*)$", Pattern.MULTILINE);

    private final String taskExceptionClass;
    private final boolean thrownByRingmaster;

    private GangFailure(String taskExceptionClass, boolean thrownByRingmaster, String message, SparkException cause) {
        super(message, cause);
        this.taskExceptionClass = taskExceptionClass;
        this.thrownByRingmaster = thrownByRingmaster;
    }

    /** True when the task's exception was thrown by Ringmaster's own code (its top stack frame). */
    public boolean thrownByRingmaster() {
        return thrownByRingmaster;
    }

    /** Class name of the exception a gang task failed with, or null when Spark's message has none. */
    public String taskExceptionClass() {
        return taskExceptionClass;
    }

    static GangFailure from(SparkException e) {
        String text = e.getMessage() == null ? "" : e.getMessage();
        Matcher m = EXCEPTION_LINE.matcher(text);
        while (m.find()) {
            String cls = m.group(1);
            if (!cls.equals(SparkException.class.getName())) {
                String rest = text.substring(m.end());
                int at = rest.indexOf("\tat ");
                boolean ours = at >= 0 && rest.startsWith("\tat io.ringmaster.", at);
                return new GangFailure(cls, ours, m.group(2), e);
            }
        }
        String first = text.lines().findFirst().orElse("Spark job failed");
        return new GangFailure(null, false, "training gang failed: " + first, e);
    }
}
