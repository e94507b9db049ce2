package io.nexussync.app.logging;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The child JVM of {@link LogFormatTest}: logs a few lines of the kinds the service writes, through the real logback.xml. */
public final class LogLines {
    private LogLines() {}

    public static void main(String[] args) throws Exception {
        Logger log = LoggerFactory.getLogger("io.nexussync.app.service.SyncService");
        log.info("streaming from slot {} at {}", "demo_slot", "0/16B3748");
        log.warn("a message with \"quotes\", a backslash \\ and\na second line");
        Thread worker = new Thread(() -> log.error("apply failed", new IllegalStateException("graph unreachable")), "apply-worker-1");
        worker.start();
        worker.join();
        LoggerFactory.getLogger("io.nexussync.app.Debugging").debug("shown only at DEBUG");
    }
}
