package kumo.agent;

import com.sun.net.httpserver.HttpExchange;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.servlet.ServletException;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpSession;
import javax.servlet.http.HttpUpgradeHandler;
import javax.servlet.http.Part;

/**
 * The servlet request of an HTTP function: the caller's method, path, query, headers (Kumo's `X-Fc-*` removed)
 * and body. As in FC, the context path and servlet path are empty, the path info is the decoded path, and the
 * attributes `FC_REQUEST_PATH`, `FC_REQUEST_URI` and `FC_REQUEST_CLIENT_IP` are set.
 */
final class FcServletRequest extends ServletRequestBase implements HttpServletRequest {
  private final Map<String, List<String>> headers = new LinkedHashMap<>();
  private final String rawPath;
  private final String rawQuery;

  FcServletRequest(HttpExchange exchange, byte[] body, String clientIp, FcContext context) {
    super(exchange, body, clientIp);
    exchange.getRequestHeaders().forEach((name, values) -> {
      String lower = name.toLowerCase(Locale.ROOT);
      if (!lower.startsWith("x-fc-")) headers.computeIfAbsent(lower, k -> new ArrayList<>()).addAll(values);
    });
    String uri = exchange.getRequestURI().getRawPath();
    rawPath = uri == null || uri.isEmpty() ? "/" : uri;
    rawQuery = exchange.getRequestURI().getRawQuery();
    setAttribute("FC_REQUEST_PATH", getPathInfo());
    setAttribute("FC_REQUEST_URI", rawQuery == null ? rawPath : rawPath + "?" + rawQuery);
    setAttribute("FC_REQUEST_CLIENT_IP", clientIp);
    setAttribute("FC_CONTEXT", context);
  }

  @Override
  String rawQuery() {
    return rawQuery;
  }

  @Override
  public String getHeader(String name) {
    List<String> values = name == null ? null : headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  @Override
  public Enumeration<String> getHeaders(String name) {
    List<String> values = name == null ? null : headers.get(name.toLowerCase(Locale.ROOT));
    return Collections.enumeration(values == null ? List.of() : values);
  }

  @Override
  public Enumeration<String> getHeaderNames() {
    return Collections.enumeration(headers.keySet());
  }

  @Override
  public int getIntHeader(String name) {
    String value = getHeader(name);
    return value == null ? -1 : Integer.parseInt(value.trim());
  }

  @Override
  public long getDateHeader(String name) {
    String value = getHeader(name);
    if (value == null) return -1;
    try {
      return ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Cannot parse date header " + name + ": " + value, e);
    }
  }

  @Override
  public Cookie[] getCookies() {
    List<Cookie> cookies = new ArrayList<>();
    for (String line : headers.getOrDefault("cookie", List.of())) {
      for (String pair : line.split(";")) {
        int eq = pair.indexOf('=');
        if (eq <= 0) continue;
        try {
          cookies.add(new Cookie(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim()));
        } catch (IllegalArgumentException e) {
          // a cookie name the servlet API rejects is skipped
        }
      }
    }
    return cookies.isEmpty() ? null : cookies.toArray(new Cookie[0]);
  }

  @Override
  public String getMethod() {
    return exchange.getRequestMethod();
  }

  @Override
  public String getPathInfo() {
    return URLDecoder.decode(rawPath.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  @Override
  public String getPathTranslated() {
    return null;
  }

  @Override
  public String getContextPath() {
    return "";
  }

  @Override
  public String getServletPath() {
    return "";
  }

  @Override
  public String getQueryString() {
    return rawQuery;
  }

  @Override
  public String getRequestURI() {
    return rawPath;
  }

  @Override
  public StringBuffer getRequestURL() {
    return new StringBuffer(getScheme() + "://" + getServerName() + getRequestURI());
  }

  @Override
  public String getAuthType() {
    return null;
  }

  @Override
  public String getRemoteUser() {
    return null;
  }

  @Override
  public boolean isUserInRole(String role) {
    return false;
  }

  @Override
  public Principal getUserPrincipal() {
    return null;
  }

  @Override
  public boolean authenticate(HttpServletResponse response) throws ServletException {
    throw new ServletException("FC does not support authentication");
  }

  @Override
  public void login(String user, String password) throws ServletException {
    throw new ServletException("FC does not support login");
  }

  @Override
  public void logout() throws ServletException {
    throw new ServletException("FC does not support login");
  }

  // Sessions: an instance may be replaced at any time, so no session survives between calls (getSession(true)
  // refuses instead of pretending).

  @Override
  public HttpSession getSession(boolean create) {
    if (create) throw new IllegalStateException("Kumo's Java runtime does not keep HTTP sessions");
    return null;
  }

  @Override
  public HttpSession getSession() {
    return getSession(true);
  }

  @Override
  public String changeSessionId() {
    throw new IllegalStateException("Cannot change session ID. There is no session associated with this request.");
  }

  @Override
  public String getRequestedSessionId() {
    return null;
  }

  @Override
  public boolean isRequestedSessionIdValid() {
    return false;
  }

  @Override
  public boolean isRequestedSessionIdFromCookie() {
    return false;
  }

  @Override
  public boolean isRequestedSessionIdFromURL() {
    return false;
  }

  @Override
  @Deprecated
  public boolean isRequestedSessionIdFromUrl() {
    return false;
  }

  @Override
  public Collection<Part> getParts() throws ServletException {
    throw new ServletException("multipart/form-data parts are not parsed by Kumo's Java runtime: read the body");
  }

  @Override
  public Part getPart(String name) throws ServletException {
    return getParts().stream().filter(p -> p.getName().equals(name)).findFirst().orElse(null);
  }

  @Override
  public <T extends HttpUpgradeHandler> T upgrade(Class<T> type) throws ServletException {
    throw new ServletException("FC does not support upgrade");
  }
}
