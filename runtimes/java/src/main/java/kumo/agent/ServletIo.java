package kumo.agent;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import javax.servlet.ReadListener;
import javax.servlet.ServletInputStream;
import javax.servlet.ServletOutputStream;
import javax.servlet.WriteListener;
import javax.servlet.http.Cookie;

/** The servlet streams of an HTTP function: the request body (read whole before the call) and the response. */
final class ServletIo {
  private ServletIo() {}

  static String httpDate(long millis) {
    return DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochMilli(millis).atZone(ZoneOffset.UTC));
  }

  static String setCookie(Cookie cookie) {
    StringBuilder text = new StringBuilder(cookie.getName()).append('=').append(cookie.getValue());
    if (cookie.getPath() != null) text.append("; Path=").append(cookie.getPath());
    if (cookie.getDomain() != null) text.append("; Domain=").append(cookie.getDomain());
    if (cookie.getMaxAge() >= 0) text.append("; Max-Age=").append(cookie.getMaxAge());
    if (cookie.getSecure()) text.append("; Secure");
    if (cookie.isHttpOnly()) text.append("; HttpOnly");
    return text.toString();
  }

  static final class Input extends ServletInputStream {
    private final ByteArrayInputStream body;

    Input(byte[] bytes) {
      body = new ByteArrayInputStream(bytes);
    }

    @Override
    public int read() {
      return body.read();
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
      return body.read(buffer, offset, length);
    }

    @Override
    public int available() {
      return body.available();
    }

    @Override
    public boolean isFinished() {
      return body.available() == 0;
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setReadListener(ReadListener listener) {
      throw new IllegalStateException("FC does not support asynchronous operations");
    }
  }

  /** Writes through to the response, which buffers until it is committed. */
  static final class Output extends ServletOutputStream {
    private final OutputStream target;

    Output(OutputStream target) {
      this.target = target;
    }

    @Override
    public void write(int b) throws IOException {
      target.write(b);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      target.write(bytes, offset, length);
    }

    @Override
    public void flush() throws IOException {
      target.flush();
    }

    @Override
    public void close() throws IOException {
      target.flush();
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setWriteListener(WriteListener listener) {
      throw new IllegalStateException("FC does not support asynchronous operations");
    }
  }
}
