package example;

import com.aliyun.fc.runtime.Context;
import com.aliyun.fc.runtime.FunctionComputeLogger;
import com.aliyun.fc.runtime.FunctionInitializer;
import com.aliyun.fc.runtime.PojoRequestHandler;

/** An event function: JSON `{"name": …}` in, JSON `{"message": …, "invocations": n}` out. */
public class App implements PojoRequestHandler<App.Request, App.Response>, FunctionInitializer {
  private static int invocations;
  private static String greeting = "Hello";

  public static class Request {
    private String name = "world";

    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }
  }

  public static class Response {
    private final String message;
    private final int invocations;

    Response(String message, int invocations) {
      this.message = message;
      this.invocations = invocations;
    }

    public String getMessage() {
      return message;
    }

    public int getInvocations() {
      return invocations;
    }
  }

  /** Runs once per instance, before the first call (the template's Initializer). */
  @Override
  public void initialize(Context context) {
    greeting = "Hello";
    context.getLogger().info("initialized " + context.getFunctionParam().getFunctionName());
  }

  @Override
  public Response handleRequest(Request request, Context context) {
    FunctionComputeLogger logger = context.getLogger();
    logger.info("greeting " + request.getName());
    return new Response(greeting + ", " + request.getName() + "!", ++invocations);
  }
}
