package io.smarttag.hub.testsupport;

import java.io.StringWriter;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * What the hub logs while a test runs in this JVM, exactly as the console would show it (the
 * hub's own pattern, stack traces included), for tests that promise something about the log.
 */
public final class LogCapture implements AutoCloseable {

    private final StringWriter out = new StringWriter();
    private final WriterAppender appender;
    private final LoggerContext context;

    public LogCapture() {
        context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        PatternLayout layout = PatternLayout.newBuilder().withConfiguration(config)
                .withPattern("%d{HH:mm:ss.SSS} %-5level [%t] %c{1} - %msg%n").build();
        appender = WriterAppender.newBuilder().setName("capture-" + System.nanoTime()).setLayout(layout)
                .setTarget(out).setConfiguration(config).build();
        appender.start();
        config.getRootLogger().addAppender(appender, Level.ALL, null);
        context.updateLoggers();
    }

    public synchronized List<String> lines() {
        synchronized (out) {
            return out.toString().lines().toList();
        }
    }

    @Override
    public void close() {
        context.getConfiguration().getRootLogger().removeAppender(appender.getName());
        context.updateLoggers();
        appender.stop();
    }
}
