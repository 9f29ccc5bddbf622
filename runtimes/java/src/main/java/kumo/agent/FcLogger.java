package kumo.agent;

import com.aliyun.fc.runtime.FunctionComputeLogger;

/**
 * `context.getLogger()`: one line per call framed with the request id. As in FC's Java runtime the level is
 * shared by every logger of the instance and starts at TRACE (everything is written).
 */
final class FcLogger implements FunctionComputeLogger {
  private static volatile Level minimum = Level.TRACE;
  private final String requestId;

  FcLogger(String requestId) {
    this.requestId = requestId;
  }

  private void log(Level level, String message) {
    if (level.ordinal() >= minimum.ordinal()) LogCapture.line(requestId, level.name(), message);
  }

  @Override
  public void trace(String message) {
    log(Level.TRACE, message);
  }

  @Override
  public void debug(String message) {
    log(Level.DEBUG, message);
  }

  @Override
  public void info(String message) {
    log(Level.INFO, message);
  }

  @Override
  public void warn(String message) {
    log(Level.WARN, message);
  }

  @Override
  public void error(String message) {
    log(Level.ERROR, message);
  }

  @Override
  public void fatal(String message) {
    log(Level.FATAL, message);
  }

  @Override
  public void setLogLevel(Level level) {
    if (level != null) minimum = level;
  }
}
