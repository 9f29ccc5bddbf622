package kumo.agent;

import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import javax.servlet.ServletOutputStream;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServletResponse;

/**
 * The servlet response of an HTTP function. The body is buffered and sent with its length when the handler
 * returns; once the handler flushes, the headers go out and the rest streams (chunked).
 */
final class FcServletResponse implements HttpServletResponse {
  private final HttpExchange exchange;
  private final List<String[]> headers = new ArrayList<>();
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  private final OutputStream sink = new Sink();
  private int status = 200;
  private String encoding;
  private boolean committed;
  private ServletOutputStream stream;
  private PrintWriter writer;
  private Locale locale = Locale.getDefault();

  FcServletResponse(HttpExchange exchange) {
    this.exchange = exchange;
  }

  /** Completes the answer after the handler returned. */
  void finish() throws IOException {
    if (writer != null) writer.flush();
    if (!committed) commit(buffer.size() == 0 ? -1 : buffer.size());
    drain();
  }

  /** Sends what is buffered (nothing for HEAD, whose answer has no body). */
  private void drain() throws IOException {
    OutputStream body = exchange.getResponseBody();
    if (!exchange.getRequestMethod().equalsIgnoreCase("HEAD")) buffer.writeTo(body);
    buffer.reset();
    body.flush();
  }

  /** Sends status and headers; `length` as HttpExchange takes it: -1 no body, 0 chunked, else the size. */
  private void commit(long length) throws IOException {
    committed = true;
    for (String[] header : headers) exchange.getResponseHeaders().add(header[0], header[1]);
    boolean head = exchange.getRequestMethod().equalsIgnoreCase("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : length);
  }

  /** The bytes the handler writes: kept until the first flush, then streamed. */
  private final class Sink extends OutputStream {
    @Override
    public void write(int b) {
      buffer.write(b);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      buffer.write(bytes, offset, length);
    }

    @Override
    public void flush() throws IOException {
      send();
    }
  }

  @Override
  public ServletOutputStream getOutputStream() {
    if (writer != null) throw new IllegalStateException("getWriter method has been called on this response");
    if (stream == null) stream = new ServletIo.Output(sink);
    return stream;
  }

  @Override
  public PrintWriter getWriter() {
    if (stream != null) {
      throw new IllegalStateException("getOutputStream method has already been called for this response object");
    }
    if (writer == null) writer = new PrintWriter(new OutputStreamWriter(sink, charset()), false);
    return writer;
  }

  private Charset charset() {
    return encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
  }

  @Override
  public void flushBuffer() throws IOException {
    if (writer != null) writer.flush();
    send();
  }

  /** Commits the answer (chunked from here on) and sends what is buffered. */
  private void send() throws IOException {
    if (!committed) commit(0);
    drain();
  }

  // ---- headers ------------------------------------------------------------------------------------------

  @Override
  public void setHeader(String name, String value) {
    if (committed || name == null) return;
    headers.removeIf(h -> h[0].equalsIgnoreCase(name));
    if (value != null) addHeader(name, value);
  }

  @Override
  public void addHeader(String name, String value) {
    if (committed || name == null || value == null) return;
    if (name.equalsIgnoreCase("Content-Type")) {
      setContentType(value);
      return;
    }
    headers.add(new String[] {name, value});
  }

  @Override
  public boolean containsHeader(String name) {
    return getHeader(name) != null;
  }

  @Override
  public String getHeader(String name) {
    for (String[] h : headers) if (h[0].equalsIgnoreCase(name)) return h[1];
    return null;
  }

  @Override
  public Collection<String> getHeaders(String name) {
    List<String> values = new ArrayList<>();
    for (String[] h : headers) if (h[0].equalsIgnoreCase(name)) values.add(h[1]);
    return values;
  }

  @Override
  public Collection<String> getHeaderNames() {
    Collection<String> names = new LinkedHashSet<>();
    for (String[] h : headers) names.add(h[0]);
    return names;
  }

  @Override
  public void setDateHeader(String name, long date) { setHeader(name, ServletIo.httpDate(date)); }

  @Override
  public void addDateHeader(String name, long date) { addHeader(name, ServletIo.httpDate(date)); }

  @Override
  public void setIntHeader(String name, int value) { setHeader(name, Integer.toString(value)); }

  @Override
  public void addIntHeader(String name, int value) { addHeader(name, Integer.toString(value)); }

  @Override
  public void addCookie(Cookie cookie) {
    addHeader("Set-Cookie", ServletIo.setCookie(cookie));
  }

  // ---- status, content type -----------------------------------------------------------------------------

  @Override
  public void setStatus(int code) {
    if (!committed) status = code;
  }

  @Override
  @Deprecated
  public void setStatus(int code, String message) {
    setStatus(code);
  }

  @Override
  public int getStatus() {
    return status;
  }

  @Override
  public void sendError(int code, String message) throws IOException {
    if (committed) throw new IllegalStateException("Cannot call sendError() after the response has been committed");
    resetBuffer();
    status = code;
    setContentType("text/plain;charset=UTF-8");
    if (message != null) buffer.write(message.getBytes(StandardCharsets.UTF_8));
    send();
  }

  @Override
  public void sendError(int code) throws IOException {
    sendError(code, null);
  }

  @Override
  public void sendRedirect(String location) throws IOException {
    if (committed) throw new IllegalStateException("Cannot call sendRedirect() after the response has been committed");
    resetBuffer();
    status = SC_FOUND;
    setHeader("Location", location);
    send();
  }

  @Override
  public void setContentType(String type) {
    if (committed || type == null) return;
    headers.removeIf(h -> h[0].equalsIgnoreCase("Content-Type"));
    int at = type.toLowerCase(Locale.ROOT).indexOf("charset=");
    if (at >= 0) encoding = type.substring(at + 8).trim();
    headers.add(new String[] {"Content-Type", type});
  }

  @Override
  public String getContentType() {
    return getHeader("Content-Type");
  }

  @Override
  public void setCharacterEncoding(String charset) {
    if (!committed && writer == null) encoding = charset;
  }

  @Override
  public String getCharacterEncoding() {
    return charset().name();
  }

  @Override
  public void setContentLength(int length) {
    setContentLengthLong(length);
  }

  @Override
  public void setContentLengthLong(long length) {
    // the length is the buffered body's, or chunked once streaming
  }

  @Override
  public void setBufferSize(int size) {
    if (buffer.size() > 0) throw new IllegalStateException("Cannot change buffer size after data has been written");
  }

  @Override
  public int getBufferSize() {
    return Integer.MAX_VALUE;
  }

  @Override
  public void resetBuffer() {
    if (committed) throw new IllegalStateException("Cannot reset buffer after response has been committed");
    buffer.reset();
  }

  @Override
  public void reset() {
    if (committed) throw new IllegalStateException("Cannot reset after response has been committed");
    buffer.reset();
    headers.clear();
    status = 200;
  }

  @Override
  public boolean isCommitted() { return committed; }

  @Override
  public void setLocale(Locale value) { if (value != null) locale = value; }

  @Override
  public Locale getLocale() { return locale; }

  // No sessions, so URLs need no session id.

  @Override
  public String encodeURL(String url) { return url; }

  @Override
  public String encodeRedirectURL(String url) { return url; }

  @Override @Deprecated
  public String encodeUrl(String url) { return url; }

  @Override @Deprecated
  public String encodeRedirectUrl(String url) { return url; }
}
