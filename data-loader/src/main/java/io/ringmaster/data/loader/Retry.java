package io.ringmaster.data.loader;

import java.io.FileNotFoundException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries storage calls that fail with an {@link IOException} (a dropped connection, a throttled
 * object store), with exponential backoff. A missing file is not retried, nor is a call whose thread
 * is being interrupted, nor anything that is not an IOException (a corrupt file fails at once).
 */
public final class Retry {

    private static final Logger LOG = LoggerFactory.getLogger(Retry.class);

    /** A storage call. */
    @FunctionalInterface
    public interface Call<T> {
        T run() throws IOException;
    }

    private final int attempts;
    private final long firstDelayMillis;

    public Retry(int attempts, long firstDelayMillis) {
        if (attempts < 1 || firstDelayMillis < 0) {
            throw new IllegalArgumentException("attempts must be >= 1 and the delay >= 0");
        }
        this.attempts = attempts;
        this.firstDelayMillis = firstDelayMillis;
    }

    public static Retry defaults() {
        return new Retry(4, 500);
    }

    /**
     * Worth another try: not a missing or forbidden file, not a truncated one, not a stop request
     * (a socket or connect timeout is an InterruptedIOException too, and is retried).
     */
    static boolean isTransient(IOException e) {
        if (Thread.currentThread().isInterrupted() || e instanceof java.nio.channels.ClosedByInterruptException
                || e.getClass() == java.io.InterruptedIOException.class) {
            return false;
        }
        return !(e instanceof FileNotFoundException || e instanceof java.io.EOFException
                || e instanceof java.nio.file.FileSystemException);
    }

    public <T> T run(String what, Call<T> call) throws IOException {
        long delay = firstDelayMillis;
        for (int attempt = 1; ; attempt++) {
            try {
                return call.run();
            } catch (IOException e) {
                if (!isTransient(e)) {
                    throw e;
                }
                if (attempt >= attempts) {
                    throw new IOException(what + ": failed " + attempts + " times, last: " + e.getMessage(), e);
                }
                LOG.warn("{}: {} (attempt {} of {}), retrying in {} ms", what, e.toString(), attempt, attempts, delay);
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException(what + ": interrupted while retrying", ie);
                }
                delay *= 2;
            }
        }
    }
}
