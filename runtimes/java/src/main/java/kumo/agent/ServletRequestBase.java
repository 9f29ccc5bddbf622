package kumo.agent;

import com.sun.net.httpserver.HttpExchange;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.net.URLDecoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.servlet.AsyncContext;
import javax.servlet.DispatcherType;
import javax.servlet.RequestDispatcher;
import javax.servlet.ServletContext;
import javax.servlet.ServletInputStream;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;

/** The `ServletRequest` half of an HTTP function's request: body, parameters, attributes, addresses. */
abstract class ServletRequestBase implements ServletRequest {
  final HttpExchange exchange;
  final byte[] body;
  final String clientIp;
  private final Map<String, Object> attributes = new ConcurrentHashMap<>();
  private Map<String, String[]> parameters;
  private String encoding;
  private boolean usingStream;
  private boolean usingReader;

  ServletRequestBase(HttpExchange exchange, byte[] body, String clientIp) {
    this.exchange = exchange;
    this.body = body;
    this.clientIp = clientIp;
  }

  abstract String rawQuery();

  /** A request header, whatever the case of `name`. */
  public abstract String getHeader(String name);

  @Override
  public Object getAttribute(String name) {
    return attributes.get(name);
  }

  @Override
  public Enumeration<String> getAttributeNames() {
    return Collections.enumeration(attributes.keySet());
  }

  @Override
  public void setAttribute(String name, Object value) {
    if (value == null) attributes.remove(name);
    else attributes.put(name, value);
  }

  @Override
  public void removeAttribute(String name) {
    attributes.remove(name);
  }

  @Override
  public String getCharacterEncoding() {
    if (encoding != null) return encoding;
    String type = getContentType();
    int at = type == null ? -1 : type.toLowerCase(Locale.ROOT).indexOf("charset=");
    return at < 0 ? null : type.substring(at + 8).split(";")[0].trim().replace("\"", "");
  }

  @Override
  public void setCharacterEncoding(String value) {
    if (!usingReader) encoding = value;
  }

  Charset charset() {
    String name = getCharacterEncoding();
    try {
      return name == null ? StandardCharsets.UTF_8 : Charset.forName(name);
    } catch (RuntimeException e) {
      return StandardCharsets.UTF_8;
    }
  }

  @Override
  public int getContentLength() {
    return body.length;
  }

  @Override
  public long getContentLengthLong() {
    return body.length;
  }

  @Override
  public String getContentType() {
    return getHeader("content-type");
  }

  @Override
  public ServletInputStream getInputStream() {
    if (usingReader) throw new IllegalStateException("getReader() has already been called for this request");
    usingStream = true;
    return new ServletIo.Input(body);
  }

  @Override
  public BufferedReader getReader() {
    if (usingStream) throw new IllegalStateException("getInputStream() has already been called for this request");
    usingReader = true;
    return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), charset()));
  }

  /** Query parameters, then those of an `application/x-www-form-urlencoded` body. */
  @Override
  public Map<String, String[]> getParameterMap() {
    if (parameters == null) {
      Map<String, List<String>> collected = new LinkedHashMap<>();
      parse(collected, rawQuery());
      String type = getContentType();
      if (type != null && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")
          && !usingStream && !usingReader) {
        parse(collected, new String(body, charset()));
      }
      Map<String, String[]> done = new LinkedHashMap<>();
      collected.forEach((k, v) -> done.put(k, v.toArray(new String[0])));
      parameters = Collections.unmodifiableMap(done);
    }
    return parameters;
  }

  private void parse(Map<String, List<String>> into, String text) {
    if (text == null || text.isEmpty()) return;
    for (String pair : text.split("&")) {
      if (pair.isEmpty()) continue;
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      into.computeIfAbsent(key, k -> new java.util.ArrayList<>()).add(value);
    }
  }

  private String decode(String text) {
    try {
      return URLDecoder.decode(text, charset());
    } catch (IllegalArgumentException e) {
      return text;
    }
  }

  @Override
  public String getParameter(String name) {
    String[] values = getParameterMap().get(name);
    return values == null || values.length == 0 ? null : values[0];
  }

  @Override
  public Enumeration<String> getParameterNames() {
    return Collections.enumeration(getParameterMap().keySet());
  }

  @Override
  public String[] getParameterValues(String name) {
    return getParameterMap().get(name);
  }

  @Override
  public String getProtocol() {
    return "HTTP/1.1";
  }

  @Override
  public String getScheme() {
    String proto = getHeader("x-forwarded-proto");
    return proto == null || proto.isEmpty() ? "http" : proto;
  }

  @Override
  public String getServerName() {
    String host = getHeader("host");
    if (host == null || host.isEmpty()) return "localhost";
    int colon = host.lastIndexOf(':');
    return colon > 0 && !host.endsWith("]") ? host.substring(0, colon) : host;
  }

  @Override
  public int getServerPort() {
    String host = getHeader("host");
    int colon = host == null ? -1 : host.lastIndexOf(':');
    try {
      if (colon > 0 && !host.endsWith("]")) return Integer.parseInt(host.substring(colon + 1));
    } catch (NumberFormatException e) {
      // no port given
    }
    return getScheme().equals("https") ? 443 : 80;
  }

  @Override
  public String getRemoteAddr() {
    return clientIp.isEmpty() ? "127.0.0.1" : clientIp;
  }

  @Override
  public String getRemoteHost() {
    return getRemoteAddr();
  }

  @Override
  public int getRemotePort() {
    return 0;
  }

  @Override
  public String getLocalName() {
    return "localhost";
  }

  @Override
  public String getLocalAddr() {
    return "127.0.0.1";
  }

  @Override
  public int getLocalPort() {
    return exchange.getLocalAddress().getPort();
  }

  @Override
  public Locale getLocale() {
    String accept = getHeader("accept-language");
    if (accept == null || accept.isEmpty()) return Locale.getDefault();
    return Locale.forLanguageTag(accept.split(",")[0].split(";")[0].trim());
  }

  @Override
  public Enumeration<Locale> getLocales() {
    return Collections.enumeration(List.of(getLocale()));
  }

  @Override
  public boolean isSecure() {
    return getScheme().equals("https");
  }

  @Override
  public RequestDispatcher getRequestDispatcher(String path) {
    return null;
  }

  @Override
  @Deprecated
  public String getRealPath(String path) {
    return null;
  }

  @Override
  public ServletContext getServletContext() {
    return null;
  }

  @Override
  public AsyncContext startAsync() {
    throw new IllegalStateException("FC does not support asynchronous operations");
  }

  @Override
  public AsyncContext startAsync(ServletRequest request, ServletResponse response) {
    throw new IllegalStateException("FC does not support asynchronous operations");
  }

  @Override
  public boolean isAsyncStarted() {
    return false;
  }

  @Override
  public boolean isAsyncSupported() {
    return false;
  }

  @Override
  public AsyncContext getAsyncContext() {
    throw new IllegalStateException("FC does not support asynchronous operations");
  }

  @Override
  public DispatcherType getDispatcherType() {
    return DispatcherType.REQUEST;
  }
}
