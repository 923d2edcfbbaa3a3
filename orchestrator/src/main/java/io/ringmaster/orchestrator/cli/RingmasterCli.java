package io.ringmaster.orchestrator.cli;

import io.ringmaster.orchestrator.run.FailureKinds;
import io.ringmaster.orchestrator.spark.GangFailure;
import java.io.FileNotFoundException;
import java.util.Set;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ringmaster}: the command-line entry point. */
@Command(name = "ringmaster", mixinStandardHelpOptions = true, version = "ringmaster 0.1.0",
        description = "Horovod-style synchronous training of DL4J networks on Apache Spark.",
        subcommands = {IngestCommand.class, GenerateCommand.class, MaterializeCommand.class, TrainCommand.class,
                ResumeCommand.class, ExportCommand.class, ScoreCommand.class, EvaluateCommand.class,
                ProfilesCommand.class, SubmitCommand.class, DemoCommand.class, ReportCommand.class, RunsCommand.class,
                CompareCommand.class, HoldoutCommand.class, KothCommand.class, TuneCommand.class,
                BenchCommand.class, CommandLine.HelpCommand.class})
public final class RingmasterCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code (0 ok, 1 failed, 2 bad usage). */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new RingmasterCli());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            Throwable user = userError(e);
            if (user != null) {
                err.println("error: " + user.getMessage());
                if (System.getenv("RINGMASTER_STACKTRACE") != null) {
                    e.printStackTrace(err);
                }
            } else if (e instanceof GangFailure g && !g.workerTrace().isEmpty()) {
                // the worker's own stack, not Spark's driver-side one
                err.println("error: " + g.getMessage());
                err.println("worker's stack trace:");
                err.println(g.workerTrace());
                if (System.getenv("RINGMASTER_STACKTRACE") != null) {
                    e.printStackTrace(err);
                }
            } else {
                err.println("error: " + e);
                e.printStackTrace(err);
            }
            err.flush();
            return 1;
        });
        // a signal to this JVM lets the command wind down and print its one line before the JVM halts
        try (io.ringmaster.orchestrator.run.DriverShutdown.Running running
                     = io.ringmaster.orchestrator.run.DriverShutdown.running()) {
            return cl.execute(args);
        }
    }

    /**
     * Failures a user can fix or expects (bad data, bad job file, bad option, a gang member lost, a
     * diverged model, an injected fault): reported as one line.
     */
    private static final Set<String> USER_ERRORS = FailureKinds.USER_FACING;

    /**
     * The cause that explains the failure to a user, including one that failed a Spark task. Only
     * exceptions Ringmaster itself threw count: an IllegalArgumentException from inside a library is a
     * bug to report with its stack trace.
     */
    static Throwable userError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (USER_ERRORS.contains(t.getClass().getName()) && thrownByRingmaster(t)) {
                return t;
            }
            if (t instanceof GangFailure g && g.taskExceptionClass() != null
                    && USER_ERRORS.contains(g.taskExceptionClass()) && g.thrownByRingmaster()) {
                return g;
            }
        }
        return null;
    }

    private static boolean thrownByRingmaster(Throwable t) {
        StackTraceElement[] st = t.getStackTrace();
        return t instanceof FileNotFoundException || st.length > 0 && st[0].getClassName().startsWith("io.ringmaster.");
    }
}
