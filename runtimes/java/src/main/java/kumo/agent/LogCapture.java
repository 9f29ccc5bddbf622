package kumo.agent;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The function's log: lines in FC's format `<UTC time with ms>Z <requestId> [LEVEL] <message>`.
 *
 * <p>The request id is the thread's current request (inherited by the threads user code starts), so concurrent
 * requests on one instance each tag their own lines. While a request runs, what user code writes to System.out
 * and System.err is prefixed the same way ([INFO] / [ERROR]), one line per newline; outside a request it passes
 * through unchanged.
 */
final class LogCapture {
  private static final InheritableThreadLocal<String> REQUEST = new InheritableThreadLocal<>();
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final Object WRITE_LOCK = new Object();
  private static PrintStream raw = System.out;
  private static LineStream out;
  private static LineStream err;

  private LogCapture() {}

  /** Replaces System.out and System.err; the agent's own output goes to {@link #raw()}. */
  static void install() {
    raw = System.out;
    PrintStream rawErr = System.err;
    out = new LineStream(raw, "INFO");
    err = new LineStream(rawErr, "ERROR");
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  static PrintStream raw() {
    return raw;
  }

  static void begin(String requestId) {
    REQUEST.set(requestId);
  }

  /** Emits what the thread left without a newline, then leaves the request. */
  static void end() {
    System.out.flush();
    System.err.flush();
    if (out != null) out.flushPartial();
    if (err != null) err.flushPartial();
    REQUEST.remove();
  }

  static String currentRequest() {
    return REQUEST.get();
  }

  /** Writes one record; newlines inside the message become `\r` so it stays one line, as FC's Node runtime does. */
  static void line(String requestId, String level, String message) {
    String text = TIME.format(Instant.now()) + " " + requestId + " [" + level + "] "
        + String.valueOf(message).replace("\r\n", "\r").replace('\n', '\r') + "\n";
    writeRaw(raw, text.getBytes(StandardCharsets.UTF_8));
  }

  private static void writeRaw(PrintStream target, byte[] bytes) {
    synchronized (WRITE_LOCK) {
      target.write(bytes, 0, bytes.length);
      target.flush();
    }
  }

  /** Prefixes each complete line written by a thread inside a request; partial lines wait per thread. */
  private static final class LineStream extends OutputStream {
    private final PrintStream target;
    private final String level;
    private final ThreadLocal<ByteArrayOutputStream> pending =
        ThreadLocal.withInitial(ByteArrayOutputStream::new);

    LineStream(PrintStream target, String level) {
      this.target = target;
      this.level = level;
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      String requestId = REQUEST.get();
      if (requestId == null) {
        synchronized (WRITE_LOCK) {
          target.write(bytes, offset, length);
        }
        return;
      }
      ByteArrayOutputStream buffer = pending.get();
      int start = offset;
      for (int i = offset; i < offset + length; i++) {
        if (bytes[i] != '\n') continue;
        buffer.write(bytes, start, i - start);
        emit(requestId, buffer);
        start = i + 1;
      }
      buffer.write(bytes, start, offset + length - start);
    }

    @Override
    public void flush() {
      synchronized (WRITE_LOCK) {
        target.flush();
      }
    }

    void flushPartial() {
      String requestId = REQUEST.get();
      ByteArrayOutputStream buffer = pending.get();
      if (requestId != null && buffer.size() > 0) emit(requestId, buffer);
    }

    private void emit(String requestId, ByteArrayOutputStream buffer) {
      String text = buffer.toString(StandardCharsets.UTF_8);
      buffer.reset();
      if (text.endsWith("\r")) text = text.substring(0, text.length() - 1);
      String head = TIME.format(Instant.now()) + " " + requestId + " [" + level + "] ";
      writeRaw(target, (head + text + "\n").getBytes(StandardCharsets.UTF_8));
    }
  }
}
