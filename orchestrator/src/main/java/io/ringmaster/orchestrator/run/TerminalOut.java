package io.ringmaster.orchestrator.run;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * A terminal's output with a progress bar on its last line: {@link #bar} redraws the bar in place, and any
 * other output first clears it, so the epoch lines and messages scroll above the bar as with Keras or tqdm
 * (the bar comes back at its next redraw).
 */
final class TerminalOut extends OutputStream {

    private final OutputStream terminal;
    private boolean barShown;

    private TerminalOut(OutputStream terminal) {
        this.terminal = terminal;
    }

    /** The print stream a bar is drawn on. */
    static final class Stream extends PrintStream {
        private final TerminalOut bar;

        private Stream(TerminalOut bar) {
            super(bar, true, StandardCharsets.UTF_8);
            this.bar = bar;
        }
    }

    /** A print stream over {@code terminal} whose bar {@link #bar(PrintStream, String)} draws. */
    static PrintStream over(PrintStream terminal) {
        return new Stream(new TerminalOut(terminal));
    }

    /** Draws {@code text} as the bar of {@code out} when it is one of these; false when it is not. */
    static boolean bar(PrintStream out, String text) {
        if (!(out instanceof Stream s)) {
            return false;
        }
        TerminalOut t = s.bar;
        synchronized (t) {
            try {
                t.terminal.write(("\r" + text + "\u001b[K").getBytes(StandardCharsets.UTF_8));
                t.terminal.flush();
                t.barShown = true;
            } catch (IOException ignored) {
                // a closed terminal: nothing to show
            }
        }
        return true;
    }

    /** Clears the bar if it is shown (the job's output goes on below without it). */
    static void clear(PrintStream out) {
        if (out instanceof Stream s) {
            synchronized (s.bar) {
                s.bar.clearBar();
            }
        }
    }

    private void clearBar() {
        if (barShown) {
            barShown = false;
            try {
                terminal.write("\r\u001b[K".getBytes(StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // a closed terminal
            }
        }
    }

    @Override
    public synchronized void write(int b) throws IOException {
        clearBar();
        terminal.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        clearBar();
        terminal.write(b, off, len);
    }

    @Override
    public synchronized void flush() throws IOException {
        terminal.flush();
    }
}
