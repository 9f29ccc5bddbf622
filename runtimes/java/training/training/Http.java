package training;

import com.aliyun.fc.runtime.Context;
import com.aliyun.fc.runtime.HttpRequestHandler;
import java.io.IOException;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/** CDS training (scripts/setup.d/java.sh): an HTTP handler. */
public class Http implements HttpRequestHandler {
  @Override
  public void handleRequest(HttpServletRequest request, HttpServletResponse response, Context context)
      throws IOException {
    response.setContentType("text/plain");
    response.getWriter().print(request.getMethod() + " " + request.getPathInfo() + " " + request.getParameter("q"));
  }
}
