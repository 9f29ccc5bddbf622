package example;

import com.aliyun.fc.runtime.Context;
import com.aliyun.fc.runtime.HttpRequestHandler;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/** An HTTP function: answers every method and path with what it received. */
public class App implements HttpRequestHandler {
  @Override
  public void handleRequest(HttpServletRequest request, HttpServletResponse response, Context context)
      throws IOException {
    String name = request.getParameter("name");
    String body = new String(request.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    context.getLogger().info(request.getMethod() + " " + request.getPathInfo());
    response.setStatus(200);
    response.setContentType("application/json;charset=UTF-8");
    response.setHeader("x-powered-by", "kumo java11");
    PrintWriter out = response.getWriter();
    out.print("{\"message\":\"Hello, " + (name == null ? "world" : name) + "!\",\"method\":\"" + request.getMethod()
        + "\",\"path\":\"" + request.getPathInfo() + "\",\"bodyLength\":" + body.length() + "}");
  }
}
