package io.nexussync.plugin;

import java.util.ArrayList;
import java.util.List;
import org.neo4j.logging.Log;
import org.neo4j.logging.LogProvider;

/** The engine's user log, kept in memory so a test can see what the plugin logged (warnings and errors). */
final class RecordingLog implements LogProvider, Log {
    private final List<String> lines = new ArrayList<>();

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    private synchronized void record(String level, String message) {
        lines.add(level + " " + message);
    }

    @Override
    public Log getLog(Class<?> loggingClass) {
        return this;
    }

    @Override
    public Log getLog(String name) {
        return this;
    }

    @Override
    public boolean isDebugEnabled() {
        return false;
    }

    @Override
    public void debug(String message) {}

    @Override
    public void debug(String message, Throwable throwable) {}

    @Override
    public void debug(String format, Object... arguments) {}

    @Override
    public void info(String message) {}

    @Override
    public void info(String message, Throwable throwable) {}

    @Override
    public void info(String format, Object... arguments) {}

    @Override
    public void warn(String message) {
        record("WARN", message);
    }

    @Override
    public void warn(String message, Throwable throwable) {
        record("WARN", message);
    }

    @Override
    public void warn(String format, Object... arguments) {
        record("WARN", String.format(format, arguments));
    }

    @Override
    public void error(String message) {
        record("ERROR", message);
    }

    @Override
    public void error(String message, Throwable throwable) {
        record("ERROR", message);
    }

    @Override
    public void error(String format, Object... arguments) {
        record("ERROR", String.format(format, arguments));
    }
}
