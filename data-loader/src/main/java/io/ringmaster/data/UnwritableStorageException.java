package io.ringmaster.data;

import java.io.IOException;
import java.util.Locale;
import org.apache.hadoop.fs.Path;

/**
 * A write that no relaunch can fix: the device is full, or the process may not write there. Its
 * message names the path and the reason; the driver fails the job at once instead of retrying.
 */
public final class UnwritableStorageException extends IOException {

    private UnwritableStorageException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * {@code e} as an UnwritableStorageException naming {@code path} when it means a full device or
     * denied access (anywhere in its causes), else {@code e} itself (an Error such as Hadoop's
     * {@code FSError} as an IOException).
     */
    public static IOException classify(Throwable e, Path path) {
        if (e instanceof UnwritableStorageException u) {
            return u;
        }
        String why = reason(e);
        if (why != null) {
            return new UnwritableStorageException(Storage.display(path) + ": " + why, e);
        }
        // Hadoop's local file system reports a failed write as an FSError (an Error) around the IOException
        return e instanceof IOException io ? io : new IOException(Storage.display(path) + ": " + e.getMessage(), e);
    }

    /** One naming {@code path} and why it cannot be written. */
    static UnwritableStorageException of(Path path, String why, Throwable cause) {
        return new UnwritableStorageException(Storage.display(path) + ": " + why, cause);
    }

    private static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            String cls = t.getClass().getName();
            if (m.contains("no space left on device") || m.contains("disk quota exceeded")
                    || cls.endsWith("DSQuotaExceededException") || cls.endsWith("NSQuotaExceededException")) {
                return "no space left on the device (free some, or give run.dir a store with room); a relaunch would"
                        + " fail the same way";
            }
            if (m.contains("read-only file system")) {
                return "the file system is read-only; give run.dir a writable location";
            }
            if (t instanceof java.nio.file.AccessDeniedException || cls.endsWith("AccessControlException")
                    || m.contains("permission denied") || m.contains("access denied")) {
                return "permission denied (this process may not write there); give run.dir a writable location or"
                        + " fix its permissions";
            }
        }
        return null;
    }
}
