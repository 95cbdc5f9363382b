package dev.drover.server.badinput;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.slf4j.LoggerFactory;

/**
 * Collects what the server logs at ERROR while it is open: through SLF4J (Drover's own code) and through
 * java.util.logging (where Helidon's System.Logger ends up), so a request that makes the server log a stack
 * trace is caught even when its answer looks fine.
 */
final class ErrorLog implements AutoCloseable {
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final List<String> jul = new CopyOnWriteArrayList<>();
    private final Handler julHandler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()) {
                jul.add(r.getLoggerName() + ": " + r.getMessage()
                        + (r.getThrown() == null ? "" : " " + r.getThrown()));
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    ErrorLog() {
        appender.start();
        root().addAppender(appender);
        java.util.logging.Logger.getLogger("").addHandler(julHandler);
    }

    /** The errors logged since the last call, and forgets them. */
    synchronized List<String> drain() {
        List<String> out = new java.util.ArrayList<>();
        for (ILoggingEvent e : List.copyOf(appender.list)) {
            if (e.getLevel().isGreaterOrEqual(Level.ERROR)) {
                out.add(e.getLoggerName() + ": " + e.getFormattedMessage()
                        + (e.getThrowableProxy() == null ? "" : " " + e.getThrowableProxy().getClassName()
                                + ": " + e.getThrowableProxy().getMessage()));
            }
        }
        appender.list.clear();
        out.addAll(jul);
        jul.clear();
        return out;
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    @Override
    public void close() {
        root().detachAppender(appender);
        java.util.logging.Logger.getLogger("").removeHandler(julHandler);
    }
}
