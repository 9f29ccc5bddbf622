package kumo.agent;

import com.aliyun.fc.runtime.HttpRequestHandler;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import javax.servlet.ServletException;

/**
 * An HTTP function call: the request Kumo forwards (the caller's method, path, query, headers and body) becomes
 * a servlet request; the servlet response is sent back once the handler returns, or as it flushes (streaming).
 */
final class HttpFunction {
  private HttpFunction() {}

  static void call(HttpRequestHandler handler, HttpExchange exchange, FcContext context)
      throws IOException, ServletException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    String clientIp = context.header("X-Fc-Client-Ip");
    if (clientIp.isEmpty()) clientIp = exchange.getRemoteAddress().getAddress().getHostAddress();
    FcServletRequest request = new FcServletRequest(exchange, body, clientIp, context);
    FcServletResponse response = new FcServletResponse(exchange);
    handler.handleRequest(request, response, context);
    response.finish();
  }
}
