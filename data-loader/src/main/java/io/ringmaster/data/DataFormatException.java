package io.ringmaster.data;

/**
 * Input data that cannot be used as given. The message always names the file (and the line, where
 * there is one) so the user can find and fix it.
 */
public class DataFormatException extends RuntimeException {

    public DataFormatException(String message) {
        super(message);
    }

    public DataFormatException(String message, Throwable cause) {
        super(message, cause);
    }

    /** {@code file:line: message}. */
    public static DataFormatException at(String file, long line, String message) {
        return new DataFormatException(file + ":" + line + ": " + message);
    }
}
