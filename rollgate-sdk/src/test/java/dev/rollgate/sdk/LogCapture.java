package dev.rollgate.sdk;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what the SDK logs on one logger name. {@link System.Logger} goes to java.util.logging
 * when no other backend is installed, as in these tests, so a handler on the logger of that name
 * sees exactly what an application would.
 */
final class LogCapture implements AutoCloseable {
  /** One line: its level and text. */
  record Line(Level level, String message) {}

  private final Logger logger; // held: java.util.logging keeps loggers only weakly
  private final boolean parentHandlers;
  private final List<Line> lines = new CopyOnWriteArrayList<>();
  private final Handler handler =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          lines.add(new Line(record.getLevel(), record.getMessage()));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  LogCapture(String name) {
    logger = Logger.getLogger(name);
    parentHandlers = logger.getUseParentHandlers();
    logger.setUseParentHandlers(false); // keeps the test output quiet
    logger.addHandler(handler);
  }

  List<Line> lines() {
    return List.copyOf(lines);
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
    logger.setUseParentHandlers(parentHandlers);
  }
}
